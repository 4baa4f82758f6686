package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// The fake clock: every case runs at now; changes happen a second earlier.
var (
	now = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	at  = now.Add(-time.Second)
)

func testOrg() *inbox.Org {
	ops := []*inbox.Operator{
		{ID: "anna", Name: "Anna", Role: inbox.RoleOperator, Active: true, Language: "en"},
		{ID: "oleg", Name: "Oleg", Role: inbox.RoleOperator, Active: true},
		{ID: "sofia", Name: "Sofia", Role: inbox.RoleSupervisor, Active: true},
	}
	groups := []*inbox.Group{
		{ID: "g-support", Name: "Support", MemberIDs: []string{"anna", "oleg"}},
		{ID: "g-sales", Name: "Sales", MemberIDs: []string{"oleg"}},
		{ID: "g-leads", Name: "Leads", MemberIDs: []string{"sofia"}},
	}
	lines := []*inbox.Line{
		{ID: "l-support", Name: "Support", OperatorGroupIDs: []string{"g-support"}},
		{ID: "l-sales", Name: "Sales", OperatorGroupIDs: []string{"g-sales"}},
		{ID: "l-vip", Name: "VIP", OperatorGroupIDs: []string{"g-sales"}, SupervisorGroupIDs: []string{"g-support"}},
	}
	return inbox.NewOrg(&inbox.Workspace{ID: "ws", DefaultLanguage: "en"}, ops, inbox.DefaultRoles(), groups, lines, nil, nil)
}

// lookup is the replica as the policy reads it: dialogs and client names.
type lookup struct {
	dialogs map[string]*inbox.Dialog
	clients map[string]string
}

func (l *lookup) Dialog(_ context.Context, id string) (*inbox.Dialog, error) {
	if d := l.dialogs[id]; d != nil {
		return d, nil
	}
	return nil, inbox.ErrNotFound
}

func (l *lookup) ClientName(_ context.Context, id string) (string, error) { return l.clients[id], nil }

func newLookup() *lookup {
	return &lookup{dialogs: map[string]*inbox.Dialog{}, clients: map[string]string{
		"c-ivan": "Ivan Petrov", "c-maria": "Maria", "c-spam": "Spammer",
	}}
}

// dlg builds a dialog of client c-ivan in line l-support, changed at `at`.
func dlg(id string, status inbox.Status, mutate ...func(*inbox.Dialog)) *inbox.Dialog {
	d := &inbox.Dialog{ID: id, ClientID: "c-ivan", LineID: "l-support", Status: status, CreatedAt: at,
		ModifiedAt: at, LastMessageText: "Hello, my order is late"}
	if status == inbox.StatusUnassigned {
		d.QueuedAt = at
	}
	for _, m := range mutate {
		m(d)
	}
	return d
}

func assignee(id string) func(*inbox.Dialog) {
	return func(d *inbox.Dialog) { d.AssigneeID = id; d.StartedAt = at }
}
func inLine(id string) func(*inbox.Dialog) { return func(d *inbox.Dialog) { d.LineID = id } }
func client(id string) func(*inbox.Dialog) { return func(d *inbox.Dialog) { d.ClientID = id } }
func blacklisted(d *inbox.Dialog)          { d.ClientBlacklisted = true }

var absent = replica.DialogHead{}

func put(before replica.DialogHead, d *inbox.Dialog) replica.DialogChange {
	return replica.DialogChange{Before: before, After: d}
}

func head(status inbox.Status, line, assignee string) replica.DialogHead {
	return replica.DialogHead{Exists: true, Status: status, LineID: line, AssigneeID: assignee}
}

func inbound(id, dialogID, text string) replica.MessageChange {
	return replica.MessageChange{New: true, Message: &inbox.Message{ID: id, DialogID: dialogID, Kind: inbox.MsgInbound, Text: text, CreatedAt: at}}
}

func comment(id, dialogID, author, text string, mentions ...string) replica.MessageChange {
	return replica.MessageChange{New: true, Message: &inbox.Message{ID: id, DialogID: dialogID, Kind: inbox.MsgComment,
		AuthorID: author, Text: text, Mentions: mentions, CreatedAt: at}}
}

func logged(dialogID string, typ inbox.EventType, actor string) *inbox.DialogEvent {
	return &inbox.DialogEvent{ID: dialogID + string(typ), DialogID: dialogID, Type: typ, ActorID: actor, At: at}
}

