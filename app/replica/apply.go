package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
	// Templates is true when a quick reply was put or removed (they are
	// org rows, but touch no dialog row, so Org stays false for them).
	Templates bool
	// LastSeq is the replica's last applied seq after the batch.
	LastSeq int64
	// Reset is true when the batch held a resync: the operator's sight
	// changed wholesale, so the replica dropped what the server had sent
	// (keeping its owner and outbox), is back at seq 0, and the caller must
	// pull again from 0. The batch's changes after the resync were not
	// applied.
	Reset bool
	// Dialogs and Messages say what happened to each dialog and message the
	// batch put, in order, for those who judge changes (the alert policy):
	// a dialog's state before and after, whether a message is new here.
	Dialogs  []DialogChange
	Messages []MessageChange
	// Events are the dialog log entries the batch put: who did what.
	Events []*inbox.DialogEvent
	// Clients is true when a client, a note or a task changed: the
	// client cards and the Important tab are to be read again.
	Clients bool
}

// DialogHead is what a dialog's row said before a change: enough to tell
// whether the dialog entered a queue or changed hands.
type DialogHead struct {
	// Exists is false when the replica did not hold the dialog: it is new,
	// or it just came into the operator's sight.
	Exists     bool
	Status     inbox.Status
	LineID     string
	AssigneeID string
}

// DialogChange is one dialog put by a batch.
type DialogChange struct {
	Before DialogHead
	After  *inbox.Dialog
}

// MessageChange is one message put by a batch.
type MessageChange struct {
	Message *inbox.Message
	// New is true when the replica did not hold the message before: false
	// for an edit, a delivery update or a re-sent copy.
	New bool
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
	return rp.apply(ctx, changes, len(changes) >= bulkMin)
}

// bulkMin is how many changes make a batch worth the bulk path (a pull
// page; see applyBulk): a live frame of a few changes goes change by change.
const bulkMin = 64

// apply is Apply, change by change or in bulk: both leave the same replica
// and report the same Applied.
func (rp *Replica) apply(ctx context.Context, changes []wire.Change, bulk bool) (Applied, error) {
	var out Applied
	err := rp.write(ctx, func(tx *sql.Tx) error {
		last, err := getMeta(ctx, tx, metaLastSeq)
		if err != nil {
			return err
		}
		seq, _ := strconv.ParseInt(last, 10, 64)
		if v, err := getMeta(ctx, tx, metaSearchDeferred); err != nil {
			return err
		} else if v != "" {
			ctx = context.WithValue(ctx, searchDeferred{}, true)
		}
		var reset bool
		if bulk {
			seq, reset, err = applyBulk(ctx, tx, changes, seq, &out)
		} else {
			seq, reset, err = applyEach(ctx, tx, changes, seq, &out)
		}
		if err != nil || reset {
			if reset {
				out = Applied{Org: true, Reset: true}
			}
			return err
		}
		out.LastSeq = seq
		return setMeta(ctx, tx, metaLastSeq, strconv.FormatInt(seq, 10))
	})
	return out, err
}

// applyEach applies the changes after seq one at a time and returns the
// last seq applied, or reset when a resync emptied the replica.
func applyEach(ctx context.Context, tx *sql.Tx, changes []wire.Change, seq int64, out *Applied) (int64, bool, error) {
	seen := map[string]bool{}
	for _, c := range changes {
		if c.Seq <= seq {
			continue
		}
		if c.Kind == wire.KindResync {
			reset, err := resync(ctx, tx, c)
			if err != nil {
				return 0, false, changeError(c, err)
			}
			if reset {
				return 0, true, nil
			}
			seq = c.Seq
			continue
		}
		dialogID, org, err := applyOne(ctx, tx, c, out)
		if err != nil {
			return 0, false, changeError(c, err)
		}
		if dialogID != "" && !seen[dialogID] {
			seen[dialogID] = true
			out.DialogIDs = append(out.DialogIDs, dialogID)
		}
		out.Org = out.Org || org
		seq = c.Seq
	}
	return seq, false, nil
}

func changeError(c wire.Change, err error) error {
	return fmt.Errorf("apply change %d (%s %s %s): %w", c.Seq, c.Op, c.Kind, c.ID, err)
}

