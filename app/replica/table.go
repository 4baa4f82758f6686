package replica

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"switchboard/inbox"
	"switchboard/wire"
)

// The supervisor's dialog table reads every dialog the replica holds (the
// server sends only what the signed-in person may see), filtered and sorted
// on any sortable column, one window at a time.

// TableQuery selects one window of the table.
type TableQuery struct {
	LineID     string // "" for every line
	OperatorID string // the assignee; "" for anyone, "-" for nobody
	Status     string // an inbox.Status; "" for any
	ChannelID  string
	// CreatedFrom and CreatedTo bound the creation time, unix ms; 0 is open.
	CreatedFrom, CreatedTo int64
	// Query narrows to clients whose name contains it, or to a dialog number.
	Query string
	Sort  string // a TableSorts key; "" sorts by number
	Desc  bool
	// Filters narrow on any column, all of them at once.
	Filters []ColumnFilter
	Offset  int
	Limit   int
}

// ErrBadQuery is returned for a table query naming what the table lacks.
var ErrBadQuery = errors.New("bad table query")

// span is the SQL of the time from one millisecond column to another, NULL
// until both are set (inbox.MetricsOf's rule).
func span(from, to string) string {
	return `CASE WHEN ` + from + ` > 0 AND ` + to + ` >= ` + from + ` THEN ` + to + ` - ` + from + ` END`
}

// TableSorts maps each sortable column of the table to its SQL over
// dialogs d and clients c. The spans follow inbox.MetricsOf.
var TableSorts = map[string]string{
	"number":           `d.number`,
	"type":             `d.outgoing`,
	"status":           `d.status`,
	"detailed":         `json_extract(d.data, '$.detailed')`,
	"client":           `c.name_folded`,
	"unread":           `coalesce(json_extract(d.data, '$.unread'), 0)`,
	"clientRating":     `json_extract(d.data, '$.clientRating')`,
	"supervisorRating": `json_extract(d.data, '$.supervisorRating')`,
	"operatorRating":   `json_extract(d.data, '$.operatorRating')`,
	"created":          `d.created_ms`,
	"queued":           `nullif(d.queued_at, 0)`,
	"firstAnswer":      `nullif(d.first_answer_ms, 0)`,
	"started":          `nullif(d.started_ms, 0)`,
	"lastMessage":      `nullif(d.last_message_at, 0)`,
	"closed":           `nullif(d.closed_at, 0)`,
	"modified":         `d.modified_ms`,
	"firstResponse":    `CASE WHEN d.outgoing = 0 THEN ` + span("d.created_ms", "d.first_answer_ms") + ` END`,
	"timeToStart":      span("d.created_ms", "d.started_ms"),
	"handling":         span("d.started_ms", "d.closed_at"),
	"duration":         span("d.created_ms", "d.closed_at"),
	// Response times as they happened (wall clock), NULL before the first
	// answer; the table shows them on the line's business hours.
	"responseTotal": `json_extract(d.data, '$.responses.totalMs')`,
	"responseAvg":   `json_extract(d.data, '$.responses.totalMs') / json_extract(d.data, '$.responses.count')`,
	"responseMax":   `json_extract(d.data, '$.responses.maxMs')`,
	// By the names people read, not the ids: see nameRank.
	"line":     `line`,
	"channel":  `channel`,
	"operator": `operator`,
}

// nameSorts are the sorts by an org entity's name: the entity kind and the
// dialog column holding its id.
var nameSorts = map[string]struct {
	kind wire.Kind
	col  string
}{
	"line":     {wire.KindLine, "d.line_id"},
	"channel":  {wire.KindChannel, "d.channel_id"},
	"operator": {wire.KindOperator, "d.assignee_id"},
}

// ColumnFilter narrows the table on one column: a text column to rows
// containing Text, a choice column to rows with one of Values, a number,
// time (unix ms) or duration (ms) column to Min..Max (either open).
type ColumnFilter struct {
	Column string   `json:"column"`
	Text   string   `json:"text,omitempty"`
	Values []string `json:"values,omitempty"`
	Min    *int64   `json:"min,omitempty"`
	Max    *int64   `json:"max,omitempty"`
}