// newPolicy is anna's policy, online, with the fake replica.
func newPolicy(look *lookup) *Policy {
	p := NewPolicy("anna", testOrg(), look, Options{Window: 5 * time.Second})
	p.SetOnline(true)
	return p
}

// show renders alerts for comparison: kind|urgency|count|title|body.
func show(alerts []Alert) []string {
	out := []string{}
	for _, a := range alerts {
		out = append(out, fmt.Sprintf("%s|%d|%d|%s|%s", a.Kind, a.Urgency, a.Count, a.Title, a.Body))
	}
	return out
}

func sameList(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestPolicyRules(t *testing.T) {
	tests := []struct {
		name  string
		setup func(p *Policy, l *lookup)
		batch replica.Applied
		want  []string
	}{
		{
			name:  "a new unassigned dialog in one of my lines alerts",
			batch: replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned))}},
			want:  []string{"new_dialog|1|1|New dialog in Support|Ivan Petrov: Hello, my order is late"},
		},
		{
			name:  "a new dialog in a line I supervise alerts",
			batch: replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned, inLine("l-vip")))}},
			want:  []string{"new_dialog|1|1|New dialog in VIP|Ivan Petrov: Hello, my order is late"},
		},
		{
			name:  "a new dialog in someone else's line does not",
			batch: replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned, inLine("l-sales")))}},
		},
		{
			name: "a blacklisted client's new dialog does not",
			batch: replica.Applied{Dialogs: []replica.DialogChange{
				put(absent, dlg("d1", inbox.StatusUnassigned, client("c-spam"), blacklisted))}},
		},
		{
			name: "a dialog force-closed as spam does not",
			batch: replica.Applied{Dialogs: []replica.DialogChange{
				put(head(inbox.StatusUnassigned, "l-support", ""), dlg("d1", inbox.StatusSpam))}},
		},
		{
			name: "a dialog still in the same queue (re-sent, re-read) does not alert again",
			batch: replica.Applied{Dialogs: []replica.DialogChange{
				put(head(inbox.StatusUnassigned, "l-support", ""), dlg("d1", inbox.StatusUnassigned))}},
		},
		{
			name: "a dialog transferred into my line's queue alerts",
			batch: replica.Applied{Dialogs: []replica.DialogChange{
				put(head(inbox.StatusUnassigned, "l-sales", ""), dlg("d1", inbox.StatusUnassigned))}},
			want: []string{"new_dialog|1|1|New dialog in Support|Ivan Petrov: Hello, my order is late"},
		},
		{
			name: "a dialog I returned to the queue myself does not",
			batch: replica.Applied{
				Dialogs: []replica.DialogChange{put(head(inbox.StatusInProgress, "l-support", "anna"), dlg("d1", inbox.StatusUnassigned))},
				Events:  []*inbox.DialogEvent{logged("d1", inbox.EvReturned, "anna")}},
		},
		{
			name: "a new dialog routed straight to me as the pinned operator alerts me once, not also as a reply",
			batch: replica.Applied{
				Dialogs:  []replica.DialogChange{put(absent, dlg("d1", inbox.StatusInProgress, assignee("anna")))},
				Messages: []replica.MessageChange{inbound("m1", "d1", "Hello, my order is late")},
				Events:   []*inbox.DialogEvent{logged("d1", inbox.EvCreated, ""), logged("d1", inbox.EvAutoAssigned, "")}},
			want: []string{"assigned|1|1|New dialog for you|Ivan Petrov: Hello, my order is late"},
		},
		{
			name: "a new dialog in my line routed straight to a colleague's pin does not alert me",
			batch: replica.Applied{
				Dialogs:  []replica.DialogChange{put(absent, dlg("d1", inbox.StatusInProgress, assignee("oleg")))},
				Messages: []replica.MessageChange{inbound("m1", "d1", "Hello")},
				Events:   []*inbox.DialogEvent{logged("d1", inbox.EvAutoAssigned, "")}},
		},
		{
			name: "a dialog a colleague assigned to me alerts",
			batch: replica.Applied{
				Dialogs: []replica.DialogChange{put(head(inbox.StatusUnassigned, "l-support", ""), dlg("d1", inbox.StatusInProgress, assignee("anna")))},
				Events:  []*inbox.DialogEvent{logged("d1", inbox.EvAssigned, "oleg")}},
			want: []string{"assigned|1|1|Dialog assigned to you|Ivan Petrov: Hello, my order is late"},
		},
		{
			name: "a dialog I took myself does not",
			batch: replica.Applied{
				Dialogs: []replica.DialogChange{put(head(inbox.StatusUnassigned, "l-support", ""), dlg("d1", inbox.StatusInProgress, assignee("anna")))},
				Events:  []*inbox.DialogEvent{logged("d1", inbox.EvTaken, "anna")}},
		},
		{
			name: "the server confirming my optimistic take does not",
			batch: replica.Applied{Dialogs: []replica.DialogChange{
				put(head(inbox.StatusInProgress, "l-support", "anna"), dlg("d1", inbox.StatusInProgress, assignee("anna")))}},
		},
		{
			name: "a comment mentioning me alerts, critical, with its text and the dialog",
			setup: func(p *Policy, l *lookup) {
				l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("oleg"), inLine("l-sales"))
			},
			batch: replica.Applied{Messages: []replica.MessageChange{comment("m1", "d1", "oleg", "@Anna can you   check\nthe refund?", "anna")}},
			want:  []string{"mention|2|1|Oleg mentioned you|@Anna can you check the refund?\nDialog: Ivan Petrov"},
		},
		{
			name: "a mention that also brings the dialog into my sight alerts once",
			batch: replica.Applied{
				Dialogs:  []replica.DialogChange{put(absent, dlg("d1", inbox.StatusInProgress, assignee("oleg"), inLine("l-sales")))},
				Messages: []replica.MessageChange{comment("m1", "d1", "oleg", "look", "anna")},
				Events:   []*inbox.DialogEvent{logged("d1", inbox.EvParticipantAdded, "oleg")}},
			want: []string{"mention|2|1|Oleg mentioned you|look\nDialog: Ivan Petrov"},
		},
		{
			name:  "a comment mentioning someone else does not",
			setup: func(p *Policy, l *lookup) { l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna")) },
			batch: replica.Applied{Messages: []replica.MessageChange{comment("m1", "d1", "oleg", "@Sofia look", "sofia")}},
		},
		{
			name:  "my own comment mentioning myself does not",
			setup: func(p *Policy, l *lookup) { l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna")) },
			batch: replica.Applied{Messages: []replica.MessageChange{comment("m1", "d1", "anna", "note to self @Anna", "anna")}},
		},
		{
			name:  "an edited mention (not new here) does not alert again",
			setup: func(p *Policy, l *lookup) { l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("oleg")) },
			batch: replica.Applied{Messages: []replica.MessageChange{func() replica.MessageChange {
				m := comment("m1", "d1", "oleg", "look, edited", "anna")
				m.New = false
				return m
			}()}},
		},
		{
			name:  "the customer's reply in my dialog alerts",
			setup: func(p *Policy, l *lookup) { l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna")) },
			batch: replica.Applied{
				Dialogs:  []replica.DialogChange{put(head(inbox.StatusInProgress, "l-support", "anna"), dlg("d1", inbox.StatusInProgress, assignee("anna")))},
				Messages: []replica.MessageChange{inbound("m1", "d1", "Any news?")}},
			want: []string{"reply|1|1|New message: Ivan Petrov|Any news?"},
		},
		{
			name:  "a reply whose dialog is read from the replica alerts too",
			setup: func(p *Policy, l *lookup) { l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna")) },
			batch: replica.Applied{Messages: []replica.MessageChange{inbound("m1", "d1", "Any news?")}},
			want:  []string{"reply|1|1|New message: Ivan Petrov|Any news?"},
		},
		{
			name:  "the customer's reply in a colleague's dialog does not",
			setup: func(p *Policy, l *lookup) { l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("oleg")) },
			batch: replica.Applied{Messages: []replica.MessageChange{inbound("m1", "d1", "Any news?")}},
		},
		{
			name: "a blacklisted client's reply in my dialog does not",
			setup: func(p *Policy, l *lookup) {
				l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna"), blacklisted)
			},
			batch: replica.Applied{Messages: []replica.MessageChange{inbound("m1", "d1", "Any news?")}},
		},
		{
			name:  "old messages coming into sight with a dialog are history, not news",
			setup: func(p *Policy, l *lookup) { l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna")) },
			batch: replica.Applied{Messages: []replica.MessageChange{func() replica.MessageChange {
				m := inbound("m1", "d1", "from last week")
				m.Message.CreatedAt = now.Add(-7 * 24 * time.Hour)
				return m
			}()}},
		},
		{
			name: "nothing alerts about the dialog I am looking at",
			setup: func(p *Policy, l *lookup) {
				l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna"))
				p.SetViewing("d1")
			},
			batch: replica.Applied{
				Dialogs:  []replica.DialogChange{put(head(inbox.StatusInProgress, "l-support", "anna"), dlg("d1", inbox.StatusInProgress, assignee("anna")))},
				Messages: []replica.MessageChange{inbound("m1", "d1", "Any news?"), comment("m2", "d1", "oleg", "@Anna", "anna")}},
		},
		{
			name:  "nothing alerts while Do Not Disturb is on",
			setup: func(p *Policy, l *lookup) { p.SetSettings(Settings{DoNotDisturb: true}) },
			batch: replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned))}},
		},
		{
			name:  "nothing alerts while I am offline",
			setup: func(p *Policy, l *lookup) { p.SetOnline(false) },
			batch: replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned))}},
		},
		{
			name: "hidden text leaves the client's name and no words of the message",
			setup: func(p *Policy, l *lookup) {
				l.dialogs["d2"] = dlg("d2", inbox.StatusInProgress, assignee("anna"), client("c-maria"))
				l.dialogs["d3"] = dlg("d3", inbox.StatusInProgress, assignee("oleg"))
				p.SetSettings(Settings{HideText: true})
			},
			batch: replica.Applied{
				Dialogs:  []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned))},
				Messages: []replica.MessageChange{inbound("m1", "d2", "my card number is 4111"), comment("m2", "d3", "oleg", "secret plan", "anna")}},
			want: []string{
				"new_dialog|1|1|New dialog in Support|Ivan Petrov",
				"mention|2|1|Oleg mentioned you|Dialog: Ivan Petrov",
				"reply|1|1|New message: Maria|Message text is hidden",
			},
		},
		{
			name:  "alerts speak the UI's language",
			setup: func(p *Policy, l *lookup) { p.SetSettings(Settings{Language: "uk"}) },
			batch: replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned))}},
			want:  []string{"new_dialog|1|1|Новий діалог у лінії «Support»|Ivan Petrov: Hello, my order is late"},
		},
		{
			name: "without a UI language alerts speak the operator's",
			setup: func(p *Policy, l *lookup) {
				org := testOrg()
				org.Operators["anna"].Language = "ru"
				p.SetOrg(org)
			},
			batch: replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("d1", inbox.StatusUnassigned))}},
			want:  []string{"new_dialog|1|1|Новый диалог в линии «Support»|Ivan Petrov: Hello, my order is late"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLookup()
			p := newPolicy(l)
			if tt.setup != nil {
				tt.setup(p, l)
			}
			got := show(p.Apply(context.Background(), now, tt.batch))
			if tt.want == nil {
				tt.want = []string{}
			}
			// Mentions come after the dialog rules; sort by kind for a
			// stable comparison.
			if !sameList(sortedByKind(got), sortedByKind(tt.want)) {
				t.Errorf("Apply =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func sortedByKind(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func newDialogs(from, n int) replica.Applied {
	var a replica.Applied
	for i := from; i < from+n; i++ {
		a.Dialogs = append(a.Dialogs, put(absent, dlg(fmt.Sprintf("d%d", i), inbox.StatusUnassigned)))
	}
	return a
}

func TestBurstInOneBatchGivesOneAlert(t *testing.T) {
	p := newPolicy(newLookup())
	got := show(p.Apply(context.Background(), now, newDialogs(0, 50)))
	want := []string{"new_dialog|1|50|50 new dialogs in Support|Ivan Petrov"}
	if !sameList(got, want) {
		t.Errorf("Apply(50 new dialogs) = %q, want %q", got, want)
	}
	if _, ok := p.Next(); ok {
		t.Errorf("Next() reports a pending window after a burst that all went out")
	}
}

func TestBurstOverASecondGivesTheFirstAlertAtOnceAndOneForTheRest(t *testing.T) {
	p := newPolicy(newLookup())
	ctx := context.Background()
	var got []string
	for i := range 50 {
		tm := now.Add(time.Duration(i) * 20 * time.Millisecond)
		got = append(got, show(p.Apply(ctx, tm, newDialogs(i, 1)))...)
		got = append(got, show(p.Due(tm))...)
	}
	want := []string{"new_dialog|1|1|New dialog in Support|Ivan Petrov: Hello, my order is late"}
	if !sameList(got, want) {
		t.Fatalf("during the burst = %q, want only the first dialog's alert %q", got, want)
	}
	next, ok := p.Next()
	if !ok || !next.Equal(now.Add(5*time.Second)) {
		t.Fatalf("Next() = %v, %v; want the window's end %v", next, ok, now.Add(5*time.Second))
	}
	if early := p.Due(next.Add(-time.Millisecond)); len(early) != 0 {
		t.Errorf("Due before the window ends = %q, want nothing", show(early))
	}
	got = show(p.Due(next))
	want = []string{"new_dialog|1|50|50 new dialogs in Support|Ivan Petrov"}
	if !sameList(got, want) {
		t.Errorf("Due(window end) = %q, want %q", got, want)
	}
	// A quiet window closes the burst: the next dialog alerts at once.
	if got := p.Due(next.Add(5 * time.Second)); len(got) != 0 {
		t.Errorf("Due after a quiet window = %q, want nothing", show(got))
	}
	later := next.Add(6 * time.Second)
	got = show(p.Apply(ctx, later, replica.Applied{Dialogs: []replica.DialogChange{put(absent, dlg("late", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.QueuedAt = later }))}}))
	if len(got) != 1 || !strings.Contains(got[0], "|1|New dialog in Support|") {
		t.Errorf("after the burst = %q, want one single alert", got)
	}
}

func TestBurstsOfDifferentLinesAndKindsStayApart(t *testing.T) {
	p := newPolicy(newLookup())
	a := newDialogs(0, 2)
	a.Dialogs = append(a.Dialogs, put(absent, dlg("v1", inbox.StatusUnassigned, inLine("l-vip"))))
	a.Messages = []replica.MessageChange{comment("m1", "d0", "oleg", "look", "anna"), comment("m2", "d1", "sofia", "and here", "anna")}
	got := show(p.Apply(context.Background(), now, a))
	want := []string{
		"mention|2|2|2 mentions of you|Sofia, Oleg",
		"new_dialog|1|1|New dialog in VIP|Ivan Petrov: Hello, my order is late",
		"new_dialog|1|2|2 new dialogs in Support|Ivan Petrov",
	}
	if !sameList(sortedByKind(got), want) {
		t.Errorf("Apply = %q, want %q", got, want)
	}
}

func TestCoalescedRepliesNameTheDialogOrCountTheDialogs(t *testing.T) {
	l := newLookup()
	l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna"))
	l.dialogs["d2"] = dlg("d2", inbox.StatusInProgress, assignee("anna"), client("c-maria"))
	p := newPolicy(l)
	ctx := context.Background()
	one := replica.Applied{Messages: []replica.MessageChange{inbound("m1", "d1", "hi"), inbound("m2", "d1", "order 4815"), inbound("m3", "d1", "hello?")}}
	got := show(p.Apply(ctx, now, one))
	if want := []string{"reply|1|3|3 new messages: Ivan Petrov|hello?"}; !sameList(got, want) {
		t.Errorf("three replies in one dialog = %q, want %q", got, want)
	}
	p.Apply(ctx, now.Add(time.Second), replica.Applied{Messages: []replica.MessageChange{inbound("m4", "d2", "hi there")}})
	got = show(p.Due(now.Add(5 * time.Second)))
	if want := []string{"reply|1|4|4 new messages in your dialogs|Maria"}; !sameList(got, want) {
		t.Errorf("a reply in a second dialog within the window = %q, want %q", got, want)
	}
}

func TestDoNotDisturbDropsWhatAWindowGathered(t *testing.T) {
	p := newPolicy(newLookup())
	ctx := context.Background()
	p.Apply(ctx, now, newDialogs(0, 1))
	p.Apply(ctx, now.Add(time.Second), newDialogs(1, 5))
	p.SetSettings(Settings{DoNotDisturb: true})
	if got := p.Due(now.Add(time.Minute)); len(got) != 0 {
		t.Errorf("Due after Do Not Disturb = %q, want nothing", show(got))
	}
}

func TestViewingADialogDropsItsGatheredAlerts(t *testing.T) {
	l := newLookup()
	l.dialogs["d1"] = dlg("d1", inbox.StatusInProgress, assignee("anna"))
	p := newPolicy(l)
	ctx := context.Background()
	p.Apply(ctx, now, replica.Applied{Messages: []replica.MessageChange{inbound("m1", "d1", "hi")}})
	p.Apply(ctx, now.Add(time.Second), replica.Applied{Messages: []replica.MessageChange{inbound("m2", "d1", "hello?")}})
	p.SetViewing("d1")
	if got := p.Due(now.Add(time.Minute)); len(got) != 0 {
		t.Errorf("Due after opening the dialog = %q, want nothing", show(got))
	}
}

func TestCatchUpGivesOneSummary(t *testing.T) {
	l := newLookup()
	l.dialogs["mine"] = dlg("mine", inbox.StatusInProgress, assignee("anna"))
	l.dialogs["theirs"] = dlg("theirs", inbox.StatusInProgress, assignee("oleg"))
	p := newPolicy(l)
	ctx := context.Background()
	p.SetOnline(false)
	p.BeginCatchUp(false)
	old := now.Add(-8 * time.Hour) // what happened overnight is summed up however old
	a := newDialogs(0, 21)
	a.Dialogs = append(a.Dialogs, put(absent, dlg("blk", inbox.StatusUnassigned, blacklisted)))
	a.Messages = []replica.MessageChange{comment("c1", "theirs", "oleg", "@Anna", "anna"), inbound("r1", "mine", "?"), inbound("r2", "mine", "??")}
	for _, m := range a.Messages {
		m.Message.CreatedAt = old
	}
	if got := p.Apply(ctx, now, a); len(got) != 0 {
		t.Errorf("Apply while catching up = %q, want nothing", show(got))
	}
	p.BeginCatchUp(false) // the sync reports syncing after connecting: still one catch-up
	if got := p.Apply(ctx, now, newDialogs(100, 1)); len(got) != 0 {
		t.Errorf("second page = %q, want nothing", show(got))
	}
	p.SetOnline(true)
	got := show(p.EndCatchUp())
	want := []string{"summary|1|24|While you were away|22 new dialogs in your lines\n1 mention of you\nnew messages in 1 of your dialogs"}
	if !sameList(got, want) {
		t.Errorf("EndCatchUp = %q, want %q", got, want)
	}
	if got := p.EndCatchUp(); len(got) != 0 {
		t.Errorf("a second EndCatchUp = %q, want nothing", show(got))
	}
	// Live again: alerts flow.
	if got := p.Apply(ctx, now, newDialogs(200, 1)); len(got) != 1 {
		t.Errorf("Apply after the catch-up = %q, want one alert", show(got))
	}
}

func TestCatchUpSummaryIsQuietWhenItShouldBe(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		fresh bool
		set   Settings
		batch replica.Applied
	}{
		{"a first sync of an empty replica is history, not news", true, Settings{}, newDialogs(0, 3)},
		{"Do Not Disturb silences the summary", false, Settings{DoNotDisturb: true}, newDialogs(0, 3)},
		{"nothing new gives no summary", false, Settings{}, replica.Applied{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(newLookup())
			p.SetSettings(tt.set)
			p.SetOnline(false)
			p.BeginCatchUp(tt.fresh)
			p.Apply(ctx, now, tt.batch)
			p.SetOnline(true)
			if got := p.EndCatchUp(); len(got) != 0 {
				t.Errorf("EndCatchUp = %q, want nothing", show(got))
			}
		})
	}
}

func TestSummarySpeaksRussianAndUkrainianPlurals(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, "1 новый диалог в ваших линиях"},
		{"ru", 3, "3 новых диалога в ваших линиях"},
		{"ru", 11, "11 новых диалогов в ваших линиях"},
		{"ru", 21, "21 новый диалог в ваших линиях"},
		{"uk", 2, "2 нові діалоги у ваших лініях"},
		{"uk", 5, "5 нових діалогів у ваших лініях"},
		{"uk", 22, "22 нові діалоги у ваших лініях"},
	} {
		p := newPolicy(newLookup())
		p.SetSettings(Settings{Language: tt.lang})
		p.SetOnline(false)
		p.BeginCatchUp(false)
		p.Apply(ctx, now, newDialogs(0, tt.n))
		p.SetOnline(true)
		got := p.EndCatchUp()
		if len(got) != 1 || got[0].Body != tt.want {
			t.Errorf("%s summary of %d = %q, want body %q", tt.lang, tt.n, show(got), tt.want)
		}
	}
}
