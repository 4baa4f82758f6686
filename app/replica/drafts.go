package replica

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Draft is what the operator started writing in a dialog and has not sent:
// kept in the replica, so it survives switching dialogs and restarting the
// app, and never leaves this desktop.
type Draft struct {
	DialogID  string
	Kind      string // outbound, comment or note; "" for the default
	Text      string
	ReplyToID string // the message the draft answers, "" for none
	UpdatedAt time.Time
}

// Empty reports whether the draft holds nothing worth keeping.
func (d Draft) Empty() bool { return d.Text == "" && d.ReplyToID == "" }

// SaveDraft keeps a dialog's draft; an empty one is removed.
func (rp *Replica) SaveDraft(ctx context.Context, d Draft) error {
	if d.DialogID == "" {
		return errors.New("save draft: no dialog")
	}
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = time.Now()
	}
	return rp.write(ctx, func(tx *sql.Tx) error {
		if d.Empty() {
			return deleteDraft(ctx, tx, d.DialogID)
		}
		return exec(ctx, tx, `INSERT INTO drafts (dialog_id, kind, text, reply_to_id, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (dialog_id) DO UPDATE SET kind = excluded.kind, text = excluded.text,
				reply_to_id = excluded.reply_to_id, updated_at = excluded.updated_at`,
			d.DialogID, d.Kind, d.Text, d.ReplyToID, millis(d.UpdatedAt))
	})
}

// Draft returns a dialog's draft; ok is false when there is none.
func (rp *Replica) Draft(ctx context.Context, dialogID string) (d Draft, ok bool, err error) {
	const q = `SELECT dialog_id, kind, text, reply_to_id, updated_at FROM drafts WHERE dialog_id = ?`
	var at int64
	err = rp.r.QueryRowContext(ctx, q, dialogID).Scan(&d.DialogID, &d.Kind, &d.Text, &d.ReplyToID, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Draft{}, false, nil
	case err != nil:
		return Draft{}, false, sqlError(q, err)
	}
	d.UpdatedAt = time.UnixMilli(at).UTC()
	return d, true, nil
}

func deleteDraft(ctx context.Context, tx *sql.Tx, dialogID string) error {
	return exec(ctx, tx, `DELETE FROM drafts WHERE dialog_id = ?`, dialogID)
}

// attachDrafts marks the rows of a page whose dialog has a draft. An
// operator keeps a handful of drafts, so they are read whole.
func (rp *Replica) attachDrafts(ctx context.Context, items []DialogItem) error {
	if len(items) == 0 {
		return nil
	}
	const q = `SELECT dialog_id, kind, text, reply_to_id, updated_at FROM drafts`
	rows, err := rp.r.QueryContext(ctx, q)
	if err != nil {
		return sqlError(q, err)
	}
	defer rows.Close()
	drafts := map[string]*Draft{}
	for rows.Next() {
		var d Draft
		var at int64
		if err := rows.Scan(&d.DialogID, &d.Kind, &d.Text, &d.ReplyToID, &at); err != nil {
			return sqlError(q, err)
		}
		d.UpdatedAt = time.UnixMilli(at).UTC()
		drafts[d.DialogID] = &d
	}
	if err := rows.Err(); err != nil {
		return sqlError(q, err)
	}
	for i := range items {
		items[i].Draft = drafts[items[i].ID]
	}
	return nil
}