// Baseline records that a pull from seq 0 is under way whose first page
// reported head: the server read the operator's sight after every change
// up to head was committed, so a resync at or below head is already
// reflected in what this pull brings. The pull fills the dialogs table
// without its secondary indexes (see deferIndexes) and leaves the
// messages' search index alone; FinishPull makes the indexes at its end
// and hands the search index to the builder. It does nothing once the
// replica has applied anything.
func (rp *Replica) Baseline(ctx context.Context, head int64) error {
	return rp.write(ctx, func(tx *sql.Tx) error {
		last, err := getMeta(ctx, tx, metaLastSeq)
		if err != nil || (last != "" && last != "0") {
			return err
		}
		if err := setMeta(ctx, tx, metaSearchDeferred, "1"); err != nil {
			return err
		}
		if err := dropSearchBuild(ctx, tx); err != nil {
			return err
		}
		if err := deferIndexes(ctx, tx); err != nil {
			return err
		}
		return setMeta(ctx, tx, metaResyncBase, strconv.FormatInt(head, 10))
	})
}

// FinishPull ends a pull. When the pull was from 0 (see Baseline), it
// makes the indexes the pull deferred (see deferIndexes) — the inbox is
// then as quick as ever — and leaves the messages' search index to the
// builder, which fills it in the background, newest messages first
// (searchbuild.go): filling it here, in one pass, was 16–21 s of a
// 35–41 s bootstrap of a million messages (bench/README.md, the sixth
// pass). Search meanwhile finds the messages
// indexed so far (SearchIndexing says how far). Both in one transaction.
// It does nothing otherwise.
func (rp *Replica) FinishPull(ctx context.Context) error {
	var restored, build bool
	err := rp.write(ctx, func(tx *sql.Tx) error {
		v, err := getMeta(ctx, tx, metaSearchDeferred)
		if err != nil {
			return err
		}
		if v != "" {
			if build, err = startSearchBuild(ctx, tx); err != nil {
				return err
			}
			if err := exec(ctx, tx, `DELETE FROM meta WHERE key = ?`, metaSearchDeferred); err != nil {
				return err
			}
		}
		restored, err = restoreIndexes(ctx, tx)
		return err
	})
	if err == nil && restored {
		rp.replanReads()
	}
	if err == nil && build {
		signal(rp.toBuild)
	}
	return err
}

// fillMessageSearch indexes every message's text (searchText of it, in
// SQL: no call into Go per message): migration 10 fills the index with
// it; the builder fills it a chunk at a time with the same statement
// (fillSearchChunk).
var fillMessageSearch = `INSERT INTO messages_fts (rowid, text)
	SELECT rowid, ` + searchTextSQL(`json_extract(data, '$.text')`) + ` FROM messages
	WHERE coalesce(json_extract(data, '$.text'), '') <> '' AND json_extract(data, '$.deletedAt') IS NULL;`

// setAutomerge is the statement that sets how many segments of a level
// make a search index merge them while a write commits (0: never; the
// merger does, see mergeSearch).
func setAutomerge(table string, n int) string {
	return fmt.Sprintf(`INSERT INTO %s (%s, rank) VALUES ('automerge', %d);`, table, table, n)
}

// clearSearch is the statement that empties a search index.
func clearSearch(table string) string {
	return `INSERT INTO ` + table + ` (` + table + `) VALUES ('delete-all');`
}

// searchDeferred marks a context whose writes leave the messages' search
// index alone: a pull from 0 is under way (see FinishPull).
type searchDeferred struct{}

func deferringSearch(ctx context.Context) bool { return ctx.Value(searchDeferred{}) != nil }

// resync handles a resync entry: stale (at or below the baseline) it is
// skipped; otherwise the synced rows go, the replica is back at seq 0 and
// the entry's seq becomes the baseline, since the pull that follows starts
// after it was committed. The outbox stays: the operator's unsent work
// goes out all the same.
func resync(ctx context.Context, tx *sql.Tx, c wire.Change) (reset bool, err error) {
	v, err := getMeta(ctx, tx, metaResyncBase)
	if err != nil {
		return false, err
	}
	base, _ := strconv.ParseInt(v, 10, 64)
	if c.Seq <= base {
		return false, nil
	}
	if err := clearTables(ctx, tx, syncedTables); err != nil {
		return false, err
	}
	if err := setMeta(ctx, tx, metaResyncBase, strconv.FormatInt(c.Seq, 10)); err != nil {
		return false, err
	}
	if err := dropSearchBuild(ctx, tx); err != nil {
		return false, err
	}
	return true, setMeta(ctx, tx, metaLastSeq, "0")
}

