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
// dialog_data holds dialogs whose JSON alone changed (see writeDialog).
var flushOrder = []string{"clients", "contacts", "dialogs", "dialog_data", "messages", "dispatch", "message_files", "events", "notes", "tasks", "templates", "changes"}

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
	k := rowKey(vals[:keyCols])
	if i, ok := tb.index[k]; ok {
		tb.rows[i] = vals
		return
	}
	tb.index[k] = len(tb.rows)
	tb.rows = append(tb.rows, vals)
}

func rowKey(key []any) string {
	var kb strings.Builder
	for _, v := range key {
		kb.WriteString(toKey(v))
		kb.WriteByte(0)
	}
	return kb.String()
}

// has reports whether a row with this key is buffered for table.
func (p *pending) has(table string, key ...any) bool {
	tb := p.tables[table]
	if tb == nil {
		return false
	}
	_, ok := tb.index[rowKey(key)]
	return ok
}

// drop forgets the buffered row of table with this key, if any.
func (p *pending) drop(table string, key ...any) {
	tb := p.tables[table]
	if tb == nil {
		return
	}
	k := rowKey(key)
	i, ok := tb.index[k]
	if !ok {
		return
	}
	delete(tb.index, k)
	last := len(tb.rows) - 1
	if i != last {
		tb.rows[i] = tb.rows[last]
		tb.index[rowKey(tb.rows[i][:tb.keyCols])] = i
	}
	tb.rows = tb.rows[:last]
}

func toKey(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// flushChunk is how many rows go into one INSERT on SQLite: few enough
// that its parameter limit is never near (21 columns x 200 = 4200).
// PostgreSQL takes a table's rows as one array per column, in one
// statement whatever their number.
const flushChunk = 200

// flush writes every buffered row, then the statements in after, and
// clears the buffer. On PostgreSQL they all go in one round trip.
func (t *tx) flush(after ...stmt) error {
	p := t.pend
	before := t.preamble
	t.preamble = nil
	if p.empty() {
		return t.run(append(before, after...))
	}
	t.wrote.note(p)
	chunk := flushChunk
	if t.s.d.arrays {
		chunk = 1 << 30
	}
	stmts := before
	for _, name := range flushOrder {
		tb := p.tables[name]
		if tb == nil || len(tb.rows) == 0 {
			continue
		}
		for from := 0; from < len(tb.rows); from += chunk {
			rows := tb.rows[from:min(from+chunk, len(tb.rows))]
			q, args := upsertSQL(t.s.d, name, tb, rows)
			if name == "dialog_data" {
				q, args = dialogDataSQL(t.s.d, rows)
			}
			stmts = append(stmts, stmt{q, args})
		}
	}
	if err := t.run(append(stmts, after...)); err != nil {
		return err
	}
	t.pend = newPending()
	// The overlays went with the buffer, so a prefetched snapshot would now
	// miss what was just written: drop it.
	t.pre = nil
	return nil
}

// upsertSQL is the statement writing rows to table: on SQLite one row of
// values each; on PostgreSQL one array per column, unnested, so the
// statement's text is the same for any number of rows (prepared once per
// connection, planned in no time) instead of thousands of parameters.
func upsertSQL(d dialect, table string, tb *pendingTable, rows [][]any) (string, []any) {
	var b strings.Builder
	var args []any
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(tb.cols, ", ") + ") ")
	if d.arrays {
		b.WriteString("SELECT * FROM unnest(")
		args = make([]any, len(tb.cols))
		for c := range tb.cols {
			if c > 0 {
				b.WriteString(", ")
			}
			var typ string
			args[c], typ = column(rows, c)
			b.WriteString("?::" + typ)
		}
		b.WriteString(")")
	} else {
		b.WriteString("VALUES ")
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(tb.cols)), ", ") + ")"
		args = make([]any, 0, len(rows)*len(tb.cols))
		for i, r := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
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

// dialogDataSQL is the statement setting the JSON of dialogs whose other
// columns stay as they are.
func dialogDataSQL(d dialect, rows [][]any) (string, []any) {
	if d.arrays {
		ids, _ := column(rows, 0)
		data, _ := column(rows, 1)
		return `UPDATE dialogs SET data = r.data FROM unnest(?::text[], ?::text[]) AS r (id, data) WHERE dialogs.id = r.id`, []any{ids, data}
	}
	args := make([]any, 0, 2*len(rows))
	for _, r := range rows {
		args = append(args, r...)
	}
	return `UPDATE dialogs SET data = r.column2 FROM (VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?), ", len(rows)), ", ") +
		`) AS r WHERE dialogs.id = r.column1`, args
}

// column gathers column c of rows into one array and names its PostgreSQL
// type: text[] for strings, bigint[] for integers (stored into INTEGER
// columns by assignment). Every row of a table has the same Go types.
func column(rows [][]any, c int) (any, string) {
	switch rows[0][c].(type) {
	case string:
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = r[c].(string)
		}
		return out, "text[]"
	default:
		out := make([]int64, len(rows))
		for i, r := range rows {
			switch v := r[c].(type) {
			case int64:
				out[i] = v
			case int:
				out[i] = int64(v)
			default:
				panic(fmt.Sprintf("pending row: column %d holds a %T", c, v))
			}
		}
		return out, "bigint[]"
	}
}