// Filter kinds, as TableFilterKind answers them.
const (
	FilterText   = "text"
	FilterChoice = "choice"
	FilterRange  = "range"
)

// textFilters are the columns searched by "contains": the SQL of the
// value, compared folded (the client's name is stored folded).
var textFilters = map[string]string{
	"client":            `d.client_id IN (SELECT id FROM clients WHERE name_folded`,
	"supervisorComment": `lower(coalesce(json_extract(d.data, '$.supervisorComment'), ''))`,
}

// choiceFilters are the columns narrowed to a set of values: the SQL of
// the value a choice names. The operator's choice "-" is nobody; the
// type's are "incoming" and "outgoing"; tags are the dialog's tag ids.
var choiceFilters = map[string]string{
	"status":   `d.status`,
	"detailed": `coalesce(json_extract(d.data, '$.detailed'), '')`,
	"type":     `d.outgoing`,
	"channel":  `d.channel_id`,
	"line":     `d.line_id`,
	"operator": `d.assignee_id`,
	"tags":     ``,
}

// TableFilterKind says how a column is filtered: FilterText, FilterChoice,
// FilterRange (every other sortable column: numbers, times, durations),
// or "" when it is not.
func TableFilterKind(col string) string {
	if _, ok := textFilters[col]; ok {
		return FilterText
	}
	if _, ok := choiceFilters[col]; ok {
		return FilterChoice
	}
	if _, ok := TableSorts[col]; ok {
		return FilterRange
	}
	return ""
}

// maxChoices bounds one filter's values (a choice list, not a bulk query).
const maxChoices = 200

// columnFilter adds one column filter's condition.
func columnFilter(f ColumnFilter, add func(cond string, v ...any)) error {
	switch TableFilterKind(f.Column) {
	case FilterText:
		if s := strings.TrimSpace(f.Text); s != "" {
			cond := textFilters[f.Column] + ` LIKE ? ESCAPE '\'`
			if strings.HasSuffix(textFilters[f.Column], "name_folded") {
				cond += `)`
			}
			add(cond, "%"+likeEscape(fold(s))+"%")
		}
	case FilterChoice:
		if len(f.Values) == 0 {
			return nil
		}
		if len(f.Values) > maxChoices {
			return fmt.Errorf("%w: more than %d choices for %q", ErrBadQuery, maxChoices, f.Column)
		}
		args := make([]any, 0, len(f.Values))
		for _, v := range f.Values {
			switch {
			case f.Column == "type" && (v == "incoming" || v == "outgoing"):
				args = append(args, map[string]int{"incoming": 0, "outgoing": 1}[v])
			case f.Column == "type":
				return fmt.Errorf("%w: type is incoming or outgoing, not %q", ErrBadQuery, v)
			case f.Column == "operator" && v == "-":
				args = append(args, "")
			default:
				args = append(args, v)
			}
		}
		in := `(?` + strings.Repeat(`, ?`, len(args)-1) + `)`
		if f.Column == "tags" {
			// Not correlated: the tagged dialogs are listed once, and a few
			// of them drive the query by id.
			add(`d.id IN (SELECT dialog_id FROM dialog_tags WHERE tag_id IN `+in+`)`, args...)
		} else {
			add(choiceFilters[f.Column]+` IN `+in, args...)
		}
	case FilterRange:
		if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
			return fmt.Errorf("%w: the lowest %s is above the highest", ErrBadQuery, f.Column)
		}
		if _, byName := nameSorts[f.Column]; byName {
			return fmt.Errorf("%w: column %q has no range", ErrBadQuery, f.Column)
		}
		if f.Min != nil {
			add(`(`+TableSorts[f.Column]+`) >= ?`, *f.Min)
		}
		if f.Max != nil {
			add(`(`+TableSorts[f.Column]+`) <= ?`, *f.Max)
		}
	default:
		return fmt.Errorf("%w: column %q cannot be filtered", ErrBadQuery, f.Column)
	}
	return nil
}

