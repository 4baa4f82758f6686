package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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
// answers: a new version of its dialog, a new message or a new version of
// one (an edit, a delete), or both; an org
// row (a template) put or removed; or, for the client card, a new version
// of a client, a new note, a new version of a task, or a task's removal
// (DeleteTask: its id); for commands on a client, its other dialogs; or
// new versions of messages it holds (their tags).
type Optimistic struct {
	Dialog  *inbox.Dialog
	Message *inbox.Message
	Entity  *EntityChange
	// ClearDraft removes the dialog's draft in the same transaction: the
	// draft was sent.
	ClearDraft bool

	// Client is a new version of a client (renamed, blacklisted, pinned,
	// or made by starting a dialog by phone).
	Client     *inbox.Client
	Note       *inbox.ClientNote
	Task       *inbox.ClientTask
	DeleteTask string
	// Others are dialogs the command changes besides Dialog (the client's
	// other dialogs a blacklist flags).
	Others []*inbox.Dialog

	// Messages are new versions of messages the replica holds (the tags a
	// command puts on them); one the replica lacks is left alone.
	Messages []*inbox.Message
}

// EntityChange puts or removes one org row, kept whole as JSON.
type EntityChange struct {
	Kind wire.Kind
	ID   string
	// Data is the new version; nil removes the row.
	Data json.RawMessage
}

// undo is what a rejection needs to put back, stored with the command.
type undo struct {
	DialogID string `json:"dialogId,omitempty"`
	// DialogData is the dialog before the command; DialogSeq the seq of
	// that version. A rollback restores it only while the row still has
	// that seq, i.e. the server has not sent a newer version meanwhile.
	DialogData json.RawMessage `json:"dialogData,omitempty"`
	DialogSeq  int64           `json:"dialogSeq,omitempty"`
	// DialogNew: the command made the dialog (an outgoing dialog); a
	// rollback removes it unless the server has sent it meanwhile.
	DialogNew bool   `json:"dialogNew,omitempty"`
	MessageID string `json:"messageId,omitempty"`
	// MessageBefore is a changed message as it was before the command;
	// MessageAfter as the command left it. A rollback restores the before
	// only while the row still holds the after (the server has not sent a
	// newer version meanwhile). Both are empty for a new message.
	MessageBefore json.RawMessage `json:"messageBefore,omitempty"`
	MessageAfter  json.RawMessage `json:"messageAfter,omitempty"`
	// Entity names the org row the command put or removed; EntityBefore
	// is the row before (absent: there was none), EntityAfter what the
	// command left (absent: removed). A rollback restores the row only
	// while it still is what the command left.
	Entity       *entityRef      `json:"entity,omitempty"`
	EntityBefore json.RawMessage `json:"entityBefore,omitempty"`
	EntityAfter  json.RawMessage `json:"entityAfter,omitempty"`
	// Rows are the client card's rows and the messages the command put or
	// removed.
	Rows []rowUndo `json:"rows,omitempty"`
	// Others are what Optimistic.Others replaced.
	Others []savedDialog `json:"others,omitempty"`
}

type entityRef struct {
	Kind wire.Kind `json:"kind"`
	ID   string    `json:"id"`
}

