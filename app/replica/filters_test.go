package replica

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func hour(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }

// filterFixture holds dialogs a..g for operator "me" (last message at hour
// 1..7, so All lists g..a) and the tags complaint and vip on dialogs and
// messages:
//
//	a unassigned l1 ch1 queued 1h, dialog tagged vip
//	b unassigned l2 ch2 queued 2h, a message tagged complaint; client Богдан
//	c mine       l1 ch2
//	d anna's     l1 ch1, dialog tagged complaint
//	e closed by me l2 ch1 at 5h, dialog and a message tagged complaint
//	f mine       l2 ch1, dialog tagged vip
//	g blacklisted, unassigned l1 ch1, dialog tagged vip
func filterFixture(t *testing.T) *Replica {
	t.Helper()
	rp := openTemp(t)
	d := func(id string, n int, st inbox.Status, line, ch, assignee string, tags ...string) *inbox.Dialog {
		return dialog(id, st, func(d *inbox.Dialog) {
			d.LineID, d.ChannelID, d.AssigneeID, d.Tags = line, ch, assignee, tags
			d.LastMessageAt, d.QueuedAt = hour(n), hour(n)
		})
	}
	e := d("e", 5, inbox.StatusClosed, "l2", "ch1", "me", "complaint")
	e.ClosedByID, e.ClosedAt = "me", hour(5)
	g := d("g", 7, inbox.StatusUnassigned, "l1", "ch1", "", "vip")
	g.ClientBlacklisted = true
	tagged := func(id, dialogID string, tags ...string) *inbox.Message {
		m := message(id, dialogID, "text "+id, hour(1))
		m.Tags = tags
		return m
	}
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindClient, "c-b", &inbox.Client{ID: "c-b", OriginalName: "Богдан"}).
		put(wire.KindDialog, "a", d("a", 1, inbox.StatusUnassigned, "l1", "ch1", "", "vip")).
		put(wire.KindDialog, "b", d("b", 2, inbox.StatusUnassigned, "l2", "ch2", "")).
		put(wire.KindDialog, "c", d("c", 3, inbox.StatusInProgress, "l1", "ch2", "me")).
		put(wire.KindDialog, "d", d("d", 4, inbox.StatusInProgress, "l1", "ch1", "anna", "complaint")).
		put(wire.KindDialog, "e", e).
		put(wire.KindDialog, "f", d("f", 6, inbox.StatusInProgress, "l2", "ch1", "me", "vip")).
		put(wire.KindDialog, "g", g).
		put(wire.KindMessage, "b1", tagged("b1", "b", "complaint")).
		put(wire.KindMessage, "b2", tagged("b2", "b")).
		put(wire.KindMessage, "e1", tagged("e1", "e", "complaint", "vip")).list)
	return rp
}

