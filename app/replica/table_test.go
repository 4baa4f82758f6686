package replica

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// tableFixture: two lines (Billing, Alpha), two operators (Zoe, Bob), and
// five dialogs with hand-set report times.
func tableFixture(t *testing.T) *Replica {
	rp := openTemp(t)
	min := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	c := newChanges(t, 1).
		put(wire.KindLine, "l1", inbox.Line{ID: "l1", Name: "Billing"}).
		put(wire.KindLine, "l2", inbox.Line{ID: "l2", Name: "alpha"}).
		put(wire.KindOperator, "op-z", inbox.Operator{ID: "op-z", Name: "Zoe"}).
		put(wire.KindOperator, "op-b", inbox.Operator{ID: "op-b", Name: "Bob"}).
		put(wire.KindClient, "c-d1", inbox.Client{ID: "c-d1", OriginalName: "Carla"}).
		put(wire.KindClient, "c-d2", inbox.Client{ID: "c-d2", OriginalName: "Ann"}).
		put(wire.KindClient, "c-d3", inbox.Client{ID: "c-d3", OriginalName: "Ben"})
	dl := []*inbox.Dialog{
		// answered after 7 min, closed at 30
		dialog("d1", inbox.StatusClosed, func(d *inbox.Dialog) {
			d.Number, d.AssigneeID, d.StartedAt, d.FirstAnswerAt, d.ClosedAt = 1, "op-z", min(5), min(7), min(30)
			d.Responses = inbox.ResponseStats{Count: 2, TotalMs: 600_000, MaxMs: 420_000}
		}),
		// answered after 2 min, in progress
		dialog("d2", inbox.StatusInProgress, func(d *inbox.Dialog) {
			d.Number, d.AssigneeID, d.LineID, d.CreatedAt, d.StartedAt, d.FirstAnswerAt = 2, "op-b", "l2", min(60), min(61), min(62)
			d.Responses = inbox.ResponseStats{Count: 1, TotalMs: 120_000, MaxMs: 120_000}
		}),
		// waiting, never answered
		dialog("d3", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.Number, d.CreatedAt, d.QueuedAt = 3, min(120), min(120) }),
		// outgoing: answered at once, but nobody waited
		dialog("d4", inbox.StatusInProgress, func(d *inbox.Dialog) {
			d.Number, d.AssigneeID, d.Outgoing, d.CreatedAt, d.StartedAt, d.FirstAnswerAt = 4, "op-z", true, min(200), min(200), min(200)
		}),
		// answered after 20 min, on channel ch2
		dialog("d5", inbox.StatusInProgress, func(d *inbox.Dialog) {
			d.Number, d.AssigneeID, d.ChannelID, d.CreatedAt, d.StartedAt, d.FirstAnswerAt = 5, "op-b", "ch2", min(300), min(301), min(320)
			d.Responses = inbox.ResponseStats{Count: 3, TotalMs: 1_500_000, MaxMs: 1_200_000}
		}),
	}
	for _, d := range dl {
		c.put(wire.KindDialog, d.ID, d)
	}
	mustApply(t, rp, c.list)
	return rp
}

func tableIDs(items []TableItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Dialog.ID)
	}
	return out
}

func TestTableDialogsSorts(t *testing.T) {
	rp := tableFixture(t)
	tests := []struct {
		sort string
		desc bool
		want []string
	}{
		{"", false, []string{"d1", "d2", "d3", "d4", "d5"}},
		{"number", true, []string{"d5", "d4", "d3", "d2", "d1"}},
		{"created", true, []string{"d5", "d4", "d3", "d2", "d1"}},
		// 2, 7, 20 minutes; the waiting and the outgoing dialog have none
		// and sort last either way.
		{"firstResponse", false, []string{"d2", "d1", "d5", "d3", "d4"}},
		{"firstResponse", true, []string{"d5", "d1", "d2", "d4", "d3"}},
		{"duration", false, []string{"d1", "d2", "d3", "d4", "d5"}},
		// Response times: longest 2, 7, 20 min; average 2, 5, 8.3 min; the
		// unanswered and the outgoing dialog have none and sort last.
		{"responseMax", false, []string{"d2", "d1", "d5", "d3", "d4"}},
		{"responseAvg", true, []string{"d5", "d1", "d2", "d4", "d3"}},
		{"responseTotal", false, []string{"d2", "d1", "d5", "d3", "d4"}},
		// By name, not id: alpha (l2) before Billing (l1).
		{"line", false, []string{"d2", "d1", "d3", "d4", "d5"}},
		// Bob (op-b) before Zoe (op-z); the unassigned one last.
		{"operator", false, []string{"d2", "d5", "d1", "d4", "d3"}},
		// Ann, Ben, Carla; clients the replica does not hold sort last.
		{"client", false, []string{"d2", "d3", "d1", "d4", "d5"}},
		{"status", false, []string{"d1", "d2", "d4", "d5", "d3"}},
	}
	for _, tt := range tests {
		items, total, err := rp.TableDialogs(context.Background(), TableQuery{Sort: tt.sort, Desc: tt.desc})
		if err != nil {
			t.Fatalf("TableDialogs(sort %q): %v", tt.sort, err)
		}
		if got := tableIDs(items); !slices.Equal(got, tt.want) || total != 5 {
			t.Errorf("TableDialogs(sort %q desc %v) = %v (total %d), want %v (5)", tt.sort, tt.desc, got, total, tt.want)
		}
	}
}

