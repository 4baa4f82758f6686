package replica

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestTabsListWhatTheOperatorExpects(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	hour := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	cs := newChanges(t, 1).
		put(wire.KindDialog, "queued-late", dialog("queued-late", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.QueuedAt = hour(2) })).
		put(wire.KindDialog, "queued-early", dialog("queued-early", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.QueuedAt = hour(1) })).
		put(wire.KindDialog, "queued-blacklisted", dialog("queued-blacklisted", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientBlacklisted = true })).
		put(wire.KindDialog, "queued-other-line", dialog("queued-other-line", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.LineID = "l2"; d.QueuedAt = hour(3) })).
		put(wire.KindDialog, "mine-old", dialog("mine-old", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "me"; d.LastMessageAt = hour(1) })).
		put(wire.KindDialog, "mine-new", dialog("mine-new", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "me"; d.LastMessageAt = hour(5) })).
		put(wire.KindDialog, "colleagues", dialog("colleagues", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "anna" })).
		put(wire.KindDialog, "mine-snoozed", dialog("mine-snoozed", inbox.StatusSnoozed, func(d *inbox.Dialog) { d.AssigneeID = "me" })).
		put(wire.KindDialog, "closed-by-me", dialog("closed-by-me", inbox.StatusClosed, func(d *inbox.Dialog) { d.ClosedByID = "me"; d.ClosedAt = hour(4) })).
		put(wire.KindDialog, "closed-by-anna", dialog("closed-by-anna", inbox.StatusClosed, func(d *inbox.Dialog) { d.ClosedByID = "anna" })).
		put(wire.KindDialog, "reopened-after-my-close", dialog("reopened-after-my-close", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClosedByID = "me"; d.QueuedAt = hour(9) })).
		list
	mustApply(t, rp, cs)

	tests := []struct {
		name string
		q    ListQuery
		want []string
	}{
		{"unassigned is the queue oldest first without blacklisted clients", ListQuery{Tab: TabUnassigned},
			[]string{"queued-early", "queued-late", "queued-other-line", "reopened-after-my-close"}},
		{"unassigned narrowed to a line", ListQuery{Tab: TabUnassigned, LineID: "l2"}, []string{"queued-other-line"}},
		{"mine is my in-progress dialogs newest first", ListQuery{Tab: TabMine}, []string{"mine-new", "mine-old"}},
		{"snoozed is my snoozed dialogs", ListQuery{Tab: TabSnoozed}, []string{"mine-snoozed"}},
		{"closed is what I closed and is still closed", ListQuery{Tab: TabClosed}, []string{"closed-by-me"}},
		{"blacklist is only blacklisted clients' dialogs", ListQuery{Tab: TabBlacklist}, []string{"queued-blacklisted"}},
		{"a page starts at its offset", ListQuery{Tab: TabUnassigned, Offset: 1, Limit: 2}, []string{"queued-late", "queued-other-line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, total, err := rp.ListDialogs(ctx, "me", tt.q)
			if err != nil {
				t.Fatalf("ListDialogs: %v", err)
			}
			if got := ids(items); !slices.Equal(got, tt.want) {
				t.Errorf("ListDialogs(%+v) = %v, want %v", tt.q, got, tt.want)
			}
			if tt.q.Offset == 0 && tt.q.Limit == 0 && total != len(tt.want) {
				t.Errorf("total = %d, want %d", total, len(tt.want))
			}
		})
	}

	counts, err := rp.Counts(ctx, "me")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Tab]int{TabUnassigned: 4, TabMine: 2, TabSnoozed: 1, TabClosed: 1, TabAll: 10, TabBlacklist: 1}
	for tab, n := range want {
		if counts[tab] != n {
			t.Errorf("Counts[%s] = %d, want %d", tab, counts[tab], n)
		}
	}
}