func TestFiltersNarrowEveryTab(t *testing.T) {
	ctx := context.Background()
	rp := filterFixture(t)
	tests := []struct {
		name string
		q    ListQuery
		want []string
	}{
		{"no filter lists the whole tab", ListQuery{Tab: TabAll}, []string{"f", "e", "d", "c", "b", "a"}},
		{"by channel", ListQuery{Tab: TabAll, Filter: Filter{ChannelID: "ch1"}}, []string{"f", "e", "d", "a"}},
		{"by line", ListQuery{Tab: TabAll, Filter: Filter{LineID: "l2"}}, []string{"f", "e", "b"}},
		{"by operator", ListQuery{Tab: TabAll, Filter: Filter{OperatorID: "anna"}}, []string{"d"}},
		{"by nobody holding it", ListQuery{Tab: TabAll, Filter: Filter{OperatorID: "-"}}, []string{"b", "a"}},
		{"by status", ListQuery{Tab: TabAll, Filter: Filter{Status: "in_progress"}}, []string{"f", "d", "c"}},
		{"by a tag on the dialog or on one of its messages, each dialog once", ListQuery{Tab: TabAll, Filter: Filter{TagID: "complaint"}}, []string{"e", "d", "b"}},
		{"by a tag only on a message", ListQuery{Tab: TabAll, Filter: Filter{TagID: "vip"}}, []string{"f", "e", "a"}},
		{"by a tag nobody uses", ListQuery{Tab: TabAll, Filter: Filter{TagID: "nope"}}, []string{}},
		{"by dates, the end left out", ListQuery{Tab: TabAll, Filter: Filter{From: hour(3).UnixMilli(), To: hour(5).UnixMilli()}}, []string{"d", "c"}},
		{"from a date on", ListQuery{Tab: TabAll, Filter: Filter{From: hour(5).UnixMilli()}}, []string{"f", "e"}},
		{"up to a date", ListQuery{Tab: TabAll, Filter: Filter{To: hour(2).UnixMilli()}}, []string{"a"}},
		{"channel, tag and line combine", ListQuery{Tab: TabAll, Filter: Filter{ChannelID: "ch1", TagID: "complaint", LineID: "l1"}}, []string{"d"}},
		{"channel and status combine", ListQuery{Tab: TabAll, Filter: Filter{ChannelID: "ch1", Status: "closed"}}, []string{"e"}},
		{"the line picker and the filter's line both apply", ListQuery{Tab: TabAll, LineID: "l1", Filter: Filter{LineID: "l2"}}, []string{}},
		{"a tag with a client's name", ListQuery{Tab: TabAll, Filter: Filter{TagID: "complaint"}, Query: "богдан"}, []string{"b"}},
		{"the blacklist by tag", ListQuery{Tab: TabBlacklist, Filter: Filter{TagID: "vip"}}, []string{"g"}},
		{"unassigned by line", ListQuery{Tab: TabUnassigned, Filter: Filter{LineID: "l2"}}, []string{"b"}},
		{"unassigned by tag, oldest first", ListQuery{Tab: TabUnassigned, Filter: Filter{TagID: "vip"}}, []string{"a"}},
		{"unassigned dates are when it was queued", ListQuery{Tab: TabUnassigned, Filter: Filter{From: hour(2).UnixMilli()}}, []string{"b"}},
		{"mine by channel", ListQuery{Tab: TabMine, Filter: Filter{ChannelID: "ch1"}}, []string{"f"}},
		{"mine by tag", ListQuery{Tab: TabMine, Filter: Filter{TagID: "vip"}}, []string{"f"}},
		{"mine up to a date", ListQuery{Tab: TabMine, Filter: Filter{To: hour(4).UnixMilli()}}, []string{"c"}},
		{"closed by tag", ListQuery{Tab: TabClosed, Filter: Filter{TagID: "complaint"}}, []string{"e"}},
		{"closed dates are when it was closed", ListQuery{Tab: TabClosed, Filter: Filter{From: hour(6).UnixMilli()}}, []string{}},
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
			if total != len(tt.want) {
				t.Errorf("total = %d, want %d", total, len(tt.want))
			}
		})
	}
	items, total, err := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabAll, Filter: Filter{ChannelID: "ch1"}, Offset: 1, Limit: 2})
	if err != nil || !slices.Equal(ids(items), []string{"e", "d"}) || total != 4 {
		t.Errorf("a filtered page from offset 1 = %v of %d, %v; want [e d] of 4", ids(items), total, err)
	}
}

// A tag filter follows the changes: a dialog's tag taken off, a message
// removed, a dialog gone.
func TestTagFilterFollowsChanges(t *testing.T) {
	ctx := context.Background()
	rp := filterFixture(t)
	list := func(tag string) []string {
		t.Helper()
		items, _, err := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabAll, Filter: Filter{TagID: tag}})
		if err != nil {
			t.Fatal(err)
		}
		return ids(items)
	}
	untagged := dialog("d", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID, d.LastMessageAt = "anna", hour(4) })
	mustApply(t, rp, newChanges(t, 100).put(wire.KindDialog, "d", untagged).del(wire.KindMessage, "b1").list)
	if got := list("complaint"); !slices.Equal(got, []string{"e"}) {
		t.Errorf("after d lost its tag and b1 went: complaint lists %v, want [e]", got)
	}
	mustApply(t, rp, newChanges(t, 200).del(wire.KindDialog, "e").list)
	if got := list("complaint"); len(got) != 0 {
		t.Errorf("after e went: complaint lists %v, want nothing", got)
	}
	if got := list("vip"); !slices.Equal(got, []string{"f", "a"}) {
		t.Errorf("vip lists %v, want [f a]: e's message went with it", got)
	}
}

