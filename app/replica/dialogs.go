package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard/inbox"
)

// Tab is one of the operator's dialog lists.
type Tab string

const (
	TabUnassigned Tab = "unassigned" // a line's queue, without blacklisted clients
	TabMine       Tab = "mine"       // in progress, assigned to me (blacklisted clients left out)
	TabSnoozed    Tab = "snoozed"    // mine, snoozed (blacklisted clients left out)
	TabClosed     Tab = "closed"     // closed, last closed by me
	TabAll        Tab = "all"        // every dialog but blacklisted clients'
	TabBlacklist  Tab = "blacklist"  // blacklisted clients' dialogs
)

// Tabs lists every tab in the order the UI shows them.
var Tabs = []Tab{TabUnassigned, TabMine, TabSnoozed, TabClosed, TabAll, TabBlacklist}

// ErrUnknownTab is returned for a tab name this build does not know.
var ErrUnknownTab = errors.New("unknown tab")

// tabFilter returns the WHERE clause of a tab (over dialogs as d), its
// arguments and the ORDER BY that puts the dialog needing attention first.
func tabFilter(tab Tab, me string) (where string, args []any, order string, err error) {
	switch tab {
	case TabUnassigned:
		// The queue is served oldest first.
		return `d.status = 'unassigned' AND d.blacklisted = 0`, nil, `d.queued_at ASC, d.id`, nil
	case TabMine:
		// +d.blacklisted: not an index column to look up by, so the tab reads
		// dialogs_assignee (its status and order), never all of the
		// operator's dialogs through dialogs_assignee_recent.
		return `d.assignee_id = ? AND d.status = 'in_progress' AND +d.blacklisted = 0`, []any{me}, `d.last_message_at DESC, d.id DESC`, nil
	case TabSnoozed:
		return `d.assignee_id = ? AND d.status = 'snoozed' AND +d.blacklisted = 0`, []any{me}, `d.last_message_at DESC, d.id DESC`, nil
	case TabClosed:
		return `d.closed_by_id = ? AND d.status = 'closed'`, []any{me}, `d.closed_at DESC, d.id DESC`, nil
	case TabAll:
		return `d.blacklisted = 0`, nil, `d.last_message_at DESC, d.id DESC`, nil
	case TabBlacklist:
		return `d.blacklisted = 1`, nil, `d.last_message_at DESC, d.id DESC`, nil
	}
	return "", nil, "", fmt.Errorf("%w %q", ErrUnknownTab, tab)
}

// ListQuery selects one page of a tab.
type ListQuery struct {
	Tab    Tab
	LineID string // "" for every line
	// Filter narrows the tab further; its line, when set, as LineID does.
	Filter Filter
	// Query narrows the list to clients whose name contains it (folded
	// like the search index) or to the dialog whose number it is.
	Query  string
	Offset int
	Limit  int
}

// Filter is what the inbox's filter bar narrows a tab by. Every field set
// must match (they combine); an empty Filter matches every dialog. Saved
// filters keep one as JSON.
type Filter struct {
	LineID string `json:"lineId,omitempty"`
	// OperatorID is the assignee; "-" for dialogs nobody holds.
	OperatorID string `json:"operatorId,omitempty"`
	Status     string `json:"status,omitempty"` // an inbox.Status
	ChannelID  string `json:"channelId,omitempty"`
	// TagID matches a dialog carrying the tag or holding a message that
	// carries it: a tagged complaint finds its conversation.
	TagID string `json:"tagId,omitempty"`
	// From and To bound the time each row of the tab shows and sorts by
	// (tabTime), unix ms, To exclusive; 0 leaves that side open.
	From int64 `json:"from,omitempty"`
	To   int64 `json:"to,omitempty"`
}

// IsZero reports whether the filter narrows nothing.
func (f Filter) IsZero() bool { return f == Filter{} }

// tabTime is the column a tab sorts by and its rows show: when the dialog
// was queued, closed, or last written in. A date range on it is a range
// of the tab's own index.
func tabTime(tab Tab) string {
	switch tab {
	case TabUnassigned:
		return `d.queued_at`
	case TabClosed:
		return `d.closed_at`
	}
	return `d.last_message_at`
}