// applyOne applies one change and reports which dialog it touched and
// whether it was an org row.
func applyOne(ctx context.Context, tx *sql.Tx, c wire.Change, out *Applied) (dialogID string, org bool, err error) {
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
		if err := isObject(c.Data); err != nil {
			return "", false, fmt.Errorf("decode dialog: %w", err)
		}
		if err := json.Unmarshal(c.Data, &d); err != nil {
			return "", false, fmt.Errorf("decode dialog: %w", err)
		}
		before, err := dialogHead(ctx, tx, d.ID)
		if err != nil {
			return "", false, err
		}
		out.Dialogs = append(out.Dialogs, DialogChange{Before: before, After: &d})
		return d.ID, false, putDialogData(ctx, tx, &d, c.Seq, string(c.Data))
	case wire.KindMessage:
		if del {
			id, err := deleteMessage(ctx, tx, c.ID)
			return id, false, err
		}
		var m inbox.Message
		if err := isObject(c.Data); err != nil {
			return "", false, fmt.Errorf("decode message: %w", err)
		}
		if err := json.Unmarshal(c.Data, &m); err != nil {
			return "", false, fmt.Errorf("decode message: %w", err)
		}
		isNew, err := putMessageData(ctx, tx, &m, string(c.Data))
		out.Messages = append(out.Messages, MessageChange{Message: &m, New: isNew})
		return m.DialogID, false, err
	case wire.KindEvent:
		if del {
			return "", false, exec(ctx, tx, `DELETE FROM events WHERE id = ?`, c.ID)
		}
		var e inbox.DialogEvent
		if err := isObject(c.Data); err != nil {
			return "", false, fmt.Errorf("decode event: %w", err)
		}
		if err := json.Unmarshal(c.Data, &e); err != nil {
			return "", false, fmt.Errorf("decode event: %w", err)
		}
		out.Events = append(out.Events, &e)
		return e.DialogID, false, exec(ctx, tx,
			`INSERT OR REPLACE INTO events (id, dialog_id, at, data) VALUES (?, ?, ?, ?)`,
			e.ID, e.DialogID, millis(e.At), string(c.Data))
	case wire.KindClient:
		out.Clients = true
		if del {
			return "", false, deleteClient(ctx, tx, c.ID)
		}
		var cl inbox.Client
		if err := isObject(c.Data); err != nil {
			return "", false, fmt.Errorf("decode client: %w", err)
		}
		if err := json.Unmarshal(c.Data, &cl); err != nil {
			return "", false, fmt.Errorf("decode client: %w", err)
		}
		return "", false, putClient(ctx, tx, &cl, c.Data)
	case wire.KindNote:
		if del {
			_, err := deleteRow(ctx, tx, "notes", c.ID)
			out.Clients = true
			return "", false, err
		}
		var n inbox.ClientNote
		if err := json.Unmarshal(c.Data, &n); err != nil {
			return "", false, fmt.Errorf("decode note: %w", err)
		}
		out.Clients = true
		return "", false, putNote(ctx, tx, &n, c.Data)
	case wire.KindTask:
		if del {
			_, err := deleteRow(ctx, tx, "tasks", c.ID)
			out.Clients = true
			return "", false, err
		}
		var k inbox.ClientTask
		if err := json.Unmarshal(c.Data, &k); err != nil {
			return "", false, fmt.Errorf("decode task: %w", err)
		}
		out.Clients = true
		return "", false, putTask(ctx, tx, &k, c.Data)
	case wire.KindTemplate:
		out.Templates = true
		if del {
			return "", false, putEntity(ctx, tx, c.Kind, c.ID, nil)
		}
		return "", false, putEntity(ctx, tx, c.Kind, c.ID, c.Data)
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

// isObject says whether data is a JSON object, as every entity is: a put
// of a dialog, message, event or client stores its data as sent, which
// must not be null or a bare value even when it decodes into a struct.
func isObject(data []byte) error {
	for _, b := range data {
		switch b {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return nil
		}
		return errors.New("not a JSON object")
	}
	return errors.New("not a JSON object")
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

// The dialog row's columns, for putDialog and the bulk path. An upsert,
// not INSERT OR REPLACE: the tab counters' triggers see an update as one
// (REPLACE's hidden delete fires no trigger).
const (
	dialogColumns = 19
	dialogInsert  = `INSERT INTO dialogs
		(id, client_id, line_id, status, assignee_id, closed_by_id, blacklisted, queued_at, last_message_at, closed_at, seq, data,
			number, channel_id, outgoing, created_ms, first_answer_ms, started_ms, modified_ms)
		VALUES `
	dialogUpsert = `
		ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, line_id = excluded.line_id, status = excluded.status,
			assignee_id = excluded.assignee_id, closed_by_id = excluded.closed_by_id, blacklisted = excluded.blacklisted,
			queued_at = excluded.queued_at, last_message_at = excluded.last_message_at, closed_at = excluded.closed_at,
			seq = excluded.seq, data = excluded.data, number = excluded.number, channel_id = excluded.channel_id,
			outgoing = excluded.outgoing, created_ms = excluded.created_ms, first_answer_ms = excluded.first_answer_ms,
			started_ms = excluded.started_ms, modified_ms = excluded.modified_ms`
)

func dialogRow(d *inbox.Dialog, seq int64, data string) []any {
	return []any{d.ID, d.ClientID, d.LineID, string(d.Status), d.AssigneeID, d.ClosedByID, d.ClientBlacklisted,
		millis(d.QueuedAt), millis(d.LastMessageAt), millis(d.ClosedAt), seq, data,
		d.Number, d.ChannelID, d.Outgoing, jsonMillis(d.CreatedAt, false), jsonMillis(d.FirstAnswerAt, true),
		jsonMillis(d.StartedAt, true), jsonMillis(d.ModifiedAt, false)}
}

// jsonMillis is what msOf makes in SQL of the JSON the inbox types encode
// t as (migration 12 fills the columns with it): unix milliseconds rounded
// to the nearest, 0 when the field is absent — a zero time of an omitzero
// field — and a zero time otherwise encoded as year 1, as any other.
func jsonMillis(t time.Time, omitzero bool) int64 {
	if t.IsZero() && omitzero {
		return 0
	}
	// In seconds and nanoseconds: UnixNano overflows for year 1.
	return t.Unix()*1000 + (int64(t.Nanosecond())+500_000)/1_000_000
}

// putDialog stores a dialog of this build's making (an optimistic change),
// encoded here.
func putDialog(ctx context.Context, tx *sql.Tx, d *inbox.Dialog, seq int64) error {
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode dialog: %w", err)
	}
	return putDialogData(ctx, tx, d, seq, string(data))
}

// putDialogData stores d whose JSON is data: the server's JSON as sent for
// a synced dialog (the row keeps what the server said, as it does for
// clients, events and org rows; its columns come from d, decoded from it).
func putDialogData(ctx context.Context, tx *sql.Tx, d *inbox.Dialog, seq int64, data string) error {
	return exec(ctx, tx, rowsSQL(dialogInsert, dialogUpsert, dialogColumns, 1), dialogRow(d, seq, data)...)
}

// dialogHead reads the head of a dialog's row; Exists is false when there
// is none.
func dialogHead(ctx context.Context, tx *sql.Tx, id string) (DialogHead, error) {
	const q = `SELECT status, line_id, assignee_id FROM dialogs WHERE id = ?`
	var h DialogHead
	var status string
	err := tx.QueryRowContext(ctx, q, id).Scan(&status, &h.LineID, &h.AssigneeID)
	if errors.Is(err, sql.ErrNoRows) {
		return DialogHead{}, nil
	}
	if err != nil {
		return DialogHead{}, sqlError(q, err)
	}
	h.Exists, h.Status = true, inbox.Status(status)
	return h, nil
}

func deleteDialog(ctx context.Context, tx *sql.Tx, id string) error {
	// The messages below the builder's watermark are not in the index.
	below, err := searchBelow(ctx, tx)
	if err != nil {
		return err
	}
	if err := exec(ctx, tx, `DELETE FROM messages_fts WHERE rowid IN (SELECT rowid FROM messages WHERE dialog_id = ? AND rowid >= ?)`,
		id, below); err != nil {
		return err
	}
	steps := []string{
		`DELETE FROM message_tags WHERE message_id IN (SELECT id FROM messages WHERE dialog_id = ?)`,
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
	_, err := putMessageNew(ctx, tx, m)
	return err
}

// The message row's columns, for putMessageNew and the bulk path.
const (
	messageColumns = 8
	messageInsert  = `INSERT INTO messages (id, dialog_id, kind, author_id, created_at, delivery, data, client_id) VALUES `
	messageUpsert  = `
		ON CONFLICT (id) DO UPDATE SET dialog_id = excluded.dialog_id, kind = excluded.kind,
			author_id = excluded.author_id, created_at = excluded.created_at,
			delivery = excluded.delivery, data = excluded.data, client_id = excluded.client_id`
)

func messageRow(m *inbox.Message, data string) []any {
	return []any{m.ID, m.DialogID, string(m.Kind), m.AuthorID, millis(m.CreatedAt), string(m.Delivery), data, m.ClientID}
}

// putMessageNew stores a message of this build's making (encoded here)
// and reports whether the replica did not hold it before.
func putMessageNew(ctx context.Context, tx *sql.Tx, m *inbox.Message) (bool, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return false, fmt.Errorf("encode message: %w", err)
	}
	return putMessageData(ctx, tx, m, string(data))
}

// putMessageData stores m whose JSON is data (the server's as sent, for a
// synced message) and reports whether the replica did not hold it before.
// A new message costs one statement: the insert; a known one falls through
// to the upsert.
func putMessageData(ctx context.Context, tx *sql.Tx, m *inbox.Message, data string) (bool, error) {
	row := messageRow(m, data)
	insert := rowsSQL(messageInsert, ` ON CONFLICT (id) DO NOTHING RETURNING rowid`, messageColumns, 1)
	var rowid int64
	err := tx.QueryRowContext(ctx, insert, row...).Scan(&rowid)
	switch {
	case err == nil:
		if err := tagMessage(ctx, tx, m, false); err != nil {
			return false, err
		}
		return true, indexMessage(ctx, tx, m, rowid, false)
	case !errors.Is(err, sql.ErrNoRows):
		return false, sqlError(insert, err)
	}
	upsert := rowsSQL(messageInsert, messageUpsert+` RETURNING rowid`, messageColumns, 1)
	if err := tx.QueryRowContext(ctx, upsert, row...).Scan(&rowid); err != nil {
		return false, sqlError(upsert, err)
	}
	if err := tagMessage(ctx, tx, m, true); err != nil {
		return false, err
	}
	return false, indexMessage(ctx, tx, m, rowid, true)
}

// indexMessage puts a message's text in the search index; known says an
// older version may be there. Below the builder's watermark it leaves the
// index to the builder (see searchKept).
func indexMessage(ctx context.Context, tx *sql.Tx, m *inbox.Message, rowid int64, known bool) error {
	if deferringSearch(ctx) {
		return nil
	}
	if kept, err := searchKept(ctx, tx, rowid, !known); err != nil || !kept {
		return err
	}
	if known {
		if err := exec(ctx, tx, `DELETE FROM messages_fts WHERE rowid = ?`, rowid); err != nil {
			return err
		}
	}
	if m.DeletedAt.IsZero() && m.Text != "" {
		return exec(ctx, tx, `INSERT INTO messages_fts (rowid, text) VALUES (?, ?)`, rowid, searchText(m.Text))
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
	if err := exec(ctx, tx, `DELETE FROM message_tags WHERE message_id = ?`, id); err != nil {
		return "", err
	}
	return dialogID, unindexMessage(ctx, tx, rowid)
}

// unindexMessage removes the entry of a deleted message from the search
// index, if it has one: below the builder's watermark it has none.
func unindexMessage(ctx context.Context, tx *sql.Tx, rowid int64) error {
	if kept, err := searchKept(ctx, tx, rowid, false); err != nil || !kept {
		return err
	}
	return exec(ctx, tx, `DELETE FROM messages_fts WHERE rowid = ?`, rowid)
}

// The client row's columns, for putClient and the bulk path.
const (
	clientInsert = `INSERT INTO clients (id, name, name_folded, blacklisted, data) VALUES `
	clientUpsert = `
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
			blacklisted = excluded.blacklisted, data = excluded.data`
)

func putClient(ctx context.Context, tx *sql.Tx, cl *inbox.Client, data []byte) error {
	upsert := rowsSQL(clientInsert, clientUpsert+` RETURNING rowid`, 5, 1)
	folded := fold(cl.Name())
	var rowid int64
	if err := tx.QueryRowContext(ctx, upsert, cl.ID, cl.Name(), folded, cl.Blacklisted, string(data)).Scan(&rowid); err != nil {
		return sqlError(upsert, err)
	}
	if err := exec(ctx, tx, `DELETE FROM clients_fts WHERE rowid = ?`, rowid); err != nil {
		return err
	}
	return exec(ctx, tx, `INSERT INTO clients_fts (rowid, name, contacts) VALUES (?, ?, ?)`, rowid, folded, contactTerms(cl.Contacts))
}

func deleteClient(ctx context.Context, tx *sql.Tx, id string) error {
	if err := exec(ctx, tx, `DELETE FROM clients_fts WHERE rowid IN (SELECT rowid FROM clients WHERE id = ?)`, id); err != nil {
		return err
	}
	return exec(ctx, tx, `DELETE FROM clients WHERE id = ?`, id)
}
