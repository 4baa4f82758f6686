package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"switchboard/inbox"
	"switchboard/wire"
)

// applyBulk applies the changes after seq as applyEach does, leaving the
// same rows (the same rowids, the same counters kept by triggers) and
// reporting the same Applied, with a few statements per page instead of a
// few per change: a pull page of 10,000 changes is mostly clients, dialogs,
// messages and events put once each.
//
// The page is decoded first, on every core. The puts of those four kinds
// are then gathered, kind by kind, and written by multi-row statements (in
// each kind's order, so duplicates upsert as they would one by one), until
// a change that may touch rows of another kind — the delete of one of
// them, a resync — flushes them in place; every other change (org rows,
// notes, tasks, deletes) goes through applyOne where it stands, since it
// touches no table the gathered puts write. What a change needs to know of
// the replica before it (a dialog's head, whether a message is new) is
// read for the whole gathered run at once and followed through it in Go.
func applyBulk(ctx context.Context, tx *sql.Tx, changes []wire.Change, seq int64, out *Applied) (int64, bool, error) {
	prep := decodePage(changes, !deferringSearch(ctx))
	b := &bulkRun{ctx: ctx, tx: tx, out: out}
	gatheredRows := 0
	seen := map[string]bool{}
	touch := func(dialogID string) {
		if dialogID != "" && !seen[dialogID] {
			seen[dialogID] = true
			out.DialogIDs = append(out.DialogIDs, dialogID)
		}
	}
	for i, c := range changes {
		if c.Seq <= seq {
			continue
		}
		if c.Op != wire.OpPut || !gathered(c.Kind) {
			if c.Kind == wire.KindResync || gathered(c.Kind) {
				if err := b.flush(); err != nil {
					return 0, false, err
				}
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
			touch(dialogID)
			out.Org = out.Org || org
			seq = c.Seq
			continue
		}
		p := prep.at(i)
		if p.err != nil {
			return 0, false, changeError(c, p.err)
		}
		switch v := p.v.(type) {
		case *inbox.Dialog:
			out.Dialogs = append(out.Dialogs, DialogChange{After: v})
			b.dialogs = append(b.dialogs, bulkDialog{d: v, data: p.data, seq: c.Seq, at: len(out.Dialogs) - 1})
			touch(v.ID)
		case *inbox.Message:
			out.Messages = append(out.Messages, MessageChange{Message: v})
			b.messages = append(b.messages, bulkMessage{m: v, data: p.data, indexed: p.indexed, folded: p.folded, at: len(out.Messages) - 1})
			touch(v.DialogID)
		case *inbox.DialogEvent:
			out.Events = append(out.Events, v)
			b.events = append(b.events, bulkEvent{e: v, data: p.data})
			touch(v.DialogID)
		case *inbox.Client:
			out.Clients = true
			b.clients = append(b.clients, bulkClient{cl: v, data: p.data, folded: p.folded})
		}
		seq = c.Seq
		// Written in runs, so SQLite works on one while the next decodes.
		if gatheredRows++; gatheredRows == flushRows {
			if err := b.flush(); err != nil {
				return 0, false, err
			}
			gatheredRows = 0
		}
	}
	return seq, false, b.flush()
}

// flushRows is how many gathered puts are written at once: small enough
// that the writes of one run overlap the decoding of the next, large
// enough that the statements stay long.
const flushRows = 2048

// gathered says whether applyBulk gathers the puts of kind.
func gathered(kind wire.Kind) bool {
	switch kind {
	case wire.KindDialog, wire.KindMessage, wire.KindEvent, wire.KindClient:
		return true
	}
	return false
}

// preparedChange is a gathered put, decoded: the value and the JSON its
// row stores — the server's as sent, as applyOne stores it (decoding
// checked it is JSON; re-encoding it was a third of a bootstrap's work).
type preparedChange struct {
	v    any
	data string
	// indexed says the search index is to hold a message's text; folded
	// is what it holds (searchText), or a client's name folded.
	indexed bool
	folded  string
	err     error
}

// pageDecoder decodes the gathered puts of a page on every core, a chunk
// at a time in order, ahead of the writer: JSON is most of a bootstrap's
// work in Go, and the writer waits only for the chunk it has reached while
// SQLite writes what it gathered from the ones before.
type pageDecoder struct {
	out   []preparedChange
	ready []chan struct{} // closed when the chunk's changes are decoded
}

// decodeChunk is how many changes a decoding step takes.
const decodeChunk = 256

func decodePage(changes []wire.Change, index bool) *pageDecoder {
	chunks := (len(changes) + decodeChunk - 1) / decodeChunk
	d := &pageDecoder{out: make([]preparedChange, len(changes)), ready: make([]chan struct{}, chunks)}
	for k := range d.ready {
		d.ready[k] = make(chan struct{})
	}
	var next atomic.Int64
	for range max(1, min(runtime.GOMAXPROCS(0), chunks)) {
		go func() {
			for {
				k := int(next.Add(1) - 1)
				if k >= chunks {
					return
				}
				for i := k * decodeChunk; i < min(len(changes), (k+1)*decodeChunk); i++ {
					if changes[i].Op == wire.OpPut && gathered(changes[i].Kind) {
						d.out[i] = decodeChange(changes[i], index)
					}
				}
				close(d.ready[k])
			}
		}()
	}
	return d
}

// at waits until change i is decoded and returns it.
func (d *pageDecoder) at(i int) *preparedChange {
	<-d.ready[i/decodeChunk]
	return &d.out[i]
}

// decodeChange decodes a gathered put; index says the search index is
// kept as changes come (not left alone during a pull from 0): a message's
// searchText is prepared here too.
func decodeChange(c wire.Change, index bool) preparedChange {
	if err := isObject(c.Data); err != nil {
		return preparedChange{err: fmt.Errorf("decode %s: %w", c.Kind, err)}
	}
	switch c.Kind {
	case wire.KindDialog:
		var d inbox.Dialog
		if err := json.Unmarshal(c.Data, &d); err != nil {
			return preparedChange{err: fmt.Errorf("decode dialog: %w", err)}
		}
		return preparedChange{v: &d, data: string(c.Data)}
	case wire.KindMessage:
		var m inbox.Message
		if err := json.Unmarshal(c.Data, &m); err != nil {
			return preparedChange{err: fmt.Errorf("decode message: %w", err)}
		}
		p := preparedChange{v: &m, data: string(c.Data)}
		if index && m.DeletedAt.IsZero() && m.Text != "" {
			p.indexed, p.folded = true, searchText(m.Text)
		}
		return p
	case wire.KindEvent:
		var e inbox.DialogEvent
		if err := json.Unmarshal(c.Data, &e); err != nil {
			return preparedChange{err: fmt.Errorf("decode event: %w", err)}
		}
		return preparedChange{v: &e, data: string(c.Data)}
	case wire.KindClient:
		var cl inbox.Client
		if err := json.Unmarshal(c.Data, &cl); err != nil {
			return preparedChange{err: fmt.Errorf("decode client: %w", err)}
		}
		return preparedChange{v: &cl, data: string(c.Data), folded: fold(cl.Name())}
	}
	return preparedChange{}
}

type (
	bulkDialog struct {
		d    *inbox.Dialog
		data string
		seq  int64
		at   int // in Applied.Dialogs
	}
	bulkMessage struct {
		m       *inbox.Message
		data    string
		indexed bool
		folded  string
		at      int // in Applied.Messages
	}
	bulkEvent struct {
		e    *inbox.DialogEvent
		data string
	}
	bulkClient struct {
		cl     *inbox.Client
		data   string
		folded string // fold of the name
	}
)

// bulkRun holds the gathered puts not yet written.
type bulkRun struct {
	ctx      context.Context
	tx       *sql.Tx
	out      *Applied
	dialogs  []bulkDialog
	messages []bulkMessage
	events   []bulkEvent
	clients  []bulkClient
}

// flush writes the gathered puts. The four kinds write disjoint tables, so
// their order among themselves does not matter; within a kind it is kept.
func (b *bulkRun) flush() error {
	for _, step := range []func() error{b.putClients, b.putDialogs, b.putMessages, b.putEvents} {
		if err := step(); err != nil {
			return fmt.Errorf("apply page: %w", err)
		}
	}
	b.dialogs, b.messages, b.events, b.clients = b.dialogs[:0], b.messages[:0], b.events[:0], b.clients[:0]
	return nil
}

func (b *bulkRun) putDialogs() error {
	if len(b.dialogs) == 0 {
		return nil
	}
	ids := make([]string, len(b.dialogs))
	for i, r := range b.dialogs {
		ids[i] = r.d.ID
	}
	heads, err := dialogHeads(b.ctx, b.tx, distinct(ids))
	if err != nil {
		return err
	}
	args := make([]any, 0, len(b.dialogs)*dialogColumns)
	for _, r := range b.dialogs {
		d := r.d
		b.out.Dialogs[r.at].Before = heads[d.ID]
		heads[d.ID] = DialogHead{Exists: true, Status: d.Status, LineID: d.LineID, AssigneeID: d.AssigneeID}
		args = append(args, dialogRow(d, r.seq, r.data)...)
	}
	return insertRows(b.ctx, b.tx, dialogInsert, dialogUpsert, dialogColumns, args)
}

// dialogHeads reads the heads of the dialogs of ids the replica holds.
func dialogHeads(ctx context.Context, tx *sql.Tx, ids []string) (map[string]DialogHead, error) {
	const q = `SELECT id, status, line_id, assignee_id FROM dialogs WHERE id IN (SELECT value FROM json_each(?))`
	list, _ := json.Marshal(ids)
	rows, err := tx.QueryContext(ctx, q, string(list))
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	heads := make(map[string]DialogHead, len(ids))
	for rows.Next() {
		var id, status string
		h := DialogHead{Exists: true}
		if err := rows.Scan(&id, &status, &h.LineID, &h.AssigneeID); err != nil {
			return nil, sqlError(q, err)
		}
		h.Status = inbox.Status(status)
		heads[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	return heads, nil
}

func (b *bulkRun) putMessages() error {
	if len(b.messages) == 0 {
		return nil
	}
	ids := make([]string, len(b.messages))
	for i, r := range b.messages {
		ids[i] = r.m.ID
	}
	ids = distinct(ids)
	before, err := rowids(b.ctx, b.tx, "messages", ids)
	if err != nil {
		return err
	}
	// A message is new unless the replica held it or an earlier put of the
	// run wrote it; a known one loses its tags and search entry first, and
	// keeps those of its last put.
	last := make(map[string]*bulkMessage, len(ids))
	var known []string
	clear := map[string]bool{}
	args := make([]any, 0, len(b.messages)*messageColumns)
	for i := range b.messages {
		r := &b.messages[i]
		m := r.m
		_, held := before[m.ID]
		_, put := last[m.ID]
		isNew := !held && !put
		b.out.Messages[r.at].New = isNew
		if !isNew && !clear[m.ID] {
			clear[m.ID] = true
			known = append(known, m.ID)
		}
		last[m.ID] = r
		args = append(args, messageRow(m, r.data)...)
	}
	if err := insertRows(b.ctx, b.tx, messageInsert, messageUpsert, messageColumns, args); err != nil {
		return err
	}
	if len(known) > 0 {
		const q = `DELETE FROM message_tags WHERE message_id IN (SELECT value FROM json_each(?))`
		list, _ := json.Marshal(known)
		if err := exec(b.ctx, b.tx, q, string(list)); err != nil {
			return err
		}
	}
	var tags []any
	for _, id := range ids {
		m := last[id].m
		var done []string
		for _, tag := range m.Tags {
			if tag == "" || slices.Contains(done, tag) {
				continue
			}
			done = append(done, tag)
			tags = append(tags, tag, m.DialogID, m.ID)
		}
	}
	if err := insertRows(b.ctx, b.tx, `INSERT INTO message_tags (tag_id, dialog_id, message_id) VALUES `, "", 3, tags); err != nil {
		return err
	}
	if deferringSearch(b.ctx) {
		return nil
	}
	after, err := rowids(b.ctx, b.tx, "messages", ids)
	if err != nil {
		return err
	}
	// Below the builder's watermark the index is the builder's to fill (see
	// searchKept): the lowest new row brings the watermark down to it.
	below, err := searchBelow(b.ctx, b.tx)
	if err != nil {
		return err
	}
	if below > 0 {
		lowest := below
		for _, id := range ids {
			if _, held := before[id]; !held {
				lowest = min(lowest, after[id])
			}
		}
		if _, err := lowerSearchBelow(b.ctx, b.tx, below, lowest, true); err != nil {
			return err
		}
		below = lowest
	}
	for _, id := range ids {
		if rowid, ok := before[id]; ok && rowid >= below {
			if err := exec(b.ctx, b.tx, `DELETE FROM messages_fts WHERE rowid = ?`, rowid); err != nil {
				return err
			}
		}
	}
	var index []any
	for _, id := range ids {
		if r := last[id]; r.indexed && after[id] >= below {
			index = append(index, after[id], r.folded)
		}
	}
	return insertRows(b.ctx, b.tx, `INSERT INTO messages_fts (rowid, text) VALUES `, "", 2, index)
}

func (b *bulkRun) putEvents() error {
	args := make([]any, 0, len(b.events)*4)
	for _, r := range b.events {
		args = append(args, r.e.ID, r.e.DialogID, millis(r.e.At), r.data)
	}
	return insertRows(b.ctx, b.tx, `INSERT OR REPLACE INTO events (id, dialog_id, at, data) VALUES `, "", 4, args)
}

func (b *bulkRun) putClients() error {
	if len(b.clients) == 0 {
		return nil
	}
	ids := make([]string, len(b.clients))
	for i, r := range b.clients {
		ids[i] = r.cl.ID
	}
	ids = distinct(ids)
	before, err := rowids(b.ctx, b.tx, "clients", ids)
	if err != nil {
		return err
	}
	last := make(map[string]*bulkClient, len(ids))
	args := make([]any, 0, len(b.clients)*5)
	for i := range b.clients {
		r := &b.clients[i]
		cl := r.cl
		last[cl.ID] = r
		args = append(args, cl.ID, cl.Name(), r.folded, cl.Blacklisted, r.data)
	}
	if err := insertRows(b.ctx, b.tx, clientInsert, clientUpsert, 5, args); err != nil {
		return err
	}
	for _, id := range ids {
		if rowid, ok := before[id]; ok {
			if err := exec(b.ctx, b.tx, `DELETE FROM clients_fts WHERE rowid = ?`, rowid); err != nil {
				return err
			}
		}
	}
	after, err := rowids(b.ctx, b.tx, "clients", ids)
	if err != nil {
		return err
	}
	index := make([]any, 0, len(ids)*3)
	for _, id := range ids {
		r := last[id]
		index = append(index, after[id], r.folded, contactTerms(r.cl.Contacts))
	}
	return insertRows(b.ctx, b.tx, `INSERT INTO clients_fts (rowid, name, contacts) VALUES `, "", 3, index)
}

// rowids reads the rowids of the rows of table (messages or clients) with
// the given ids.
func rowids(ctx context.Context, tx *sql.Tx, table string, ids []string) (map[string]int64, error) {
	q := `SELECT id, rowid FROM ` + table + ` WHERE id IN (SELECT value FROM json_each(?))`
	list, _ := json.Marshal(ids)
	rows, err := tx.QueryContext(ctx, q, string(list))
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	out := make(map[string]int64, len(ids))
	for rows.Next() {
		var id string
		var rowid int64
		if err := rows.Scan(&id, &rowid); err != nil {
			return nil, sqlError(q, err)
		}
		out[id] = rowid
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	return out, nil
}

// distinct returns ids without repeats, in the order they first appear.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// rowChunks are the sizes of the multi-row statements: a page is written
// by the largest that fit, so a handful of statement texts serve every
// page and stay prepared on the connection.
var rowChunks = []int{128, 16, 4, 1}

// insertRows runs head + VALUES rows + tail over args, cols values a row,
// in order.
func insertRows(ctx context.Context, tx *sql.Tx, head, tail string, cols int, args []any) error {
	for len(args) > 0 {
		rows := len(args) / cols
		n := rowChunks[len(rowChunks)-1]
		for _, size := range rowChunks {
			if size <= rows {
				n = size
				break
			}
		}
		if err := exec(ctx, tx, rowsSQL(head, tail, cols, n), args[:n*cols]...); err != nil {
			return err
		}
		args = args[n*cols:]
	}
	return nil
}

var rowsSQLs sync.Map // [3]any{head, tail, cols*1000+n} → string

// rowsSQL is head, n rows of cols placeholders and tail.
func rowsSQL(head, tail string, cols, n int) string {
	key := [3]any{head, tail, cols*1000 + n}
	if q, ok := rowsSQLs.Load(key); ok {
		return q.(string)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	q := head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + tail
	rowsSQLs.Store(key, q)
	return q
}