// where returns the filter's conditions over dialogs d in a tab, each
// starting with AND, and their arguments. The tag is not among them: it
// decides where a query starts (see listFrom).
func (f Filter) where(tab Tab) (string, []any) {
	var b strings.Builder
	var args []any
	add := func(cond string, v ...any) {
		b.WriteString(" AND " + cond)
		args = append(args, v...)
	}
	// A queue, my dialogs and what I closed are a short range of the
	// tab's own index: the filter's columns are checked on its rows (the
	// unary + keeps the planner from counting, say, a whole channel's
	// dialogs to find the few queued ones). All and Blacklist span every
	// dialog; there an index on the filter's column leads.
	col := func(c string) string { return c }
	if tab != TabAll && tab != TabBlacklist {
		col = func(c string) string { return "+" + c }
	}
	if f.LineID != "" {
		add(col(`d.line_id`)+` = ?`, f.LineID)
	}
	switch f.OperatorID {
	case "":
	case "-":
		add(col(`d.assignee_id`) + ` = ''`)
	default:
		add(col(`d.assignee_id`)+` = ?`, f.OperatorID)
	}
	if f.Status != "" {
		add(col(`d.status`)+` = ?`, f.Status)
	}
	if f.ChannelID != "" {
		add(col(`d.channel_id`)+` = ?`, f.ChannelID)
	}
	if f.From > 0 {
		add(tabTime(tab)+` >= ?`, f.From)
	}
	if f.To > 0 {
		add(tabTime(tab)+` < ?`, f.To)
	}
	return b.String(), args
}

// listFrom returns the FROM clause of a list over dialogs d, joined to
// clients c when names are needed. With a tag, the query starts from the
// tag's dialogs (two primary-key ranges) and looks each one up: its cost
// follows how many dialogs carry the tag, not how long the tab is, where
// walking the tab and probing the tag would read every row of it.
func (f Filter) listFrom(withClients bool) (string, []any) {
	from, args := ` FROM dialogs d`, []any(nil)
	if f.TagID != "" {
		from = ` FROM (SELECT dialog_id FROM dialog_tags WHERE tag_id = ? UNION SELECT dialog_id FROM message_tags WHERE tag_id = ?) t
			CROSS JOIN dialogs d ON d.id = t.dialog_id`
		args = []any{f.TagID, f.TagID}
	}
	if withClients {
		from += ` LEFT JOIN clients c ON c.id = d.client_id`
	}
	return from, args
}

// DialogItem is one row of a dialog list: what the row shows of the
// dialog and of its client. A list reads it from the dialog's columns and
// a handful of fields of its JSON rather than decoding whole dialogs (that
// decoding was most of a page's time); Dialog reads a dialog whole, and
// ItemOf makes its row.
type DialogItem struct {
	ID         string
	Number     int64
	ChannelID  string
	LineID     string
	Status     inbox.Status
	AssigneeID string
	// Blacklisted mirrors the client's blacklist flag.
	Blacklisted         bool
	Unread              int
	LastMessageText     string
	LastMessageFromTeam bool
	// The row's times in unix milliseconds, 0 when unset.
	LastMessageAt, QueuedAt, ClosedAt, CreatedAt, SnoozedUntil int64
	Tags                                                       []string

	ClientName   string
	ClientAvatar string
	// Draft is the operator's unsent draft in the dialog, nil when none.
	Draft *Draft
}

// ItemOf is the list row of dialog d, whose client shows as name with
// avatar: the same row a list reads for it.
func ItemOf(d *inbox.Dialog, name, avatar string) DialogItem {
	return DialogItem{
		ID: d.ID, Number: d.Number, ChannelID: d.ChannelID, LineID: d.LineID, Status: d.Status, AssigneeID: d.AssigneeID,
		Blacklisted: d.ClientBlacklisted, Unread: d.Unread, LastMessageText: d.LastMessageText,
		LastMessageFromTeam: d.LastMessageFromTeam, LastMessageAt: millis(d.LastMessageAt), QueuedAt: millis(d.QueuedAt),
		ClosedAt: millis(d.ClosedAt), CreatedAt: max(jsonMillis(d.CreatedAt, true), 0), SnoozedUntil: millis(d.SnoozedUntil),
		Tags: d.Tags, ClientName: name, ClientAvatar: avatar,
	}
}

// itemColumns are what a list reads of a dialog row and its client, in
// scanItem's order. The times come from the columns Apply keeps (the
// same values ItemOf makes: millis, and created_ms as jsonMillis), the
// rest from the JSON.
const itemColumns = `d.id, d.number, d.channel_id, d.line_id, d.status, d.assignee_id, d.blacklisted,
	coalesce(d.data ->> '$.unread', 0), coalesce(d.data ->> '$.lastMessageText', ''),
	coalesce(d.data ->> '$.lastMessageFromTeam', 0), d.last_message_at, d.queued_at, d.closed_at,
	max(d.created_ms, 0), coalesce(d.data ->> '$.snoozedUntil', ''), coalesce(d.data -> '$.tags', ''),
	coalesce(c.name, ''), coalesce(c.data ->> '$.avatarUrl', '')`

