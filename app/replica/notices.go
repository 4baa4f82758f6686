package replica

import (
	"context"
	"database/sql"
	"time"
)

// Notice kinds the notification centre lists.
const (
	// NoticeMention is a colleague's comment that mentions the operator;
	// MessageID names the comment, ActorID its author, Body its text.
	NoticeMention = "mention"
)

// Notice is one entry of the operator's notification centre: a mention, or
// an alert the app raised (new dialog, assigned, reply, summary), whose
// words were written in the UI's language when it was raised.
type Notice struct {
	ID        string
	Kind      string
	DialogID  string // "" when the entry sums up several dialogs
	MessageID string
	ActorID   string
	Title     string
	Body      string
	Count     int
	At        time.Time
	Read      bool
}

// AddNotice stores a notice; one whose id is stored already is left as it
// is (a mention re-sent by the server is listed once and keeps its read
// state). It reports whether the notice is new.
func (rp *Replica) AddNotice(ctx context.Context, n Notice) (bool, error) {
	const q = `INSERT INTO notices (id, kind, dialog_id, message_id, actor_id, title, body, count, at, read)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`
	var added bool
	err := rp.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, n.ID, n.Kind, n.DialogID, n.MessageID, n.ActorID, n.Title, n.Body,
			max(n.Count, 1), millis(n.At), n.Read)
		if err != nil {
			return sqlError(q, err)
		}
		k, _ := res.RowsAffected()
		added = k > 0
		return nil
	})
	return added, err
}

// Notices returns up to limit notices, newest first, and how many are
// unread in all.
func (rp *Replica) Notices(ctx context.Context, limit int) ([]Notice, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	const q = `SELECT id, kind, dialog_id, message_id, actor_id, title, body, count, at, read
		FROM notices ORDER BY at DESC, id LIMIT ?`
	rows, err := rp.r.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, 0, sqlError(q, err)
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		var at int64
		if err := rows.Scan(&n.ID, &n.Kind, &n.DialogID, &n.MessageID, &n.ActorID, &n.Title, &n.Body, &n.Count, &at, &n.Read); err != nil {
			return nil, 0, sqlError(q, err)
		}
		n.At = time.UnixMilli(at).UTC()
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, sqlError(q, err)
	}
	unread, err := rp.UnreadNotices(ctx)
	return out, unread, err
}

// UnreadNotices counts the notices not read yet.
func (rp *Replica) UnreadNotices(ctx context.Context) (int, error) {
	const q = `SELECT count(*) FROM notices WHERE read = 0`
	var n int
	if err := rp.r.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, sqlError(q, err)
	}
	return n, nil
}

// MarkNoticesRead marks the given notices read; with no ids, every one.
// It returns how many changed.
func (rp *Replica) MarkNoticesRead(ctx context.Context, ids ...string) (int, error) {
	var changed int
	err := rp.write(ctx, func(tx *sql.Tx) error {
		if len(ids) == 0 {
			const q = `UPDATE notices SET read = 1 WHERE read = 0`
			res, err := tx.ExecContext(ctx, q)
			if err != nil {
				return sqlError(q, err)
			}
			k, _ := res.RowsAffected()
			changed = int(k)
			return nil
		}
		const q = `UPDATE notices SET read = 1 WHERE id = ? AND read = 0`
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, q, id)
			if err != nil {
				return sqlError(q, err)
			}
			k, _ := res.RowsAffected()
			changed += int(k)
		}
		return nil
	})
	return changed, err
}

// MarkDialogNoticesRead marks read every notice about a dialog: opening it
// settles them. It returns how many changed.
func (rp *Replica) MarkDialogNoticesRead(ctx context.Context, dialogID string) (int, error) {
	const q = `UPDATE notices SET read = 1 WHERE dialog_id = ? AND read = 0`
	var changed int
	err := rp.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, dialogID)
		if err != nil {
			return sqlError(q, err)
		}
		k, _ := res.RowsAffected()
		changed = int(k)
		return nil
	})
	return changed, err
}