// The tag indexes must say what the rows' JSON says after every kind of
// change, counted the slow way.
func TestTagIndexesFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	check := func(when string) {
		t.Helper()
		for _, q := range []string{
			`SELECT t.value, d.id FROM dialogs d, json_each(d.data, '$.tags') t EXCEPT SELECT tag_id, dialog_id FROM dialog_tags`,
			`SELECT tag_id, dialog_id FROM dialog_tags EXCEPT SELECT t.value, d.id FROM dialogs d, json_each(d.data, '$.tags') t`,
			`SELECT t.value, m.dialog_id, m.id FROM messages m, json_each(m.data, '$.tags') t EXCEPT SELECT tag_id, dialog_id, message_id FROM message_tags`,
			`SELECT tag_id, dialog_id, message_id FROM message_tags EXCEPT SELECT t.value, m.dialog_id, m.id FROM messages m, json_each(m.data, '$.tags') t`,
		} {
			var n int
			if err := rp.r.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s: %d rows differ: %s", when, n, q)
			}
		}
	}
	tags := [][]string{nil, {"a"}, {"a", "b"}, {"b"}}
	c := newChanges(t, 1)
	for i := range 24 {
		c.put(wire.KindDialog, fmt.Sprint("d", i), dialog(fmt.Sprint("d", i), inbox.StatusUnassigned, func(d *inbox.Dialog) { d.Tags = tags[i%4] }))
		m := message(fmt.Sprint("m", i), fmt.Sprint("d", i%6), `he wrote "tags": ["a"] here`, t0)
		m.Tags = tags[(i+1)%4]
		c.put(wire.KindMessage, m.ID, m)
	}
	mustApply(t, rp, c.list)
	check("after inserts")
	c = newChanges(t, 100)
	for i := range 12 { // retag half of them, both ways
		c.put(wire.KindDialog, fmt.Sprint("d", i), dialog(fmt.Sprint("d", i), inbox.StatusInProgress, func(d *inbox.Dialog) { d.Tags = tags[(i+2)%4] }))
		m := message(fmt.Sprint("m", i), fmt.Sprint("d", i%6), "x", t0)
		m.Tags = tags[(i+3)%4]
		c.put(wire.KindMessage, m.ID, m)
	}
	c.del(wire.KindMessage, "m20").del(wire.KindDialog, "d1").del(wire.KindDialog, "d23")
	mustApply(t, rp, c.list)
	check("after changes and deletions")
	mustApply(t, rp, newChanges(t, 200).put(wire.KindResync, "me", map[string]any{}).list)
	check("after a resync")
	var n int
	if err := rp.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM dialog_tags) + (SELECT count(*) FROM message_tags)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after a resync the tag indexes hold %d rows, %v", n, err)
	}
}