// tableFilter returns the filter's SQL and its arguments; walk is the
// same filter with every term behind a unary plus, so that SQLite uses no
// index for it and walks the sort's index instead.
func tableFilter(q TableQuery) (string, []any, error) {
	where, _, args, err := tableFilters(q)
	return where, args, err
}

func tableFilters(q TableQuery) (where, walk string, args []any, err error) {
	conds := []string{"1 = 1"}
	args = []any{}
	add := func(cond string, v ...any) {
		conds = append(conds, cond)
		args = append(args, v...)
	}
	if q.LineID != "" {
		add(`d.line_id = ?`, q.LineID)
	}
	switch q.OperatorID {
	case "":
	case "-":
		add(`d.assignee_id = ''`)
	default:
		add(`d.assignee_id = ?`, q.OperatorID)
	}
	if q.Status != "" {
		add(`d.status = ?`, q.Status)
	}
	if q.ChannelID != "" {
		add(`d.channel_id = ?`, q.ChannelID)
	}
	if q.CreatedFrom > 0 {
		add(`d.created_ms >= ?`, q.CreatedFrom)
	}
	if q.CreatedTo > 0 {
		add(`d.created_ms < ?`, q.CreatedTo)
	}
	if s := strings.TrimSpace(q.Query); s != "" {
		number, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		if err != nil {
			number = -1
		}
		add(`(d.client_id IN (SELECT id FROM clients WHERE name_folded LIKE ? ESCAPE '\') OR d.number = ?)`, "%"+likeEscape(fold(s))+"%", number)
	}
	for _, f := range q.Filters {
		if err := columnFilter(f, add); err != nil {
			return "", "", nil, err
		}
	}
	plus := slices.Clone(conds)
	for i := 1; i < len(plus); i++ {
		plus[i] = "+" + plus[i]
	}
	return strings.Join(conds, " AND "), strings.Join(plus, " AND "), args, nil
}

// TableItem is one row of the table: the dialog and its client's name.
type TableItem struct {
	Dialog     inbox.Dialog
	ClientName string
}

