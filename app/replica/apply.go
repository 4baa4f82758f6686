package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// Applied says what a batch of changes touched, for the UI's events.
type Applied struct {
	// DialogIDs are the dialogs whose row, messages or log changed.
	DialogIDs []string
	// Org is true when operators, lines, channels or other org rows changed.
	Org bool
	// LastSeq is the replica's last applied seq after the batch.
	LastSeq int64
}

// LastSeq is the seq of the newest change applied; 0 for a fresh replica.
func (rp *Replica) LastSeq(ctx context.Context) (int64, error) {
	v, err := getMeta(ctx, rp.w, metaLastSeq)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("replica last seq %q: %w", v, err)
	}
	return n, nil
}

// Apply stores a batch of changes and the newest seq among them in one
// transaction. Changes at or below the last applied seq are skipped, so a
// page pulled twice (a retry after a crash, a live frame that overlaps the
// pull) is applied once.
func (rp *Replica) Apply(ctx context.Context, changes []wire.Change) (Applied, error) {
	var out Applied
	err := rp.write(ctx, func(tx *sql.Tx) error {
		last, err := getMeta(ctx, tx, metaLastSeq)
		if err != nil {
			return err
		}
		seq, _ := strconv.ParseInt(last, 10, 64)
		seen := map[string]bool{}
		for _, c := range changes {
			if c.Seq <= seq {
				continue
			}
			dialogID, org, err := applyOne(ctx, tx, c)
			if err != nil {
				return fmt.Errorf("apply change %d (%s %s %s): %w", c.Seq, c.Op, c.Kind, c.ID, err)
			}
			if dialogID != "" && !seen[dialogID] {
				seen[dialogID] = true
				out.DialogIDs = append(out.DialogIDs, dialogID)
			}
			out.Org = out.Org || org
			seq = c.Seq
		}
		out.LastSeq = seq
		return setMeta(ctx, tx, metaLastSeq, strconv.FormatInt(seq, 10))
	})
	return out, err
}

// applyOne applies one change and reports which dialog it touched and
// whether it was an org row.
func applyOne(ctx context.Context, tx *sql.Tx, c wire.Change) (dialogID string, org bool, err error) {
	if c.Op != wire.OpPut && c.Op != wire.OpDel {
		return "", false, fmt.Errorf("unknown op %q", c.Op)
	}
	del := c.Op == wire.OpDel
	switch c.Kind {
	case wire.KindDialog:
		if del {
			return c.ID, false, deleteDialog(ctx, tx, c.ID)
		}
		var d inbox.Dialog
		if err := json.Unmarshal(c.Data, &d); err != nil {
			return "", false, fmt.Errorf("decode dialog: %w", err)
		}
		return d.ID, false, putDialog(ctx, tx, &d, c.Seq)
	case wire.KindMessage:
		if del {
			id, err := deleteMessage(ctx, tx, c.ID)
			return id, false, err
		}
		var m inbox.Message
		if err := json.Unmarshal(c.Data, &m); err != nil {
			return "", false, fmt.Errorf("decode message: %w", err)
		}
		return m.DialogID, false, putMessage(ctx, tx, &m)
	case wire.KindEvent:
		if del {
			return "", false, exec(ctx, tx, `DELETE FROM events WHERE id = ?`, c.ID)
		}
		var e inbox.DialogEvent
		if err := json.Unmarshal(c.Data, &e); err != nil {
			return "", false, fmt.Errorf("decode event: %w", err)
		}
		return e.DialogID, false, exec(ctx, tx,
			`INSERT OR REPLACE INTO events (id, dialog_id, at, data) VALUES (?, ?, ?, ?)`,
			e.ID, e.DialogID, millis(e.At), string(c.Data))
	case wire.KindClient:
		if del {
			return "", false, deleteClient(ctx, tx, c.ID)
		}
		var cl inbox.Client
		if err := json.Unmarshal(c.Data, &cl); err != nil {
			return "", false, fmt.Errorf("decode client: %w", err)
		}
		return "", false, putClient(ctx, tx, &cl, c.Data)
	case wire.KindNote:
		if del {
			return "", false, exec(ctx, tx, `DELETE FROM notes WHERE id = ?`, c.ID)
		}
		var n inbox.ClientNote
		if err := json.Unmarshal(c.Data, &n); err != nil {
			return "", false, fmt.Errorf("decode note: %w", err)
		}
		return "", false, exec(ctx, tx,
			`INSERT OR REPLACE INTO notes (id, client_id, data) VALUES (?, ?, ?)`, n.ID, n.ClientID, string(c.Data))
	default:
		// Org rows and kinds this build does not query yet are kept whole,
		// so a later build can read them without a fresh bootstrap.
		if del {
			return "", true, exec(ctx, tx, `DELETE FROM entities WHERE kind = ? AND id = ?`, string(c.Kind), c.ID)
		}
		if !json.Valid(c.Data) {
			return "", false, fmt.Errorf("data is not JSON")
		}
		return "", true, exec(ctx, tx,
			`INSERT OR REPLACE INTO entities (kind, id, data) VALUES (?, ?, ?)`, string(c.Kind), c.ID, string(c.Data))
	}
}

