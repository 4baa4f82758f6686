package app

import (
	"testing"
	"time"

	"switchboard/app/notify"
	"switchboard/app/replica"
	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

func mention(id, author, text string, mentions ...string) *inbox.Message {
	return &inbox.Message{ID: id, DialogID: "d1", Kind: inbox.MsgComment, AuthorID: author, Text: text,
		Mentions: mentions, CreatedAt: time.Now()}
}

func TestTheNotificationCentreListsMentionsAndAlertsUntilRead(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	// A mention from before the first sign-in is history: listed, read.
	ts.Put(wire.KindMessage, "old", mention("old", "olena", "old news @Anna", "anna"))
	log := &alertLog{}
	a, ev := startAppWith(t, t.TempDir(), &memTokens{}, log)
	signIn(t, a, ts)
	waitFor(t, "the old mention", func() bool { l, _ := a.Notices.List(); return len(l.Items) == 1 })
	if l, _ := a.Notices.List(); l.Unread != 0 || !l.Items[0].Read {
		t.Errorf("the first sync's mention = %+v, want it read", l)
	}

	hostile := `<img src=x onerror=alert(1)> @Anna`
	ts.Put(wire.KindMessage, "m1", mention("m1", "olena", hostile, "anna", "boris"))
	ts.Put(wire.KindMessage, "m2", mention("m2", "olena", "@Boris only", "boris"))
	ts.Put(wire.KindMessage, "m3", mention("m3", "anna", "a note to myself @Anna", "anna"))
	ts.Put(wire.KindDialog, "d2", newUnassigned("d2")) // raises a new-dialog alert
	waitFor(t, "the mention and the alert", func() bool { l, _ := a.Notices.List(); return l.Unread == 2 })
	l, err := a.Notices.List()
	if err != nil {
		t.Fatal(err)
	}
	var m, al *NoticeView
	for i := range l.Items {
		switch l.Items[i].Kind {
		case "mention":
			if l.Items[i].ID == "mention:m1" {
				m = &l.Items[i]
			}
		case string(notify.KindNewDialog):
			al = &l.Items[i]
		}
	}
	if m == nil || m.Body != hostile || m.ActorName != "Olena" || m.ClientName != "Оксана" || m.DialogID != "d1" || m.Read {
		t.Errorf("the mention entry = %+v, want Olena's comment as written, on Оксана's dialog, unread", m)
	}
	if al == nil || al.DialogID != "d2" || al.Title != "New dialog in First line" || al.Read {
		t.Errorf("the alert entry = %+v, want the new dialog d2", al)
	}
	if len(l.Items) != 3 {
		t.Errorf("the centre holds %d entries, want 3 (no mention of others, none of my own, no duplicate for the mention alert)", len(l.Items))
	}
	// The mention also raised a native alert; the centre lists it once.
	waitFor(t, "the mention alert", func() bool {
		for _, x := range log.alerts() {
			if x.Kind == notify.KindMention && x.DialogID == "d1" {
				return true
			}
		}
		return false
	})
	// The alert's entry is written, then announced, on a goroutine of its
	// own (raisedAlert): the list can show it a moment before the event.
	waitFor(t, "a notices:changed event with 2 unread", func() bool {
		return ev.find(EventNoticesChanged, func(d any) bool { return d.(NoticesChanged).Unread == 2 })
	})
	c, _ := a.Inbox.Counters()
	if c.Notices != 2 {
		t.Errorf("Counters.Notices = %d, want 2", c.Notices)
	}

	// Opening the dialog reads its entries; the others stay unread.
	if err := a.Team.SetOpen("d1"); err != nil {
		t.Fatal(err)
	}
	if l, _ := a.Notices.List(); l.Unread != 1 {
		t.Errorf("unread after opening d1 = %d, want 1", l.Unread)
	}
	if err := a.Notices.MarkAllRead(); err != nil {
		t.Fatal(err)
	}
	if l, _ := a.Notices.List(); l.Unread != 0 {
		t.Errorf("unread after MarkAllRead = %d, want 0", l.Unread)
	}
	// The entries survive signing in again on this desktop, and go with
	// signing out.
	if err := a.Session.Logout(); err != nil {
		t.Fatal(err)
	}
	signIn(t, a, ts)
	waitFor(t, "the replica again", func() bool { l, _ := a.Notices.List(); return len(l.Items) >= 2 })
	if l, _ := a.Notices.List(); l.Unread != 0 {
		t.Errorf("after signing in afresh: %+v, want the mentions as history, read", l)
	}
}

func TestCountersFollowTheOperatorsRoles(t *testing.T) {
	org := &inbox.Org{
		Operators: map[string]*inbox.Operator{
			"op":   {ID: "op", Role: "operator", Active: true},
			"sup":  {ID: "sup", Role: "operator", Active: true},
			"both": {ID: "both", Role: "operator", Active: true},
		},
		Roles: map[string]*inbox.Role{},
		Groups: map[string]*inbox.Group{
			"g-ops":  {ID: "g-ops", MemberIDs: []string{"op", "both"}},
			"g-sups": {ID: "g-sups", MemberIDs: []string{"sup", "both"}},
		},
		Lines: map[string]*inbox.Line{
			"l1": {ID: "l1", Name: "Support", OperatorGroupIDs: []string{"g-ops"}, SupervisorGroupIDs: []string{"g-sups"}},
			"l2": {ID: "l2", Name: "Sales", OperatorGroupIDs: []string{"g-ops"}},
		},
	}
	for _, r := range inbox.DefaultRoles() {
		org.Roles[r.ID] = r
	}
	perLine := map[string]replica.LineCount{
		"l1": {Unassigned: 4, UnreadMine: 2, UnreadSnoozed: 1},
		"l2": {Unassigned: 7},
	}
	tests := []struct {
		who                       string
		unread, unassigned, total int
		lines                     []LineCounter
	}{
		{"op", 3, 0, 3, []LineCounter{{ID: "l2", Name: "Sales", Unassigned: 7}, {ID: "l1", Name: "Support", Unassigned: 4, Unread: 3, Badge: 3}}},
		{"sup", 3, 4, 7, []LineCounter{{ID: "l1", Name: "Support", Unassigned: 4, Unread: 3, Badge: 7}}},
		{"both", 3, 4, 7, []LineCounter{{ID: "l2", Name: "Sales", Unassigned: 7}, {ID: "l1", Name: "Support", Unassigned: 4, Unread: 3, Badge: 7}}},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			c := countersOf(org, tt.who, map[replica.Tab]int{replica.TabMine: 2}, perLine, 5)
			if c.Unread != tt.unread || c.Unassigned != tt.unassigned || c.Total != tt.total || c.Notices != 5 {
				t.Errorf("countersOf(%s) = unread %d, unassigned %d, total %d, notices %d; want %d, %d, %d, 5",
					tt.who, c.Unread, c.Unassigned, c.Total, c.Notices, tt.unread, tt.unassigned, tt.total)
			}
			if len(c.Lines) != len(tt.lines) {
				t.Fatalf("lines = %+v, want %+v", c.Lines, tt.lines)
			}
			for i := range c.Lines {
				if c.Lines[i] != tt.lines[i] {
					t.Errorf("line %d = %+v, want %+v", i, c.Lines[i], tt.lines[i])
				}
			}
			if c.Tabs["mine"] != 2 || c.TabUnread["mine"] != 2 || c.TabUnread["snoozed"] != 1 {
				t.Errorf("tabs = %v, unread %v", c.Tabs, c.TabUnread)
			}
		})
	}
}