// TableDialogs returns one window of the table and the number of dialogs
// the filter matches.
//
// Every sort walks an index (tableIndexes has one per sortable column,
// on exactly TableSorts' expression and the number): the window's ids
// come first, from the dialogs table alone unless the filter or sort needs
// the client, then the rows of those ids. Unmeasured values (NULL) sort
// last both ways, so a window is read from the measured rows, then from
// the rest by number; sorts by a name walk the entities in name order.
func (rp *Replica) TableDialogs(ctx context.Context, q TableQuery) ([]TableItem, int, error) {
	if err := rp.EnsureTableIndexes(ctx); err != nil {
		return nil, 0, err
	}
	if q.Sort == "" {
		q.Sort = "number"
	}
	key, ok := TableSorts[q.Sort]
	if !ok {
		return nil, 0, fmt.Errorf("%w: no sortable column %q", ErrBadQuery, q.Sort)
	}
	where, walk, args, err := tableFilters(q)
	if err != nil {
		return nil, 0, err
	}
	from := ` FROM dialogs d WHERE ` + where
	dir := ` ASC`
	if q.Desc {
		dir = ` DESC`
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	offset := max(q.Offset, 0)
	w := tableWindow{rp: rp, from: from, args: args, dir: dir}
	if q.Sort == "client" {
		// The clients walked by folded name, each one's dialogs joined.
		w.keyFrom = ` FROM clients c CROSS JOIN dialogs d ON d.client_id = c.id WHERE ` + where
		key = `c.name_folded`
	}
	var ids []int64
	var total int
	if ns, ok := nameSorts[q.Sort]; ok {
		// The counts per name come from the filter's own indexes.
		ids, total, err = w.byName(ctx, ns.kind, ns.col, q.Desc, offset, limit)
	} else {
		countQ := `SELECT count(*)` + from
		if where == "1 = 1" {
			// Every dialog: the tabs' counters already hold the number.
			countQ = `SELECT coalesce(sum(n), 0) FROM dialog_counts`
		}
		if err := rp.r.QueryRowContext(ctx, countQ, args...).Scan(&total); err != nil {
			return nil, 0, sqlError(countQ, err)
		}
		if total > walkAbove {
			// Enough matches that the sort's index reaches the window
			// soon: walk it and test the filter on the way, rather
			// than sort every match.
			w.from = ` FROM dialogs d WHERE ` + walk
			if w.keyFrom != "" {
				w.keyFrom = ` FROM clients c CROSS JOIN dialogs d ON d.client_id = c.id WHERE ` + walk
			}
		}
		ids, err = w.byKey(ctx, key, offset, limit)
	}
	if err != nil {
		return nil, 0, err
	}
	items, err := rp.tableItems(ctx, ids)
	return items, total, err
}

// walkAbove is the number of matching dialogs above which a window walks
// the sort's index and tests the filter per row; at or below it, SQLite
// finds the matches by the filter's indexes and sorts them (cheap for a
// few thousand rows, while a walk past a rare match would read them all).
const walkAbove = 2000

// tableWindow reads the ids of one window of the table.
type tableWindow struct {
	rp   *Replica
	from string // FROM ... WHERE filter
	// keyFrom, when set, is the FROM of the measured rows (the client
	// sort's join); the rest are read from from.
	keyFrom string
	args    []any
	dir     string
}

// ids returns the rowids of one window (rowids: the walk of an index on
// dialogs never reads a row it skips).
func (w tableWindow) ids(ctx context.Context, cond, order string, args []any, limit, offset int) ([]int64, error) {
	return w.idsFrom(ctx, w.from, cond, order, args, limit, offset)
}

func (w tableWindow) idsFrom(ctx context.Context, from, cond, order string, args []any, limit, offset int) ([]int64, error) {
	q := `SELECT d.rowid` + from + cond + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	rows, err := w.rp.r.QueryContext(ctx, q, append(append(append([]any{}, w.args...), args...), limit, offset)...)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, sqlError(q, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	return ids, nil
}

func (w tableWindow) count(ctx context.Context, from, cond string, args []any) (int, error) {
	q := `SELECT count(*)` + from + cond
	var n int
	if err := w.rp.r.QueryRowContext(ctx, q, append(append([]any{}, w.args...), args...)...).Scan(&n); err != nil {
		return 0, sqlError(q, err)
	}
	return n, nil
}

// byKey reads a window sorted by key: the measured rows by key and
// number, then the unmeasured by number.
func (w tableWindow) byKey(ctx context.Context, key string, offset, limit int) ([]int64, error) {
	keyFrom, rest := w.from, ` AND (`+key+`) IS NULL`
	if w.keyFrom != "" {
		keyFrom, rest = w.keyFrom, ` AND d.client_id NOT IN (SELECT id FROM clients)`
	}
	order := `(` + key + `)` + w.dir + `, d.number` + w.dir
	if key == `d.number` {
		order = `d.number` + w.dir
	}
	ids, err := w.idsFrom(ctx, keyFrom, ` AND (`+key+`) IS NOT NULL`, order, nil, limit, offset)
	if err != nil || len(ids) == limit {
		return ids, err
	}
	measured := offset + len(ids)
	if len(ids) == 0 {
		if measured, err = w.count(ctx, keyFrom, ` AND (`+key+`) IS NOT NULL`, nil); err != nil {
			return nil, err
		}
	}
	more, err := w.ids(ctx, rest, `d.number`+w.dir, nil, limit-len(ids), max(offset-measured, 0))
	return append(ids, more...), err
}

// byName reads a window sorted by the name of the line, channel or
// operator in col: each entity's dialogs by number, the entities in name
// order; dialogs naming none (nobody's) last. The counts per entity give
// the total and say where the window starts.
func (w tableWindow) byName(ctx context.Context, kind wire.Kind, col string, desc bool, offset, limit int) ([]int64, int, error) {
	const namesQ = `SELECT id FROM entities WHERE kind = ? ORDER BY lower(json_extract(data, '$.name')), id`
	order, err := w.rp.strings(ctx, namesQ, kind)
	if err != nil {
		return nil, 0, err
	}
	if desc {
		slices.Reverse(order)
	}
	countQ := `SELECT ` + col + `, count(*)` + w.from + ` GROUP BY ` + col
	args := w.args
	if col == "d.assignee_id" && w.from == ` FROM dialogs d WHERE 1 = 1` {
		// Every dialog: the tabs' counters hold them per assignee.
		countQ, args = `SELECT assignee_id, sum(n) FROM dialog_counts GROUP BY assignee_id`, nil
	}
	rows, err := w.rp.r.QueryContext(ctx, countQ, args...)
	if err != nil {
		return nil, 0, sqlError(countQ, err)
	}
	counts := map[string]int{}
	total := 0
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, 0, sqlError(countQ, err)
		}
		counts[id] = n
		total += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, sqlError(countQ, err)
	}
	var ids []int64
	skip := offset
	named := 0
	for _, id := range order {
		n := counts[id]
		named += n
		if n == 0 || len(ids) == limit {
			continue
		}
		if skip >= n {
			skip -= n
			continue
		}
		got, err := w.ids(ctx, ` AND `+col+` = ?`, `d.number`+w.dir, []any{id}, limit-len(ids), skip)
		if err != nil {
			return nil, 0, err
		}
		ids, skip = append(ids, got...), 0
	}
	if len(ids) < limit && total > named {
		in := `''`
		args := []any{}
		if len(order) > 0 {
			in = `?` + strings.Repeat(`, ?`, len(order)-1)
			for _, id := range order {
				args = append(args, id)
			}
		}
		got, err := w.ids(ctx, ` AND `+col+` NOT IN (`+in+`)`, `d.number`+w.dir, args, limit-len(ids), skip)
		if err != nil {
			return nil, 0, err
		}
		ids = append(ids, got...)
	}
	return ids, total, nil
}