func TestListFiltersByFoldedClientName(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindClient, "c-d1", &inbox.Client{ID: "c-d1", OriginalName: "Пётр Йолкин"}).
		put(wire.KindClient, "c-d2", &inbox.Client{ID: "c-d2", OriginalName: "x", DisplayName: "100%_real"}).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).
		put(wire.KindDialog, "d2", dialog("d2", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.Number = 1042 })).list)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"петр иолк", []string{"d1"}},
		{"йолкин петр", nil}, // the words are one substring, not a word search
		{"петр", []string{"d1"}},
		{"ИОЛКИН", []string{"d1"}},
		{"0%_", []string{"d2"}},
		{"%", []string{"d2"}},
		{"#1042", []string{"d2"}},
		{"1042", []string{"d2"}},
		{"104", nil},
	} {
		items, _, err := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabAll, Query: tt.query})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(items); !slices.Equal(got, append([]string{}, tt.want...)) {
			t.Errorf("ListDialogs(query %q) = %v, want %v", tt.query, got, tt.want)
		}
	}
	items, _, _ := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabAll, Query: "петр"})
	if len(items) == 1 && items[0].ClientName != "Пётр Йолкин" {
		t.Errorf("ClientName = %q, want the display name unfolded", items[0].ClientName)
	}
}

func TestAnUnknownTabIsAnError(t *testing.T) {
	rp := openTemp(t)
	if _, _, err := rp.ListDialogs(context.Background(), "me", ListQuery{Tab: "favourites"}); err == nil {
		t.Fatal("ListDialogs(favourites) succeeded, want ErrUnknownTab")
	}
}

