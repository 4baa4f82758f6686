package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"switchboard/inbox"
)

// Tab is one of the operator's dialog lists.
type Tab string

const (
	TabUnassigned Tab = "unassigned" // a line's queue, without blacklisted clients
	TabMine       Tab = "mine"       // in progress, assigned to me
	TabSnoozed    Tab = "snoozed"    // mine, snoozed
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
		return `d.assignee_id = ? AND d.status = 'in_progress'`, []any{me}, `d.last_message_at DESC, d.id`, nil
	case TabSnoozed:
		return `d.assignee_id = ? AND d.status = 'snoozed'`, []any{me}, `d.last_message_at DESC, d.id`, nil
	case TabClosed:
		return `d.closed_by_id = ? AND d.status = 'closed'`, []any{me}, `d.closed_at DESC, d.id`, nil
	case TabAll:
		return `d.blacklisted = 0`, nil, `d.last_message_at DESC, d.id`, nil
	case TabBlacklist:
		return `d.blacklisted = 1`, nil, `d.last_message_at DESC, d.id`, nil
	}
	return "", nil, "", fmt.Errorf("%w %q", ErrUnknownTab, tab)
}

// ListQuery selects one page of a tab.
type ListQuery struct {
	Tab    Tab
	LineID string // "" for every line
	// Query narrows the list to clients whose name contains it (folded
	// like the search index) or to the dialog whose number it is.
	Query  string
	Offset int
	Limit  int
}

// DialogItem is one row of a dialog list: the dialog and what the row shows
// of its client.
type DialogItem struct {
	Dialog       inbox.Dialog
	ClientName   string
	ClientAvatar string
}

func listFilter(q ListQuery, me string) (string, []any, string, error) {
	where, args, order, err := tabFilter(q.Tab, me)
	if err != nil {
		return "", nil, "", err
	}
	if q.LineID != "" {
		where += ` AND d.line_id = ?`
		args = append(args, q.LineID)
	}
	if s := strings.TrimSpace(q.Query); s != "" {
		// The dialog number compares as an integer: json_extract yields
		// one, and SQLite never equates an integer with text.
		number, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		if err != nil {
			number = -1
		}
		where += ` AND (c.name_folded LIKE ? ESCAPE '\' OR json_extract(d.data, '$.number') = ?)`
		args = append(args, "%"+likeEscape(fold(s))+"%", number)
	}
	return where, args, order, nil
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListDialogs returns one page of a tab for operator me and the tab's total
// under the same filter.
func (rp *Replica) ListDialogs(ctx context.Context, me string, q ListQuery) ([]DialogItem, int, error) {
	where, args, order, err := listFilter(q, me)
	if err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	from := ` FROM dialogs d LEFT JOIN clients c ON c.id = d.client_id WHERE ` + where
	var total int
	countQ := `SELECT count(*)` + from
	if err := rp.r.QueryRowContext(ctx, countQ, args...).Scan(&total); err != nil {
		return nil, 0, sqlError(countQ, err)
	}
	pageQ := `SELECT d.data, coalesce(c.name, ''), coalesce(json_extract(c.data, '$.avatarUrl'), '')` + from +
		` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	rows, err := rp.r.QueryContext(ctx, pageQ, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, sqlError(pageQ, err)
	}
	defer rows.Close()
	var items []DialogItem
	for rows.Next() {
		var data string
		var it DialogItem
		if err := rows.Scan(&data, &it.ClientName, &it.ClientAvatar); err != nil {
			return nil, 0, sqlError(pageQ, err)
		}
		if err := json.Unmarshal([]byte(data), &it.Dialog); err != nil {
			return nil, 0, fmt.Errorf("decode dialog row: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, sqlError(pageQ, err)
	}
	return items, total, nil
}

// Counts returns the number of dialogs in every tab for operator me.
func (rp *Replica) Counts(ctx context.Context, me string) (map[Tab]int, error) {
	out := make(map[Tab]int, len(Tabs))
	for _, tab := range Tabs {
		where, args, _, err := tabFilter(tab, me)
		if err != nil {
			return nil, err
		}
		q := `SELECT count(*) FROM dialogs d WHERE ` + where
		var n int
		if err := rp.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			return nil, sqlError(q, err)
		}
		out[tab] = n
	}
	return out, nil
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