// rowUndo puts back one row of clients, notes, tasks or messages: Before
// is the row before the command (empty: there was none), After what the
// command left (empty: it removed the row). A rollback restores Before only while the
// row still holds After: once the server sent its own version, that is
// the truth.
type rowUndo struct {
	Table  string `json:"table"`
	ID     string `json:"id"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// Enqueue stores a command in the outbox and applies its optimistic change,
// in one transaction: either both happen or neither.
func (rp *Replica) Enqueue(ctx context.Context, cmd wire.CommandEnvelope, opt Optimistic) error {
	return rp.EnqueueAll(ctx, []Queued{{Command: cmd, Change: opt}})
}

// Queued is a command with its optimistic change.
type Queued struct {
	Command wire.CommandEnvelope
	Change  Optimistic
}

// EnqueueAll stores commands in the outbox, in order, and applies their
// optimistic changes, all in one transaction: a bulk action (every dialog
// of a tab marked read) costs one commit, and happens whole or not at all.
// Each command is still answered, and rolled back, on its own.
func (rp *Replica) EnqueueAll(ctx context.Context, cmds []Queued) error {
	for i := range cmds {
		if cmds[i].Command.ID == "" || cmds[i].Command.Type == "" {
			return errors.New("enqueue: command needs an id and a type")
		}
		if cmds[i].Command.IssuedAt.IsZero() {
			cmds[i].Command.IssuedAt = time.Now()
		}
	}
	return rp.write(ctx, func(tx *sql.Tx) error {
		for _, q := range cmds {
			if err := enqueue(ctx, tx, q.Command, q.Change); err != nil {
				return err
			}
		}
		return nil
	})
}

func enqueue(ctx context.Context, tx *sql.Tx, cmd wire.CommandEnvelope, opt Optimistic) error {
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
			u.DialogData, u.DialogNew = nil, true
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
		const q = `SELECT data FROM messages WHERE id = ?`
		var before string
		err := tx.QueryRowContext(ctx, q, m.ID).Scan(&before)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if m.Delivery == "" {
				m.Delivery = inbox.DeliveryPending
			}
		case err != nil:
			return sqlError(q, err)
		default:
			after, err := json.Marshal(m)
			if err != nil {
				return fmt.Errorf("encode message: %w", err)
			}
			u.MessageBefore, u.MessageAfter = json.RawMessage(before), after
		}
		if err := putMessage(ctx, tx, m); err != nil {
			return err
		}
	}
	if opt.ClearDraft && u.DialogID != "" {
		if err := deleteDraft(ctx, tx, u.DialogID); err != nil {
			return err
		}
	}
	if e := opt.Entity; e != nil {
		before, err := entityData(ctx, tx, e.Kind, e.ID)
		if err != nil {
			return err
		}
		u.Entity, u.EntityBefore, u.EntityAfter = &entityRef{e.Kind, e.ID}, before, e.Data
		if err := putEntity(ctx, tx, e.Kind, e.ID, e.Data); err != nil {
			return err
		}
	}
	rows, err := putCardRows(ctx, tx, opt)
	if err != nil {
		return err
	}
	msgRows, err := putMessageRows(ctx, tx, opt.Messages)
	if err != nil {
		return err
	}
	u.Rows = append(rows, msgRows...)
	if u.DialogID == "" && len(opt.Messages) > 0 {
		u.DialogID = opt.Messages[0].DialogID
	}
	if err := enqueueMore(ctx, tx, opt, &u); err != nil {
		return err
	}
	undoJSON, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode undo: %w", err)
	}
	return exec(ctx, tx, `INSERT INTO outbox (id, type, payload, dialog_id, state, undo, issued_at)
		VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
		cmd.ID, cmd.Type, string(cmd.Payload), u.DialogID, string(undoJSON), cmd.IssuedAt.UnixMilli())
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
	if e := u.Entity; e != nil {
		now, err := entityData(ctx, tx, e.Kind, e.ID)
		if err != nil {
			return err
		}
		// The server's newer version (or its removal) is the truth.
		if sameJSON(now, u.EntityAfter) {
			if err := putEntity(ctx, tx, e.Kind, e.ID, u.EntityBefore); err != nil {
				return err
			}
		}
	}
	for i := len(u.Rows) - 1; i >= 0; i-- {
		if err := restoreRow(ctx, tx, u.Rows[i]); err != nil {
			return err
		}
	}
	if err := rollbackMore(ctx, tx, u); err != nil {
		return err
	}
	if len(u.MessageBefore) > 0 {
		if err := restoreMessage(ctx, tx, u); err != nil {
			return err
		}
	} else if u.MessageID != "" {
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
			if err := unindexMessage(ctx, tx, rowid); err != nil {
				return err
			}
			if err := exec(ctx, tx, `DELETE FROM message_tags WHERE message_id = ?`, u.MessageID); err != nil {
				return err
			}
		}
	}
	if u.DialogID == "" || (len(u.DialogData) == 0 && !u.DialogNew) {
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
	if u.DialogNew {
		return deleteDialog(ctx, tx, u.DialogID)
	}
	var d inbox.Dialog
	if err := json.Unmarshal(u.DialogData, &d); err != nil {
		return fmt.Errorf("decode saved dialog: %w", err)
	}
	return putDialog(ctx, tx, &d, seq)
}

// entityData returns an org row's JSON, nil when there is none.
func entityData(ctx context.Context, tx *sql.Tx, kind wire.Kind, id string) (json.RawMessage, error) {
	const q = `SELECT data FROM entities WHERE kind = ? AND id = ?`
	var data string
	err := tx.QueryRowContext(ctx, q, string(kind), id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqlError(q, err)
	}
	return json.RawMessage(data), nil
}

// putEntity stores an org row's JSON, or removes the row for nil data.
func putEntity(ctx context.Context, tx *sql.Tx, kind wire.Kind, id string, data json.RawMessage) error {
	if data == nil {
		return exec(ctx, tx, `DELETE FROM entities WHERE kind = ? AND id = ?`, string(kind), id)
	}
	if !json.Valid(data) {
		return fmt.Errorf("%s %s: data is not JSON", kind, id)
	}
	return exec(ctx, tx, `INSERT OR REPLACE INTO entities (kind, id, data) VALUES (?, ?, ?)`, string(kind), id, string(data))
}

// sameJSON reports whether two JSON documents (nil: none) hold the same
// value, however they were spaced or escaped.
func sameJSON(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// restoreMessage puts back a message an edit or delete changed, unless the
// server has sent a newer version since.
func restoreMessage(ctx context.Context, tx *sql.Tx, u undo) error {
	const q = `SELECT data FROM messages WHERE id = ?`
	var cur string
	err := tx.QueryRowContext(ctx, q, u.MessageID).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil // the server removed it meanwhile
	case err != nil:
		return sqlError(q, err)
	case cur != string(u.MessageAfter):
		return nil // the server's newer version is already the truth
	}
	var m inbox.Message
	if err := json.Unmarshal(u.MessageBefore, &m); err != nil {
		return fmt.Errorf("decode saved message: %w", err)
	}
	return putMessage(ctx, tx, &m)
}