// The counters of the shared tabs are kept by triggers: after inserts,
// moves between tabs, blacklisting, deletions and a resync they must equal
// counting the rows.
func TestTabCountersFollowEveryChange(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		counts, err := rp.Counts(ctx, "op-me")
		if err != nil {
			t.Fatal(err)
		}
		for _, tab := range Tabs {
			// Counted the slow way, row by row, with the tab's own filter.
			where, args, _, err := tabFilter(tab, "op-me")
			if err != nil {
				t.Fatal(err)
			}
			var total int
			if err := rp.r.QueryRowContext(ctx, `SELECT count(*) FROM dialogs d WHERE `+where, args...).Scan(&total); err != nil {
				t.Fatal(err)
			}
			if counts[tab] != total {
				t.Errorf("%s: Counts[%s] = %d, counting the rows gives %d", when, tab, counts[tab], total)
			}
			// A tab narrowed to a line: its total is the line's kept count,
			// however the line is given.
			for _, line := range []string{"l0", "l1", "l2", "l9"} {
				var want int
				if err := rp.r.QueryRowContext(ctx, `SELECT count(*) FROM dialogs d WHERE `+where+` AND d.line_id = ?`,
					append(args, line)...).Scan(&want); err != nil {
					t.Fatal(err)
				}
				for _, q := range []ListQuery{{Tab: tab, LineID: line}, {Tab: tab, Filter: Filter{LineID: line}}} {
					if _, got, err := rp.ListDialogs(ctx, "op-me", q); err != nil || got != want {
						t.Errorf("%s: %s in line %s totals %d (%v), counting the rows gives %d", when, tab, line, got, err, want)
					}
				}
			}
		}
	}
	checkLines := func(when string) {
		t.Helper()
		got, err := rp.LineCounts(ctx, "op-me")
		if err != nil {
			t.Fatal(err)
		}
		// Counted the slow way, row by row.
		rows, err := rp.r.QueryContext(ctx, `SELECT line_id, status, count(*) FROM dialogs
			WHERE (status = 'unassigned' AND blacklisted = 0)
			   OR (assignee_id = 'op-me' AND status IN ('in_progress', 'snoozed') AND blacklisted = 0 AND json_extract(data, '$.unread') > 0)
			GROUP BY line_id, status`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		want := map[string]LineCount{}
		for rows.Next() {
			var line, status string
			var n int
			if err := rows.Scan(&line, &status, &n); err != nil {
				t.Fatal(err)
			}
			c := want[line]
			switch inbox.Status(status) {
			case inbox.StatusUnassigned:
				c.Unassigned = n
			case inbox.StatusInProgress:
				c.UnreadMine = n
			case inbox.StatusSnoozed:
				c.UnreadSnoozed = n
			}
			want[line] = c
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: LineCounts = %+v, counting the rows gives %+v", when, got, want)
		}
	}
	c := newChanges(t, 1)
	statuses := []inbox.Status{inbox.StatusUnassigned, inbox.StatusInProgress, inbox.StatusSnoozed, inbox.StatusClosed}
	// first is dialog i as first put.
	first := func(i int) *inbox.Dialog {
		d := &inbox.Dialog{ID: fmt.Sprintf("d%d", i), ClientID: "c", LineID: fmt.Sprintf("l%d", i%3), Status: statuses[i%4], ClientBlacklisted: i%7 == 0,
			Unread: i % 3}
		if d.Status != inbox.StatusUnassigned {
			d.AssigneeID = "op-me"
		}
		if d.Status == inbox.StatusClosed {
			d.ClosedByID = "op-me"
		}
		return d
	}
	for i := range 40 {
		c.put(wire.KindDialog, fmt.Sprintf("d%d", i), first(i))
	}
	mustApply(t, rp, c.list)
	check("after inserts")
	checkLines("after inserts")
	c = newChanges(t, 100)
	for i := range 20 { // move half of them: taken, closed, blacklisted, to another line
		d := &inbox.Dialog{ID: fmt.Sprintf("d%d", i), ClientID: "c", LineID: fmt.Sprintf("l%d", i%2), Status: statuses[(i+1)%4], AssigneeID: "op-me",
			ClosedByID: "op-me", ClientBlacklisted: i%3 == 0, Unread: i % 2}
		c.put(wire.KindDialog, d.ID, d)
	}
	for i := 30; i < 35; i++ {
		c.del(wire.KindDialog, fmt.Sprintf("d%d", i))
	}
	mustApply(t, rp, c.list)
	check("after moves and deletions")
	checkLines("after moves and deletions")
	c = newChanges(t, 150)
	for i := 20; i < 30; i++ { // transferred to another line, or read, nothing else changed
		d := first(i)
		if i%2 == 0 {
			d.LineID = "l2"
		} else {
			d.Unread = 0
		}
		c.put(wire.KindDialog, d.ID, d)
	}
	mustApply(t, rp, c.list)
	check("after transfers")
	checkLines("after transfers and reads")
	c = newChanges(t, 200)
	c.put(wire.KindResync, "op-me", map[string]any{})
	mustApply(t, rp, c.list)
	check("after a resync emptied the replica")
	checkLines("after a resync emptied the replica")
}

// A replica from before the per-line counts gets them, filled from the
// dialogs it holds, when a newer build opens it.
func TestAReplicaUpgradedInPlaceCountsEveryLine(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "replica.db")
	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	c := newChanges(t, 1)
	for i := range 30 {
		c.put(wire.KindDialog, fmt.Sprintf("d%d", i), dialog(fmt.Sprintf("d%d", i), inbox.StatusUnassigned,
			func(d *inbox.Dialog) { d.LineID = fmt.Sprintf("l%d", i%3) }))
	}
	mustApply(t, rp, c.list)
	step := slices.IndexFunc(migrations, func(m string) bool { return strings.Contains(m, "CREATE TABLE dialog_line_counts") })
	if _, err := rp.w.Exec(fmt.Sprintf(`DROP TABLE dialog_line_counts; DROP TRIGGER dialogs_line_count_insert;
		DROP TRIGGER dialogs_line_count_delete; DROP TRIGGER dialogs_line_count_update; PRAGMA user_version = %d`, step)); err != nil {
		t.Fatal(err)
	}
	rp.Close()
	if rp, err = Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	for _, line := range []string{"l0", "l1", "l2"} {
		if _, total, err := rp.ListDialogs(ctx, "op-me", ListQuery{Tab: TabUnassigned, LineID: line}); err != nil || total != 10 {
			t.Errorf("line %s totals %d (%v), want 10", line, total, err)
		}
	}
}

