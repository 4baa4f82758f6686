package inbox

import (
	"fmt"
	"testing"
	"time"
)

// aaOrg is a workspace with one auto-assigning line "l" worked by group g
// (ann, bob, cat, dan) and a line "off" without auto-assignment.
func aaOrg(mode AutoAssign) *Org {
	ops := []*Operator{
		{ID: "ann", Active: true, Capacity: 2},
		{ID: "bob", Active: true, Capacity: 2},
		{ID: "cat", Active: true, Capacity: 2},
		{ID: "dan", Active: false, Capacity: 2}, // deactivated
		{ID: "eve", Active: true, Capacity: 0},  // takes dialogs only by hand
		{ID: "out", Active: true, Capacity: 9},  // not in the line's groups
	}
	groups := []*Group{{ID: "g", MemberIDs: []string{"cat", "bob", "ann", "dan"}}, {ID: "h", MemberIDs: []string{"eve", "ann"}}}
	lines := []*Line{{ID: "l", OperatorGroupIDs: []string{"g", "h"}, AutoAssign: mode}, {ID: "off", OperatorGroupIDs: []string{"g"}}}
	return NewOrg(&Workspace{ID: "w"}, ops, nil, groups, lines, nil, nil)
}

func board(online string, load map[string]int, lastChosen string, order map[string]int64) *Board {
	b := NewBoard()
	for _, id := range []string{"ann", "bob", "cat", "dan", "eve", "out"} {
		b.Online[id] = true
	}
	if online != "" {
		b.Online = map[string]bool{}
		for _, r := range online {
			b.Online[map[rune]string{'a': "ann", 'b': "bob", 'c': "cat", 'd': "dan", 'e': "eve", 'o': "out"}[r]] = true
		}
	}
	for k, v := range load {
		b.InProgress[k] = v
	}
	if lastChosen != "" {
		b.LastChosen["l"] = lastChosen
	}
	for k, v := range order {
		b.LastOrder[k] = v
	}
	return b
}