func exec(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return sqlError(query, err)
	}
	return nil
}

// millis is t as unix milliseconds, 0 for the zero time.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func putDialog(ctx context.Context, tx *sql.Tx, d *inbox.Dialog, seq int64) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode dialog: %w", err)
	}
	return exec(ctx, tx, `INSERT OR REPLACE INTO dialogs
		(id, client_id, line_id, status, assignee_id, closed_by_id, blacklisted, queued_at, last_message_at, closed_at, seq, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.ClientID, d.LineID, string(d.Status), d.AssigneeID, d.ClosedByID, d.ClientBlacklisted,
		millis(d.QueuedAt), millis(d.LastMessageAt), millis(d.ClosedAt), seq, string(data))
}

func deleteDialog(ctx context.Context, tx *sql.Tx, id string) error {
	steps := []string{
		`DELETE FROM messages_fts WHERE rowid IN (SELECT rowid FROM messages WHERE dialog_id = ?)`,
		`DELETE FROM messages WHERE dialog_id = ?`,
		`DELETE FROM events WHERE dialog_id = ?`,
		`DELETE FROM dialogs WHERE id = ?`,
	}
	for _, q := range steps {
		if err := exec(ctx, tx, q, id); err != nil {
			return err
		}
	}
	return nil
}

func putMessage(ctx context.Context, tx *sql.Tx, m *inbox.Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	const upsert = `INSERT INTO messages (id, dialog_id, kind, author_id, created_at, delivery, data)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET dialog_id = excluded.dialog_id, kind = excluded.kind,
			author_id = excluded.author_id, created_at = excluded.created_at,
			delivery = excluded.delivery, data = excluded.data
		RETURNING rowid`
	var rowid int64
	if err := tx.QueryRowContext(ctx, upsert, m.ID, m.DialogID, string(m.Kind), m.AuthorID,
		millis(m.CreatedAt), string(m.Delivery), string(data)).Scan(&rowid); err != nil {
		return sqlError(upsert, err)
	}
	if err := exec(ctx, tx, `DELETE FROM messages_fts WHERE rowid = ?`, rowid); err != nil {
		return err
	}
	if m.DeletedAt.IsZero() && m.Text != "" {
		return exec(ctx, tx, `INSERT INTO messages_fts (rowid, text) VALUES (?, ?)`, rowid, fold(m.Text))
	}
	return nil
}

// deleteMessage removes a message and returns its dialog's id ("" when the
// message was not here).
func deleteMessage(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	const q = `DELETE FROM messages WHERE id = ? RETURNING rowid, dialog_id`
	var rowid int64
	var dialogID string
	err := tx.QueryRowContext(ctx, q, id).Scan(&rowid, &dialogID)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", sqlError(q, err)
	}
	return dialogID, exec(ctx, tx, `DELETE FROM messages_fts WHERE rowid = ?`, rowid)
}

func putClient(ctx context.Context, tx *sql.Tx, cl *inbox.Client, data []byte) error {
	const upsert = `INSERT INTO clients (id, name, name_folded, blacklisted, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
			blacklisted = excluded.blacklisted, data = excluded.data
		RETURNING rowid`
	folded := fold(cl.Name())
	var rowid int64
	if err := tx.QueryRowContext(ctx, upsert, cl.ID, cl.Name(), folded, cl.Blacklisted, string(data)).Scan(&rowid); err != nil {
		return sqlError(upsert, err)
	}
	if err := exec(ctx, tx, `DELETE FROM clients_fts WHERE rowid = ?`, rowid); err != nil {
		return err
	}
	return exec(ctx, tx, `INSERT INTO clients_fts (rowid, name) VALUES (?, ?)`, rowid, folded)
}

func deleteClient(ctx context.Context, tx *sql.Tx, id string) error {
	if err := exec(ctx, tx, `DELETE FROM clients_fts WHERE rowid IN (SELECT rowid FROM clients WHERE id = ?)`, id); err != nil {
		return err
	}
	return exec(ctx, tx, `DELETE FROM clients WHERE id = ?`, id)
}
