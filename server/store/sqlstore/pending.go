package sqlstore

import (
	"fmt"
	"strings"

	"switchboard/inbox"
)

// pending buffers a transaction's row writes and flushes them as
// multi-row upserts before commit: a batch of 200 inbound messages costs a
// handful of statements instead of a thousand round trips (what PostgreSQL
// over a socket pays for most). Reads that could see a buffered row look in
// the buffer first; reads the buffer cannot answer flush it first.
type pending struct {
	tables map[string]*pendingTable
	// Overlays for the reads on the inbound path.
	clients  map[string]*inbox.Client  // id -> client
	contacts map[string]string         // channel \x00 external id -> client id
	messages map[string]*inbox.Message // id -> message
	external map[string]string         // channel \x00 external id -> message id
	latest   map[string]*inbox.Dialog  // client \x00 channel -> newest buffered dialog
}

// pendingTable is one table's buffered rows, last write per key wins.
type pendingTable struct {
	cols     []string // key columns first
	keyCols  int
	conflict string // the ON CONFLICT target
	rows     [][]any
	index    map[string]int // key -> position in rows
}

// flushOrder is the order tables are written in (no foreign keys, but a
// stable order keeps statements cacheable).
var flushOrder = []string{"clients", "contacts", "dialogs", "messages", "dispatch", "message_files", "events", "notes", "tasks", "templates", "changes"}

func newPending() *pending {
	return &pending{
		tables:   map[string]*pendingTable{},
		clients:  map[string]*inbox.Client{},
		contacts: map[string]string{},
		messages: map[string]*inbox.Message{},
		external: map[string]string{},
		latest:   map[string]*inbox.Dialog{},
	}
}

func (p *pending) empty() bool {
	for _, tb := range p.tables {
		if len(tb.rows) > 0 {
			return false
		}
	}
	return true
}

// put buffers one row; vals line up with cols, the first keyCols of them
// form the key.
func (p *pending) put(table, conflict string, cols []string, keyCols int, vals []any) {
	tb := p.tables[table]
	if tb == nil {
		tb = &pendingTable{cols: cols, keyCols: keyCols, conflict: conflict, index: map[string]int{}}
		p.tables[table] = tb
	}
	var kb strings.Builder
	for _, v := range vals[:keyCols] {
		kb.WriteString(toKey(v))
		kb.WriteByte(0)
	}
	k := kb.String()
	if i, ok := tb.index[k]; ok {
		tb.rows[i] = vals
		return
	}
	tb.index[k] = len(tb.rows)
	tb.rows = append(tb.rows, vals)
}

func toKey(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// flushChunk is how many rows go into one INSERT: few enough that no
// database's parameter limit is near (21 columns x 200 = 4200).
const flushChunk = 200

// flush writes every buffered row and clears the buffer.
func (t *tx) flush() error {
	p := t.pend
	if p.empty() {
		return nil
	}
	for _, name := range flushOrder {
		tb := p.tables[name]
		if tb == nil || len(tb.rows) == 0 {
			continue
		}
		for from := 0; from < len(tb.rows); from += flushChunk {
			rows := tb.rows[from:min(from+flushChunk, len(tb.rows))]
			q, args := upsertSQL(name, tb, rows)
			if err := t.exec(q, args...); err != nil {
				return err
			}
		}
	}
	t.pend = newPending()
	// The overlays went with the buffer, so a prefetched snapshot would now
	// miss what was just written: drop it.
	t.pre = nil
	return nil
}

func upsertSQL(table string, tb *pendingTable, rows [][]any) (string, []any) {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(tb.cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(tb.cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(tb.cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	b.WriteString(" ON CONFLICT (" + tb.conflict + ") DO UPDATE SET ")
	keys := map[string]bool{}
	for _, k := range strings.Split(tb.conflict, ",") {
		keys[strings.TrimSpace(k)] = true
	}
	first := true
	for _, c := range tb.cols {
		if keys[c] {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(c + " = excluded." + c)
	}
	return b.String(), args
}