func TestChooseOperator(t *testing.T) {
	rr, ll := AutoAssignRoundRobin, AutoAssignLeastLoaded
	tests := []struct {
		name string
		mode AutoAssign
		line string
		b    *Board
		want string
	}{
		{"round-robin starts with the first by id", rr, "l", board("", nil, "", nil), "ann"},
		{"round-robin takes the next after the last chosen", rr, "l", board("", nil, "ann", nil), "bob"},
		{"round-robin wraps around", rr, "l", board("", nil, "cat", nil), "ann"},
		{"round-robin skips the offline", rr, "l", board("ac", nil, "ann", nil), "cat"},
		{"round-robin skips the full", rr, "l", board("", map[string]int{"bob": 2}, "ann", nil), "cat"},
		{"round-robin skips the deactivated and capacity 0", rr, "l", board("de", nil, "cat", nil), ""},
		{"round-robin after a chosen one who left the line", rr, "l", board("", nil, "bz", nil), "cat"},
		{"nobody online: nobody", rr, "l", board("o", nil, "", nil), ""},
		{"everyone full: nobody", ll, "l", board("", map[string]int{"ann": 2, "bob": 3, "cat": 2}, "", nil), ""},
		{"least-loaded takes the fewest in progress", ll, "l", board("", map[string]int{"ann": 1, "bob": 0, "cat": 1}, "", nil), "bob"},
		{"least-loaded ties go to the longest since the last assignment", ll, "l",
			board("", map[string]int{"ann": 1, "bob": 1, "cat": 1}, "", map[string]int64{"ann": 5, "bob": 7, "cat": 3}), "cat"},
		{"never assigned counts as longest ago", ll, "l",
			board("", map[string]int{"ann": 1, "bob": 1, "cat": 1}, "", map[string]int64{"ann": 5, "cat": 3}), "bob"},
		{"least-loaded ignores who was chosen last in the line", ll, "l", board("", nil, "ann", map[string]int64{"bob": 1, "cat": 2}), "ann"},
		{"least-loaded never over capacity", ll, "l", board("ab", map[string]int{"ann": 2, "bob": 2}, "", nil), ""},
		{"a line without auto-assignment", rr, "off", board("", nil, "", nil), ""},
		{"an unknown line", rr, "nope", board("", nil, "", nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Choose(aaOrg(tt.mode), tt.line); got != tt.want {
				t.Errorf("Choose = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestAutoAssignSpreadsAndStopsAtCapacity gives out ten dialogs one by one
// through the board: the spread follows the mode and nobody goes past
// their capacity.
func TestAutoAssignSpreadsAndStopsAtCapacity(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		mode AutoAssign
		load map[string]int
		want string
	}{
		{AutoAssignRoundRobin, nil, "ann bob cat ann bob cat - - - -"},
		{AutoAssignLeastLoaded, map[string]int{"ann": 1}, "bob cat ann bob cat - - - - -"},
	} {
		t.Run(string(tt.mode), func(t *testing.T) {
			org, b := aaOrg(tt.mode), board("", tt.load, "", nil)
			n := 0
			env := Env{Now: now, ActorID: "someone", NewID: func() string { n++; return fmt.Sprint("id", n) }}
			got := ""
			for i := range 10 {
				d := &Dialog{ID: fmt.Sprint("d", i), LineID: "l", Status: StatusUnassigned, Detailed: DetQueued, Unread: 1}
				o := GiveOut(org, b, d, &Client{ID: "c"}, env)
				if i > 0 {
					got += " "
				}
				if o == nil {
					got += "-"
					if d.Status != StatusUnassigned {
						t.Fatal("AutoAssign changed the caller's dialog")
					}
					continue
				}
				a := o.Dialogs[0]
				got += a.AssigneeID
				if a.Status != StatusInProgress || a.Detailed != DetClientWaiting || !a.StartedAt.Equal(now) {
					t.Errorf("assigned dialog = %s/%s started %v", a.Status, a.Detailed, a.StartedAt)
				}
				if len(o.Events) != 1 || o.Events[0].Type != EvAutoAssigned || o.Events[0].To != a.AssigneeID || o.Events[0].ActorID != "" {
					t.Errorf("log = %+v, want one auto_assigned entry by the system", o.Events)
				}
			}
			if got != tt.want {
				t.Errorf("spread = %q, want %q", got, tt.want)
			}
			for id, n := range b.InProgress {
				if c := org.Operators[id].Capacity; n > c && n > tt.load[id] {
					t.Errorf("%s holds %d, capacity %d", id, n, c)
				}
			}
		})
	}
}

func TestAutoAssignableLeavesOutBlacklistedPinnedAndAssigned(t *testing.T) {
	org := aaOrg(AutoAssignRoundRobin)
	d := func(mut func(*Dialog)) *Dialog {
		x := &Dialog{ID: "d", LineID: "l", Status: StatusUnassigned}
		if mut != nil {
			mut(x)
		}
		return x
	}
	tests := []struct {
		name string
		d    *Dialog
		cl   *Client
		want bool
	}{
		{"a waiting dialog", d(nil), &Client{ID: "c"}, true},
		{"the client unknown", d(nil), nil, true},
		{"already in progress", d(func(x *Dialog) { x.Status, x.AssigneeID = StatusInProgress, "ann" }), nil, false},
		{"snoozed", d(func(x *Dialog) { x.Status = StatusSnoozed }), nil, false},
		{"blacklisted on the dialog", d(func(x *Dialog) { x.ClientBlacklisted = true }), nil, false},
		{"blacklisted client", d(nil), &Client{ID: "c", Blacklisted: true}, false},
		{"pinned to an active operator", d(nil), &Client{ID: "c", PinnedOperatorID: "bob"}, false},
		{"pinned to a deactivated operator", d(nil), &Client{ID: "c", PinnedOperatorID: "dan"}, true},
		{"a line without auto-assignment", d(func(x *Dialog) { x.LineID = "off" }), nil, false},
	}
	for _, tt := range tests {
		if got := AutoAssignable(org, tt.d, tt.cl); got != tt.want {
			t.Errorf("%s: AutoAssignable = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestPinnedClientsStillGoToTheirOperator: a pinned client's new dialog in
// an auto-assigning line goes to the pinned operator by the inbound rules
// (logged as auto_assigned), whoever is next in turn; returned to the
// queue, it does not wait for auto-assignment either.
func TestPinnedClientsStillGoToTheirOperator(t *testing.T) {
	m := newMem()
	m.org.Lines["sales"].AutoAssign = AutoAssignRoundRobin
	m.clients["c9"] = &Client{ID: "c9", OriginalName: "Pinned", PinnedOperatorID: "oleg",
		Contacts: []Contact{{ChannelID: "tg", Kind: KindTelegram, ExternalID: "c9"}}}
	d := m.inbound(t, "tg", "c9", "x0", t0)
	if d.Status != StatusInProgress || d.AssigneeID != "oleg" {
		t.Fatalf("pinned client's dialog = %s/%s, want in progress with oleg", d.Status, d.AssigneeID)
	}
	back := d.Clone()
	back.Status, back.AssigneeID = StatusUnassigned, ""
	if AutoAssignable(m.org, back, m.clients["c9"]) {
		t.Error("a pinned client's dialog waits for auto-assignment")
	}
}

// TestGiveOutAvoidsWhoJustReturnedIt: a dialog its operator returned to
// the queue goes to someone else, or waits, but not straight back.
func TestGiveOutAvoidsWhoJustReturnedIt(t *testing.T) {
	env := Env{Now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), NewID: func() string { return "e" }}
	for _, tt := range []struct {
		mode   AutoAssign
		online string
		want   string
	}{
		{AutoAssignLeastLoaded, "ab", "bob"},
		{AutoAssignRoundRobin, "ab", "bob"},
		{AutoAssignRoundRobin, "a", ""},
	} {
		org := aaOrg(tt.mode)
		b := board(tt.online, map[string]int{"bob": 1}, "", nil)
		b.Avoid["d"] = "ann"
		o := GiveOut(org, b, &Dialog{ID: "d", LineID: "l", Status: StatusUnassigned}, nil, env)
		got := ""
		if o != nil {
			got = o.Dialogs[0].AssigneeID
		}
		if got != tt.want {
			t.Errorf("%s, online %s: returned by ann, went to %q, want %q", tt.mode, tt.online, got, tt.want)
		}
	}
}
