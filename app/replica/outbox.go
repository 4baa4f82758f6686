package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// OutboxState is where a queued command stands.
type OutboxState string

const (
	// OutboxPending: not yet answered by the server (never sent, or sent
	// without an answer); it is sent again with the same id, and the
	// server's idempotency makes that safe.
	OutboxPending OutboxState = "pending"
	// OutboxSent: the server accepted it.
	OutboxSent OutboxState = "sent"
	// OutboxRejected: the server refused it; its optimistic change was
	// rolled back.
	OutboxRejected OutboxState = "rejected"
)

// Optimistic is what a command changes in the replica before the server
// answers: a new version of its dialog, a new message, or both.
type Optimistic struct {
	Dialog  *inbox.Dialog
	Message *inbox.Message
}

// undo is what a rejection needs to put back, stored with the command.
type undo struct {
	DialogID string `json:"dialogId,omitempty"`
	// DialogData is the dialog before the command; DialogSeq the seq of
	// that version. A rollback restores it only while the row still has
	// that seq, i.e. the server has not sent a newer version meanwhile.
	DialogData json.RawMessage `json:"dialogData,omitempty"`
	DialogSeq  int64           `json:"dialogSeq,omitempty"`
	MessageID  string          `json:"messageId,omitempty"`
}

// Enqueue stores a command in the outbox and applies its optimistic change,
// in one transaction: either both happen or neither.
func (rp *Replica) Enqueue(ctx context.Context, cmd wire.CommandEnvelope, opt Optimistic) error {
	if cmd.ID == "" || cmd.Type == "" {
		return errors.New("enqueue: command needs an id and a type")
	}
	if cmd.IssuedAt.IsZero() {
		cmd.IssuedAt = time.Now()
	}
	return rp.write(ctx, func(tx *sql.Tx) error {
		var u undo
		if d := opt.Dialog; d != nil {
			u.DialogID = d.ID
			const q = `SELECT data, seq FROM dialogs WHERE id = ?`
			var data string
			err := tx.QueryRowContext(ctx, q, d.ID).Scan(&data, &u.DialogSeq)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return sqlError(q, err)
			}
			u.DialogData = json.RawMessage(data)
			if len(data) == 0 {
				u.DialogData = nil
			}
			if err := putDialog(ctx, tx, d, u.DialogSeq); err != nil {
				return err
			}
		}
		if m := opt.Message; m != nil {
			u.MessageID = m.ID
			if u.DialogID == "" {
				u.DialogID = m.DialogID
			}
			if m.Delivery == "" {
				m.Delivery = inbox.DeliveryPending
			}
			if err := putMessage(ctx, tx, m); err != nil {
				return err
			}
		}
		undoJSON, err := json.Marshal(u)
		if err != nil {
			return fmt.Errorf("encode undo: %w", err)
		}
		return exec(ctx, tx, `INSERT INTO outbox (id, type, payload, dialog_id, state, undo, issued_at)
			VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
			cmd.ID, cmd.Type, string(cmd.Payload), u.DialogID, string(undoJSON), cmd.IssuedAt.UnixMilli())
	})
}

// Pending returns up to limit unanswered commands, oldest first: the order
// the operator issued them, which is the order the server must run them.
func (rp *Replica) Pending(ctx context.Context, limit int) ([]wire.CommandEnvelope, error) {
	const q = `SELECT id, type, payload, issued_at FROM outbox WHERE state = 'pending' ORDER BY pos LIMIT ?`
	rows, err := rp.w.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var out []wire.CommandEnvelope
	for rows.Next() {
		var c wire.CommandEnvelope
		var payload string
		var issued int64
		if err := rows.Scan(&c.ID, &c.Type, &payload, &issued); err != nil {
			return nil, sqlError(q, err)
		}
		c.Payload = json.RawMessage(payload)
		c.IssuedAt = time.UnixMilli(issued).UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// OutboxEntry is one command of the outbox as the UI may list it.
type OutboxEntry struct {
	ID       string
	Type     string
	DialogID string
	State    OutboxState
	Code     string
	Message  string
}

// Outbox returns every command still in the outbox, oldest first.
func (rp *Replica) Outbox(ctx context.Context) ([]OutboxEntry, error) {
	const q = `SELECT id, type, dialog_id, state, code, message FROM outbox ORDER BY pos`
	rows, err := rp.r.QueryContext(ctx, q)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		if err := rows.Scan(&e.ID, &e.Type, &e.DialogID, &e.State, &e.Code, &e.Message); err != nil {
			return nil, sqlError(q, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Resolve records the server's answer to a command: accepted, or rejected
// with its optimistic change rolled back. It returns the command's dialog
// ("" when none) so the caller can tell the UI which row changed. An answer
// for a command not in the outbox is ignored.
func (rp *Replica) Resolve(ctx context.Context, res wire.CommandResult) (dialogID string, err error) {
	err = rp.write(ctx, func(tx *sql.Tx) error {
		const q = `SELECT dialog_id, undo, state FROM outbox WHERE id = ?`
		var undoJSON, state string
		err := tx.QueryRowContext(ctx, q, res.ID).Scan(&dialogID, &undoJSON, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return sqlError(q, err)
		}
		if OutboxState(state) != OutboxPending {
			return nil // answered before; a repeated answer changes nothing
		}
		if res.OK {
			return exec(ctx, tx, `UPDATE outbox SET state = 'sent', undo = '' WHERE id = ?`, res.ID)
		}
		var u undo
		if undoJSON != "" {
			if err := json.Unmarshal([]byte(undoJSON), &u); err != nil {
				return fmt.Errorf("decode undo of %s: %w", res.ID, err)
			}
		}
		if err := rollback(ctx, tx, u); err != nil {
			return fmt.Errorf("roll back %s: %w", res.ID, err)
		}
		return exec(ctx, tx, `UPDATE outbox SET state = 'rejected', code = ?, message = ?, undo = '' WHERE id = ?`,
			res.Code, res.Message, res.ID)
	})
	return dialogID, err
}

func rollback(ctx context.Context, tx *sql.Tx, u undo) error {
	if u.MessageID != "" {
		// Only a message the server never stored is ours to remove; once
		// the server sent it, it is no longer pending.
		const q = `SELECT rowid FROM messages WHERE id = ? AND delivery = 'pending'`
		var rowid int64
		err := tx.QueryRowContext(ctx, q, u.MessageID).Scan(&rowid)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return sqlError(q, err)
		default:
			if err := exec(ctx, tx, `DELETE FROM messages WHERE rowid = ?`, rowid); err != nil {
				return err
			}
			if err := exec(ctx, tx, `DELETE FROM messages_fts WHERE rowid = ?`, rowid); err != nil {
				return err
			}
		}
	}
	if u.DialogID == "" || len(u.DialogData) == 0 {
		return nil
	}
	const q = `SELECT seq FROM dialogs WHERE id = ?`
	var seq int64
	err := tx.QueryRowContext(ctx, q, u.DialogID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the server removed the dialog meanwhile
	}
	if err != nil {
		return sqlError(q, err)
	}
	if seq != u.DialogSeq {
		return nil // the server's newer version is already the truth
	}
	var d inbox.Dialog
	if err := json.Unmarshal(u.DialogData, &d); err != nil {
		return fmt.Errorf("decode saved dialog: %w", err)
	}
	return putDialog(ctx, tx, &d, seq)
}