// strings runs a query of one text column.
func (rp *Replica) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := rp.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, sqlError(q, err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	return out, nil
}

// tableItems reads the rows of the rowids, in their order.
func (rp *Replica) tableItems(ctx context.Context, ids []int64) ([]TableItem, error) {
	items := make([]TableItem, 0, len(ids))
	if len(ids) == 0 {
		return items, nil
	}
	q := `SELECT d.rowid, d.data, coalesce(c.name, '') FROM dialogs d LEFT JOIN clients c ON c.id = d.client_id WHERE d.rowid IN (?` +
		strings.Repeat(`, ?`, len(ids)-1) + `)`
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := rp.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	byID := make(map[int64]TableItem, len(ids))
	for rows.Next() {
		var id int64
		var data string
		var it TableItem
		if err := rows.Scan(&id, &data, &it.ClientName); err != nil {
			return nil, sqlError(q, err)
		}
		if err := json.Unmarshal([]byte(data), &it.Dialog); err != nil {
			return nil, fmt.Errorf("decode dialog row: %w", err)
		}
		byID[id] = it
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	for _, id := range ids {
		if it, ok := byID[id]; ok {
			items = append(items, it)
		}
	}
	return items, nil
}

// TableOpenIDs returns the ids of the open dialogs (unassigned, in
// progress or snoozed) the table's filter matches, in the table's order
// by number, at most limit: what "select all" picks for a bulk action.
func (rp *Replica) TableOpenIDs(ctx context.Context, q TableQuery, limit int) ([]string, error) {
	if err := rp.EnsureTableIndexes(ctx); err != nil {
		return nil, err
	}
	where, args, err := tableFilter(q)
	if err != nil {
		return nil, err
	}
	idsQ := `SELECT d.id FROM dialogs d LEFT JOIN clients c ON c.id = d.client_id WHERE ` + where +
		` AND d.status IN (?, ?, ?) ORDER BY d.number DESC LIMIT ?`
	args = append(args, inbox.StatusUnassigned, inbox.StatusInProgress, inbox.StatusSnoozed, limit)
	rows, err := rp.r.QueryContext(ctx, idsQ, args...)
	if err != nil {
		return nil, sqlError(idsQ, err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, sqlError(idsQ, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(idsQ, err)
	}
	return ids, nil
}