// A list narrowed by any filter reads an index, never every dialog, and
// the index it starts from is the right one: a tab's own where the tab is
// short (the queue, my dialogs), one led by the filter's column in All and
// Blacklist, the tag's dialogs whenever a tag is chosen. Dates are a range
// of the tab's index, read in order.
func TestFilteredListsReadTheRightIndex(t *testing.T) {
	rp := openTemp(t)
	filters := map[string]Filter{
		"line": {LineID: "l"}, "operator": {OperatorID: "o"}, "nobody": {OperatorID: "-"}, "status": {Status: "closed"},
		"channel": {ChannelID: "ch"}, "tag": {TagID: "t"}, "dates": {From: 1, To: 2},
		"everything": {LineID: "l", OperatorID: "o", Status: "closed", ChannelID: "ch", TagID: "t", From: 1, To: 2},
	}
	own := map[Tab]string{TabUnassigned: "dialogs_unassigned", TabMine: "dialogs_assignee", TabSnoozed: "dialogs_assignee", TabClosed: "dialogs_closed_by"}
	wide := map[string]string{"line": "dialogs_line_recent", "operator": "dialogs_assignee_recent", "nobody": "dialogs_assignee_recent",
		"status": "dialogs_recent", "channel": "dialogs_channel_recent", "dates": "dialogs_recent"}
	for _, tab := range Tabs {
		for name, f := range filters {
			want := own[tab]
			if want == "" {
				want = wide[name]
			}
			if f.TagID != "" {
				want = "sqlite_autoindex_dialogs_1" // the dialogs' primary key, from the tag's set
			}
			page, args, count, countArgs, err := listQueries(ListQuery{Tab: tab, Filter: f}, "me")
			if err != nil {
				t.Fatal(err)
			}
			pagePlan, countPlan := plan(t, rp, page, append(args, 50, 0)...), plan(t, rp, count, countArgs...)
			for _, p := range []string{pagePlan, countPlan} {
				if strings.Contains(p, "SCAN d") {
					t.Errorf("%s by %s reads every dialog:\n%s", tab, name, p)
				}
			}
			if !strings.Contains(pagePlan, "INDEX "+want+" (") {
				t.Errorf("%s by %s: the page does not start from %s:\n%s", tab, name, want, pagePlan)
			}
			if own[tab] != "" && !strings.Contains(countPlan, "INDEX "+want+" (") {
				t.Errorf("%s by %s: the total does not start from %s:\n%s", tab, name, want, countPlan)
			}
			if name == "dates" && (strings.Contains(pagePlan, "TEMP B-TREE FOR ORDER BY") || !strings.Contains(pagePlan, "<?)")) {
				t.Errorf("%s by dates is not a range of the tab's index read in order:\n%s", tab, pagePlan)
			}
		}
	}
}

func plan(t *testing.T, rp *Replica, q string, args ...any) string {
	t.Helper()
	rows, err := rp.r.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "\n")
	}
	return b.String()
}

func TestSavedFiltersAreEachOperatorsOwn(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	save := func(op, id, name string, f Filter) SavedFilter {
		t.Helper()
		s, err := rp.SaveFilter(ctx, op, id, name, f, t0)
		if err != nil {
			t.Fatalf("SaveFilter(%s, %s): %v", op, name, err)
		}
		return s
	}
	names := func(op string) []string {
		t.Helper()
		list, err := rp.SavedFilters(ctx, op)
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, s := range list {
			out = append(out, s.Name)
		}
		return out
	}
	vip := save("me", "f1", "VIP in Telegram", Filter{TagID: "vip", ChannelID: "tg"})
	save("me", "f2", "anna's", Filter{OperatorID: "anna"})
	save("anna", "f3", "mine", Filter{Status: "closed"})
	if got := names("me"); !slices.Equal(got, []string{"anna's", "VIP in Telegram"}) {
		t.Errorf("SavedFilters(me) = %v, want both of mine by name", got)
	}
	again := save("me", "f9", "VIP in Telegram", Filter{TagID: "vip"})
	if again.ID != vip.ID || again.Filter != (Filter{TagID: "vip"}) {
		t.Errorf("saving under a used name = %+v, want the filter replaced under id %s", again, vip.ID)
	}
	list, _ := rp.SavedFilters(ctx, "me")
	if len(list) != 2 || list[1].Filter != (Filter{TagID: "vip"}) {
		t.Errorf("after replacing: %+v", list)
	}
	if err := rp.DeleteFilter(ctx, "me", "f3"); err != nil {
		t.Fatal(err)
	}
	if got := names("anna"); !slices.Equal(got, []string{"mine"}) {
		t.Errorf("deleting anna's filter as me took it: anna has %v", got)
	}
	if err := rp.DeleteFilter(ctx, "me", "f2"); err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, newChanges(t, 1).put(wire.KindResync, "me", map[string]any{}).list)
	if err := rp.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if got := names("me"); !slices.Equal(got, []string{"VIP in Telegram"}) {
		t.Errorf("after a delete, a resync and signing out: %v, want [VIP in Telegram]", got)
	}
}