// The SQL sort by first response agrees with inbox.MetricsOf.
func TestTableFirstResponseFollowsMetricsOf(t *testing.T) {
	rp := tableFixture(t)
	items, _, err := rp.TableDialogs(context.Background(), TableQuery{Sort: "firstResponse"})
	if err != nil {
		t.Fatal(err)
	}
	var last time.Duration
	measured := true
	for _, it := range items {
		m := inbox.MetricsOf(&it.Dialog)
		if !m.HasFirstResponse {
			measured = false
			continue
		}
		if !measured || m.FirstResponse < last {
			t.Fatalf("%s (first response %v) sorted after an unmeasured or longer one", it.Dialog.ID, m.FirstResponse)
		}
		last = m.FirstResponse
	}
}

func TestTableDialogsFilters(t *testing.T) {
	rp := tableFixture(t)
	from := t0.Add(100 * time.Minute).UnixMilli()
	tests := []struct {
		name string
		q    TableQuery
		want []string
	}{
		{"by line", TableQuery{LineID: "l2"}, []string{"d2"}},
		{"by operator", TableQuery{OperatorID: "op-z"}, []string{"d1", "d4"}},
		{"nobody's", TableQuery{OperatorID: "-"}, []string{"d3"}},
		{"by status", TableQuery{Status: "in_progress"}, []string{"d2", "d4", "d5"}},
		{"by channel", TableQuery{ChannelID: "ch2"}, []string{"d5"}},
		{"created from", TableQuery{CreatedFrom: from}, []string{"d3", "d4", "d5"}},
		{"created before", TableQuery{CreatedTo: from}, []string{"d1", "d2"}},
		{"client name, any case", TableQuery{Query: "BEN"}, []string{"d3"}},
		{"dialog number", TableQuery{Query: "#4"}, []string{"d4"}},
		{"combined", TableQuery{OperatorID: "op-b", Status: "in_progress", CreatedFrom: from}, []string{"d5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, total, err := rp.TableDialogs(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := tableIDs(items); !slices.Equal(got, tt.want) || total != len(tt.want) {
				t.Errorf("TableDialogs(%+v) = %v (total %d), want %v", tt.q, got, total, tt.want)
			}
		})
	}
}

func TestTableDialogsWindowAndBadSort(t *testing.T) {
	rp := tableFixture(t)
	items, total, err := rp.TableDialogs(context.Background(), TableQuery{Offset: 3, Limit: 10})
	if err != nil || total != 5 || !slices.Equal(tableIDs(items), []string{"d4", "d5"}) {
		t.Errorf("window 3.. = %v, %d, %v; want [d4 d5], 5", tableIDs(items), total, err)
	}
	if _, _, err := rp.TableDialogs(context.Background(), TableQuery{Sort: "data; DROP TABLE dialogs"}); !errors.Is(err, ErrBadQuery) {
		t.Errorf("unknown sort: err = %v, want ErrBadQuery", err)
	}
}

func TestFloor(t *testing.T) {
	rp := tableFixture(t)
	lines, ops, err := rp.Floor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []LineLoad{
		{LineID: "l1", Unassigned: 1, OldestQueuedAt: t0.Add(120 * time.Minute).UnixMilli(), InProgress: 2},
		{LineID: "l2", InProgress: 1},
	}
	if !slices.Equal(lines, wantLines) {
		t.Errorf("Floor lines = %+v, want %+v", lines, wantLines)
	}
	wantOps := []OperatorLoad{{OperatorID: "op-b", InProgress: 2}, {OperatorID: "op-z", InProgress: 1}}
	if !slices.Equal(ops, wantOps) {
		t.Errorf("Floor operators = %+v, want %+v", ops, wantOps)
	}
}
