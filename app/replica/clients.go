package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"switchboard/inbox"
)

// The client card's rows: notes and tasks, written by Apply and by the
// outbox's optimistic changes alike.

func putNote(ctx context.Context, tx *sql.Tx, n *inbox.ClientNote, data []byte) error {
	return exec(ctx, tx, `INSERT OR REPLACE INTO notes (id, client_id, data) VALUES (?, ?, ?)`, n.ID, n.ClientID, string(data))
}

func putTask(ctx context.Context, tx *sql.Tx, k *inbox.ClientTask, data []byte) error {
	return exec(ctx, tx, `INSERT OR REPLACE INTO tasks (id, client_id, assignee_id, done, due_at, data) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, k.ClientID, k.AssigneeID, k.Done, millis(k.DueAt), string(data))
}

// deleteRow removes a note or a task and returns its client's id ("" when
// the row was not here).
func deleteRow(ctx context.Context, tx *sql.Tx, table, id string) (string, error) {
	q := `DELETE FROM ` + table + ` WHERE id = ? RETURNING client_id`
	var clientID string
	err := tx.QueryRowContext(ctx, q, id).Scan(&clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", sqlError(q, err)
	}
	return clientID, nil
}

// ClientTasks returns a client's tasks: open ones first, soonest due
// first, then the done ones.
func (rp *Replica) ClientTasks(ctx context.Context, clientID string) ([]inbox.ClientTask, error) {
	const q = `SELECT data FROM tasks WHERE client_id = ? ORDER BY done, due_at, id`
	rows, err := rp.r.QueryContext(ctx, q, clientID)
	if err != nil {
		return nil, sqlError(q, err)
	}
	return scanJSON[inbox.ClientTask](rows, q)
}

// ClientDialogs returns a page of a client's dialogs on every channel, the
// most recently active first, and how many there are.
func (rp *Replica) ClientDialogs(ctx context.Context, clientID string, offset, limit int) ([]inbox.Dialog, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 3
	}
	const cq = `SELECT count(*) FROM dialogs WHERE client_id = ?`
	var total int
	if err := rp.r.QueryRowContext(ctx, cq, clientID).Scan(&total); err != nil {
		return nil, 0, sqlError(cq, err)
	}
	const q = `SELECT data FROM dialogs WHERE client_id = ? ORDER BY last_message_at DESC, id DESC LIMIT ? OFFSET ?`
	rows, err := rp.r.QueryContext(ctx, q, clientID, limit, max(offset, 0))
	if err != nil {
		return nil, 0, sqlError(q, err)
	}
	ds, err := scanJSON[inbox.Dialog](rows, q)
	return ds, total, err
}

// HistoryCursor is where a page of a client's history ends: the oldest
// message it holds (time and row), so the next page starts right before
// it even when messages share a millisecond.
type HistoryCursor struct {
	At  int64 `json:"at"`
	Row int64 `json:"row"`
}

// ClientHistory is one page of a client's messages from every channel,
// oldest first.
type ClientHistory struct {
	Messages []inbox.Message
	// More is true when older messages exist; Next is the cursor for them.
	More bool
	Next HistoryCursor
}

// ClientHistory returns up to limit messages of the client's dialogs, on
// every channel the replica holds, before the cursor (zero: the newest).
// It walks the messages_client index, so a page costs a page of rows
// however long the client's history is.
func (rp *Replica) ClientHistory(ctx context.Context, clientID string, before HistoryCursor, limit int) (ClientHistory, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if before.At <= 0 {
		before = HistoryCursor{At: math.MaxInt64, Row: math.MaxInt64}
	}
	const q = `SELECT rowid, created_at, data FROM messages INDEXED BY messages_client
		WHERE client_id = ? AND (created_at < ? OR (created_at = ? AND rowid < ?))
		ORDER BY created_at DESC, rowid DESC LIMIT ?`
	rows, err := rp.r.QueryContext(ctx, q, clientID, before.At, before.At, before.Row, limit+1)
	if err != nil {
		return ClientHistory{}, sqlError(q, err)
	}
	defer rows.Close()
	var h ClientHistory
	for rows.Next() {
		var cur HistoryCursor
		var data string
		if err := rows.Scan(&cur.Row, &cur.At, &data); err != nil {
			return ClientHistory{}, sqlError(q, err)
		}
		if len(h.Messages) == limit {
			h.More = true
			break
		}
		var m inbox.Message
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			return ClientHistory{}, fmt.Errorf("decode message: %w", err)
		}
		h.Messages = append(h.Messages, m)
		h.Next = cur
	}
	if err := rows.Err(); err != nil {
		return ClientHistory{}, sqlError(q, err)
	}
	for i, j := 0, len(h.Messages)-1; i < j; i, j = i+1, j-1 {
		h.Messages[i], h.Messages[j] = h.Messages[j], h.Messages[i]
	}
	return h, nil
}

// ImportantClient is a client with open tasks of one operator due before
// a time: a row of the Important tab.
type ImportantClient struct {
	ClientID     string
	Name         string
	AvatarURL    string
	Tasks        int       // the open tasks due
	FirstDue     time.Time // the earliest of them
	FirstTask    string    // its text
	LastDialogID string    // the client's most recently active dialog ("" when none is in sight)
}

// ImportantClients lists the clients with open tasks of operator me due
// before until (the end of the operator's today), the longest overdue
// first.
func (rp *Replica) ImportantClients(ctx context.Context, me string, until time.Time) ([]ImportantClient, error) {
	const q = `SELECT t.client_id, count(*), min(t.due_at),
			(SELECT json_extract(t2.data, '$.text') FROM tasks t2 WHERE t2.client_id = t.client_id AND t2.assignee_id = ?
				AND t2.done = 0 ORDER BY t2.due_at, t2.id LIMIT 1),
			coalesce(c.name, ''), coalesce(json_extract(c.data, '$.avatarUrl'), ''),
			coalesce((SELECT d.id FROM dialogs d WHERE d.client_id = t.client_id ORDER BY d.last_message_at DESC, d.id DESC LIMIT 1), '')
		FROM tasks t INDEXED BY tasks_due LEFT JOIN clients c ON c.id = t.client_id
		WHERE t.assignee_id = ? AND t.done = 0 AND t.due_at < ?
		GROUP BY t.client_id ORDER BY min(t.due_at), t.client_id`
	rows, err := rp.r.QueryContext(ctx, q, me, me, millis(until))
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var out []ImportantClient
	for rows.Next() {
		var c ImportantClient
		var due int64
		var text sql.NullString
		if err := rows.Scan(&c.ClientID, &c.Tasks, &due, &text, &c.Name, &c.AvatarURL, &c.LastDialogID); err != nil {
			return nil, sqlError(q, err)
		}
		c.FirstDue, c.FirstTask = time.UnixMilli(due).UTC(), text.String
		out = append(out, c)
	}
	return out, sqlErrorOrNil(q, rows.Err())
}

// ImportantCount is how many clients the Important tab lists for me.
func (rp *Replica) ImportantCount(ctx context.Context, me string, until time.Time) (int, error) {
	const q = `SELECT count(DISTINCT client_id) FROM tasks INDEXED BY tasks_due WHERE assignee_id = ? AND done = 0 AND due_at < ?`
	var n int
	if err := rp.r.QueryRowContext(ctx, q, me, millis(until)).Scan(&n); err != nil {
		return 0, sqlError(q, err)
	}
	return n, nil
}

// putCardRows applies the client card's part of an optimistic change and
// returns how to undo it.
func putCardRows(ctx context.Context, tx *sql.Tx, opt Optimistic) ([]rowUndo, error) {
	var out []rowUndo
	put := func(table, id string, v any, write func(data []byte) error) error {
		before, err := rowData(ctx, tx, table, id)
		if err != nil {
			return err
		}
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", table, err)
		}
		out = append(out, rowUndo{Table: table, ID: id, Before: before, After: string(data)})
		return write(data)
	}
	if c := opt.Client; c != nil {
		if err := put("clients", c.ID, c, func(data []byte) error { return putClient(ctx, tx, c, data) }); err != nil {
			return nil, err
		}
	}
	if n := opt.Note; n != nil {
		if err := put("notes", n.ID, n, func(data []byte) error { return putNote(ctx, tx, n, data) }); err != nil {
			return nil, err
		}
	}
	if k := opt.Task; k != nil {
		if err := put("tasks", k.ID, k, func(data []byte) error { return putTask(ctx, tx, k, data) }); err != nil {
			return nil, err
		}
	}
	if id := opt.DeleteTask; id != "" {
		before, err := rowData(ctx, tx, "tasks", id)
		if err != nil {
			return nil, err
		}
		if before != "" {
			out = append(out, rowUndo{Table: "tasks", ID: id, Before: before})
			if _, err := deleteRow(ctx, tx, "tasks", id); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// rowData is a clients, notes or tasks row's JSON, "" when there is none.
func rowData(ctx context.Context, tx *sql.Tx, table, id string) (string, error) {
	q := `SELECT data FROM ` + table + ` WHERE id = ?`
	var data string
	err := tx.QueryRowContext(ctx, q, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", sqlError(q, err)
	}
	return data, nil
}

// restoreRow undoes one row of a rejected command, unless the server has
// written the row since.
func restoreRow(ctx context.Context, tx *sql.Tx, u rowUndo) error {
	now, err := rowData(ctx, tx, u.Table, u.ID)
	if err != nil || now != u.After {
		return err
	}
	if u.Before == "" {
		if u.Table == "clients" {
			return deleteClient(ctx, tx, u.ID)
		}
		_, err := deleteRow(ctx, tx, u.Table, u.ID)
		return err
	}
	data := []byte(u.Before)
	switch u.Table {
	case "clients":
		var c inbox.Client
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("decode saved client: %w", err)
		}
		return putClient(ctx, tx, &c, data)
	case "notes":
		var n inbox.ClientNote
		if err := json.Unmarshal(data, &n); err != nil {
			return fmt.Errorf("decode saved note: %w", err)
		}
		return putNote(ctx, tx, &n, data)
	case "tasks":
		var k inbox.ClientTask
		if err := json.Unmarshal(data, &k); err != nil {
			return fmt.Errorf("decode saved task: %w", err)
		}
		return putTask(ctx, tx, &k, data)
	case "messages":
		var m inbox.Message
		if err := json.Unmarshal(data, &m); err != nil {
			return fmt.Errorf("decode saved message: %w", err)
		}
		return putMessage(ctx, tx, &m)
	}
	return fmt.Errorf("restore %s %s: not a client card table", u.Table, u.ID)
}

// Task returns one task; the error wraps inbox.ErrNotFound when the
// replica does not hold it.
func (rp *Replica) Task(ctx context.Context, id string) (*inbox.ClientTask, error) {
	const q = `SELECT data FROM tasks WHERE id = ?`
	var data string
	err := rp.r.QueryRowContext(ctx, q, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("task %s: %w", id, inbox.ErrNotFound)
	}
	if err != nil {
		return nil, sqlError(q, err)
	}
	var k inbox.ClientTask
	if err := json.Unmarshal([]byte(data), &k); err != nil {
		return nil, fmt.Errorf("decode task %s: %w", id, err)
	}
	return &k, nil
}