// scanItem reads one row of itemColumns.
func scanItem(rows *sql.Rows) (DialogItem, error) {
	var it DialogItem
	var status, snoozed, tags string
	err := rows.Scan(&it.ID, &it.Number, &it.ChannelID, &it.LineID, &status, &it.AssigneeID, &it.Blacklisted,
		&it.Unread, &it.LastMessageText, &it.LastMessageFromTeam, &it.LastMessageAt, &it.QueuedAt, &it.ClosedAt,
		&it.CreatedAt, &snoozed, &tags, &it.ClientName, &it.ClientAvatar)
	if err != nil {
		return it, err
	}
	it.Status = inbox.Status(status)
	if snoozed != "" {
		t, err := time.Parse(time.RFC3339Nano, snoozed)
		if err != nil {
			return it, fmt.Errorf("dialog %s: snoozed until %q: %w", it.ID, snoozed, err)
		}
		it.SnoozedUntil = millis(t)
	}
	if tags != "" {
		if err := json.Unmarshal([]byte(tags), &it.Tags); err != nil {
			return it, fmt.Errorf("dialog %s: tags: %w", it.ID, err)
		}
	}
	return it, nil
}

// listFilter returns a list's FROM and WHERE clauses (clients c joined
// when withClients), their arguments and the tab's ORDER BY. A name query
// always joins the clients.
func listFilter(q ListQuery, me string, withClients bool) (string, []any, string, error) {
	where, args, order, err := tabFilter(q.Tab, me)
	if err != nil {
		return "", nil, "", err
	}
	if q.LineID != "" {
		where += ` AND d.line_id = ?`
		args = append(args, q.LineID)
	}
	fw, fargs := q.Filter.where(q.Tab)
	where += fw
	args = append(args, fargs...)
	s := strings.TrimSpace(q.Query)
	if s != "" {
		// The dialog number compares as an integer: json_extract yields
		// one, and SQLite never equates an integer with text.
		number, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		if err != nil {
			number = -1
		}
		where += ` AND (c.name_folded LIKE ? ESCAPE '\' OR json_extract(d.data, '$.number') = ?)`
		args = append(args, "%"+likeEscape(fold(s))+"%", number)
	}
	from, fromArgs := q.Filter.listFrom(withClients || s != "")
	return from + ` WHERE ` + where, append(fromArgs, args...), order, nil
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// listQueries returns the SQL of a list's page (its arguments lack LIMIT
// and OFFSET) and of its total; the total's is "" for a whole tab, which
// the kept counters answer.
func listQueries(q ListQuery, me string) (page string, args []any, count string, countArgs []any, err error) {
	from, args, order, err := listFilter(q, me, true)
	if err != nil {
		return "", nil, "", nil, err
	}
	page = `SELECT ` + itemColumns + from +
		` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	if strings.TrimSpace(q.Query) == "" && q.LineID == "" && q.Filter.IsZero() {
		return page, args, "", nil, nil
	}
	// Without a name to match, no join.
	countFrom, countArgs, _, _ := listFilter(q, me, false)
	return page, args, `SELECT count(*)` + countFrom, countArgs, nil
}

// ListDialogs returns one page of a tab for operator me and the tab's total
// under the same filter.
func (rp *Replica) ListDialogs(ctx context.Context, me string, q ListQuery) ([]DialogItem, int, error) {
	pageQ, args, countQ, countArgs, err := listQueries(q, me)
	if err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var total int
	if line, ok := q.onlyLine(); ok {
		// A tab narrowed to one line and nothing else: the line's counter,
		// kept by the triggers, rather than counting the line's dialogs.
		counts, err := rp.countsWhere(ctx, me, `line_id = ?`, line)
		if err != nil {
			return nil, 0, err
		}
		total = counts[q.Tab]
	} else if countQ == "" {
		// A whole tab: its counter, kept by the triggers.
		counts, err := rp.Counts(ctx, me)
		if err != nil {
			return nil, 0, err
		}
		total = counts[q.Tab]
	} else if err := rp.r.QueryRowContext(ctx, countQ, countArgs...).Scan(&total); err != nil {
		return nil, 0, sqlError(countQ, err)
	}
	rows, err := rp.r.QueryContext(ctx, pageQ, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, sqlError(pageQ, err)
	}
	defer rows.Close()
	items := make([]DialogItem, 0, limit)
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, 0, sqlError(pageQ, err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, sqlError(pageQ, err)
	}
	if err := rp.attachDrafts(ctx, items); err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// Counts returns the number of dialogs in every tab for operator me, from
// the counts the triggers keep (migration 4): a handful of rows, however
// many dialogs the replica holds.
func (rp *Replica) Counts(ctx context.Context, me string) (map[Tab]int, error) {
	return rp.countsWhere(ctx, me, "")
}

// onlyLine returns the line a query narrows its tab to, when that is all
// it narrows it by: such a total is the line's kept counter.
func (q ListQuery) onlyLine() (string, bool) {
	f := q.Filter
	line := q.LineID
	if f.LineID != "" {
		if line != "" && line != f.LineID {
			return "", false
		}
		line, f.LineID = f.LineID, ""
	}
	return line, line != "" && f.IsZero() && strings.TrimSpace(q.Query) == ""
}

// countsWhere sums the kept counts into every tab's total for operator
// me: the whole replica's (dialog_counts) when where is "", else one
// line's (dialog_line_counts, where on its line_id).
func (rp *Replica) countsWhere(ctx context.Context, me, where string, args ...any) (map[Tab]int, error) {
	out := make(map[Tab]int, len(Tabs))
	for _, tab := range Tabs {
		out[tab] = 0
	}
	q := `SELECT status, blacklisted, assignee_id, closed_by_id, n FROM dialog_counts WHERE n > 0`
	if where != "" {
		q = `SELECT status, blacklisted, assignee_id, closed_by_id, n FROM dialog_line_counts WHERE ` + where + ` AND n > 0`
	}
	rows, err := rp.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, assignee, closer string
		var blacklisted bool
		var n int
		if err := rows.Scan(&status, &blacklisted, &assignee, &closer, &n); err != nil {
			return nil, sqlError(q, err)
		}
		// The same rules as tabFilter, on the counted groups.
		if blacklisted {
			out[TabBlacklist] += n
		} else {
			out[TabAll] += n
			if status == string(inbox.StatusUnassigned) {
				out[TabUnassigned] += n
			}
		}
		switch {
		case blacklisted:
		case assignee == me && status == string(inbox.StatusInProgress):
			out[TabMine] += n
		case assignee == me && status == string(inbox.StatusSnoozed):
			out[TabSnoozed] += n
		}
		if closer == me && status == string(inbox.StatusClosed) {
			out[TabClosed] += n
		}
	}
	return out, sqlErrorOrNil(q, rows.Err())
}

// Dialog returns one dialog; the error wraps inbox.ErrNotFound when the
// replica does not hold it.
func (rp *Replica) Dialog(ctx context.Context, id string) (*inbox.Dialog, error) {
	return readDialog(ctx, rp.r, id)
}

type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func readDialog(ctx context.Context, q queryRower, id string) (*inbox.Dialog, error) {
	const query = `SELECT data FROM dialogs WHERE id = ?`
	var data string
	err := q.QueryRowContext(ctx, query, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("dialog %s: %w", id, inbox.ErrNotFound)
	}
	if err != nil {
		return nil, sqlError(query, err)
	}
	var d inbox.Dialog
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, fmt.Errorf("decode dialog %s: %w", id, err)
	}
	return &d, nil
}

// LineCount is what waits in one line for operator me.
type LineCount struct {
	// Unassigned counts the line's queue (blacklisted clients left out).
	Unassigned int
	// UnreadMine counts my in-progress dialogs with unread client
	// messages; UnreadSnoozed my snoozed ones.
	UnreadMine    int
	UnreadSnoozed int
}

// LineCounts returns, per line id, the dialogs waiting in its queue and
// my dialogs in it with unread messages. Lines with nothing are absent.
func (rp *Replica) LineCounts(ctx context.Context, me string) (map[string]LineCount, error) {
	// The counts the triggers keep per line (migration 13).
	const q = `SELECT line_id, status, sum(n) FROM dialog_line_counts
		WHERE n > 0 AND blacklisted = 0 AND (status = 'unassigned'
		   OR (assignee_id = ? AND status IN ('in_progress', 'snoozed') AND unread = 1))
		GROUP BY line_id, status`
	rows, err := rp.r.QueryContext(ctx, q, me)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	out := map[string]LineCount{}
	for rows.Next() {
		var line, status string
		var n int
		if err := rows.Scan(&line, &status, &n); err != nil {
			return nil, sqlError(q, err)
		}
		c := out[line]
		switch inbox.Status(status) {
		case inbox.StatusUnassigned:
			c.Unassigned += n
		case inbox.StatusInProgress:
			c.UnreadMine += n
		case inbox.StatusSnoozed:
			c.UnreadSnoozed += n
		}
		out[line] = c
	}
	return out, sqlErrorOrNil(q, rows.Err())
}

func sqlErrorOrNil(query string, err error) error {
	if err == nil {
		return nil
	}
	return sqlError(query, err)
}