// A list reads its rows from the dialogs' columns and a few fields of
// their JSON; the conversation makes its row from the decoded dialog
// (ItemOf). Both must show the same row, field by field.
func TestAListRowIsTheDialogsOwnRow(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	clients := map[string]*inbox.Client{
		"c-d1": {ID: "c-d1", OriginalName: `<img src=x onerror="alert(1)"> Олена`, AvatarURL: "https://example.test/a.png"},
		"c-d2": {ID: "c-d2", OriginalName: "Пётр", DisplayName: "Петро (VIP)"},
		"c-d3": {ID: "c-d3", OriginalName: "spam", Blacklisted: true},
		"c-d4": {ID: "c-d4", OriginalName: "Jane"},
	}
	dialogs := []*inbox.Dialog{
		dialog("d1", inbox.StatusUnassigned, func(d *inbox.Dialog) {
			d.Number, d.Unread, d.LastMessageText = 1041, 3, "\"quoted\" \\ <b>bold</b> ё\n"
			d.LastClientMessageAt = t0.Add(time.Minute)
		}),
		dialog("d2", inbox.StatusSnoozed, func(d *inbox.Dialog) {
			d.Number, d.AssigneeID, d.LastMessageFromTeam = 1042, "me", true
			d.SnoozedUntil = t0.Add(time.Hour + 123456789*time.Nanosecond)
			d.Tags = []string{"t1", "t2"}
			d.LineID, d.ChannelID = "l2", "ch2"
		}),
		dialog("d3", inbox.StatusClosed, func(d *inbox.Dialog) {
			d.ClientBlacklisted, d.ClosedByID, d.ClosedAt = true, "me", t0.Add(2*time.Hour)
		}),
		// No message and never queued: the row shows when it was made.
		dialog("d4", inbox.StatusInProgress, func(d *inbox.Dialog) {
			d.AssigneeID, d.Outgoing = "me", true
			d.QueuedAt, d.LastMessageAt = time.Time{}, time.Time{}
			d.CreatedAt = t0.Add(1500 * time.Microsecond)
		}),
	}
	cs := newChanges(t, 1)
	for _, c := range clients {
		cs.put(wire.KindClient, c.ID, c)
	}
	for _, d := range dialogs {
		cs.put(wire.KindDialog, d.ID, d)
	}
	mustApply(t, rp, cs.list)

	got := map[string]DialogItem{}
	for _, tab := range []Tab{TabAll, TabBlacklist} {
		items, _, err := rp.ListDialogs(ctx, "me", ListQuery{Tab: tab})
		if err != nil {
			t.Fatalf("ListDialogs(%s): %v", tab, err)
		}
		for _, it := range items {
			got[it.ID] = it
		}
	}
	for _, d := range dialogs {
		stored, err := rp.Dialog(ctx, d.ID)
		if err != nil {
			t.Fatalf("Dialog(%s): %v", d.ID, err)
		}
		c := clients[d.ClientID]
		want := ItemOf(stored, c.Name(), c.AvatarURL)
		if !reflect.DeepEqual(got[d.ID], want) {
			t.Errorf("%s listed as\n%+v\nwant its own row\n%+v", d.ID, got[d.ID], want)
		}
	}
	if it := got["d4"]; it.CreatedAt != t0.Add(2*time.Millisecond).UnixMilli() || it.LastMessageAt != 0 {
		t.Errorf("d4's times: created %d, last message %d", it.CreatedAt, it.LastMessageAt)
	}
	if it := got["d2"]; it.SnoozedUntil != t0.Add(time.Hour+123*time.Millisecond).UnixMilli() || !slices.Equal(it.Tags, []string{"t1", "t2"}) {
		t.Errorf("d2: snoozed until %d, tags %v", it.SnoozedUntil, it.Tags)
	}
}
