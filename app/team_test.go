package app

import (
	"encoding/json"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// seedTeam adds colleagues to seed's workspace: Olena shares the line,
// Boris supervises another one, Ghost left the team.
func seedTeam(ts *synctest.Server) {
	seed(ts)
	ts.Put(wire.KindOperator, "olena", &inbox.Operator{ID: "olena", Name: "Olena", Role: "operator", Active: true})
	ts.Put(wire.KindOperator, "boris", &inbox.Operator{ID: "boris", Name: "Boris", Role: "supervisor", Active: true})
	ts.Put(wire.KindOperator, "ghost", &inbox.Operator{ID: "ghost", Name: "Ghost", Role: "operator"})
	ts.Put(wire.KindGroup, "g1", &inbox.Group{ID: "g1", Name: "Support", MemberIDs: []string{"anna", "olena"}})
}

// sent returns the payloads of the commands of type typ the server ran.
func sent(ts *synctest.Server, typ string) []map[string]any {
	var out []map[string]any
	for _, c := range ts.ExecutedCommands() {
		if c.Type == typ {
			var p map[string]any
			_ = json.Unmarshal(c.Payload, &p)
			out = append(out, p)
		}
	}
	return out
}

func TestColleaguesAreTheActiveTeamButMe(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the team", func() bool { c, _ := a.Team.Colleagues(); return len(c) == 2 })
	got, _ := a.Team.Colleagues()
	if got[0].Name != "Boris" || got[1].Name != "Olena" {
		t.Errorf("Colleagues = %+v, want Boris and Olena (not me, not the inactive Ghost), by name", got)
	}
}

func TestACommentMentionsColleaguesAndOnlyACommentMay(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	waitFor(t, "the team", func() bool { c, _ := a.Team.Colleagues(); return len(c) == 2 })

	tests := []struct {
		name, kind string
		mentions   []string
		want       string
	}{
		{"a reply to the customer cannot mention", "outbound", []string{"olena"}, CodeMentionNotComment},
		{"a private note cannot mention", "note", []string{"olena"}, CodeMentionNotComment},
		{"someone who left the team cannot be mentioned", "comment", []string{"ghost"}, CodeUnknownColleague},
		{"nor someone who never was on it", "comment", []string{"nobody"}, CodeUnknownColleague},
	}
	for _, tt := range tests {
		if _, err := a.Conversation.Send("d1", tt.kind, "@someone look", tt.mentions, ""); codeOf(err) != tt.want {
			t.Errorf("%s: Send = %v, want %s", tt.name, err, tt.want)
		}
	}

	id, err := a.Conversation.Send("d1", "comment", "@Olena @Boris <i>check</i>", []string{"olena", "boris", "olena", "anna"}, "")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := a.Conversation.History("d1", 0)
	if len(h.Items) != 1 || !slices.Equal(h.Items[0].Message.Mentions, []string{"Olena", "Boris"}) || h.Items[0].Message.ID != id {
		t.Errorf("History = %+v, want the comment mentioning Olena and Boris once each", h.Items)
	}
	waitFor(t, "the comment at the server", func() bool { return len(sent(ts, "message.send")) == 1 })
	p := sent(ts, "message.send")[0]
	if p["kind"] != "comment" || p["text"] != "@Olena @Boris <i>check</i>" || len(p["mentions"].([]any)) != 2 {
		t.Errorf("message.send payload = %v, want the comment with mentions [olena boris]", p)
	}
}

func TestAddingColleaguesWithOrWithoutAComment(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	waitFor(t, "the team", func() bool { c, _ := a.Team.Colleagues(); return len(c) == 2 })

	if err := a.Team.AddColleagues("d1", nil, "hi"); codeOf(err) != CodeNoColleague {
		t.Errorf("AddColleagues(nobody) = %v, want %s", err, CodeNoColleague)
	}
	if err := a.Team.AddColleagues("d1", []string{"ghost"}, ""); codeOf(err) != CodeUnknownColleague {
		t.Errorf("AddColleagues(ghost) = %v, want %s", err, CodeUnknownColleague)
	}
	// Without a comment: each colleague is added on their own, once.
	if err := a.Team.AddColleagues("d1", []string{"boris", "olena", "boris"}, " "); err != nil {
		t.Fatal(err)
	}
	if d, _ := a.core.rp.Dialog(t.Context(), "d1"); !slices.Equal(d.Participants, []string{"boris", "olena"}) {
		t.Errorf("participants right after = %v, want boris and olena at once", d.Participants)
	}
	// Again: they are in already, nothing more is sent.
	if err := a.Team.AddColleagues("d1", []string{"olena"}, ""); err != nil {
		t.Fatal(err)
	}
	// With a comment: one comment mentioning them.
	if err := a.Team.AddColleagues("d1", []string{"olena"}, "Can you take over?"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the commands at the server", func() bool { return len(ts.Executed()) == 3 })
	adds := sent(ts, "dialog.add_participant")
	if len(adds) != 2 || adds[0]["operatorId"] != "boris" || adds[1]["operatorId"] != "olena" {
		t.Errorf("dialog.add_participant payloads = %v, want boris then olena", adds)
	}
	sends := sent(ts, "message.send")
	if len(sends) != 1 || sends[0]["kind"] != "comment" || sends[0]["text"] != "Can you take over?" {
		t.Errorf("message.send payloads = %v, want one comment", sends)
	}
}

func TestColleaguesTypingAndViewingShowLiveAndFade(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	a, ev := startApp(t)
	now := time.Now()
	var clock atomic.Int64 // read by the app's sweeper
	clock.Store(now.UnixNano())
	a.core.activity.mu.Lock()
	a.core.activity.now = func() time.Time { return time.Unix(0, clock.Load()) }
	a.core.activity.mu.Unlock()
	signIn(t, a, ts)
	waitFor(t, "the team", func() bool { c, _ := a.Team.Colleagues(); return len(c) == 2 })

	ts.Relay(wire.Frame{Type: wire.FrameTyping, DialogID: "d1", OperatorID: "olena", Typing: true})
	ts.Relay(wire.Frame{Type: wire.FrameViewing, DialogID: "d1", OperatorID: "boris", Viewing: true})
	ts.Relay(wire.Frame{Type: wire.FrameTyping, DialogID: "d1", OperatorID: "anna", Typing: true}) // our own, from another desktop
	names := func(cs []Colleague) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	waitFor(t, "the activity event", func() bool {
		return ev.find(EventDialogActivity, func(d any) bool {
			da := d.(DialogActivity)
			return da.DialogID == "d1" && slices.Equal(names(da.Typing), []string{"Olena"}) && slices.Equal(names(da.Viewing), []string{"Boris", "Olena"})
		})
	})
	got, err := a.Team.Activity("d1")
	if err != nil || !slices.Equal(names(got.Typing), []string{"Olena"}) {
		t.Errorf("Activity(d1) = %+v, %v; want Olena typing", got, err)
	}

	// Olena stops sending typing frames: she fades from typing, but is
	// still viewing until that lapses too.
	clock.Store(now.Add(typingTTL + time.Second).UnixNano())
	waitFor(t, "typing to fade", func() bool { got, _ := a.Team.Activity("d1"); return len(got.Typing) == 0 })
	waitFor(t, "the fading event", func() bool {
		return ev.find(EventDialogActivity, func(d any) bool {
			da := d.(DialogActivity)
			return da.DialogID == "d1" && len(da.Typing) == 0 && slices.Equal(names(da.Viewing), []string{"Boris"})
		})
	})
	// Boris goes offline: he is forgotten at once.
	ts.Relay(wire.Frame{Type: wire.FramePresence, OperatorID: "boris"})
	waitFor(t, "Boris gone", func() bool { got, _ := a.Team.Activity("d1"); return len(got.Viewing) == 0 })
}

func TestTheOperatorsOwnTypingAndViewingGoToTheServer(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	if err := a.Team.SetOpen("d1"); err != nil {
		t.Fatal(err)
	}
	if err := a.Team.SetTyping("d1", true, false); err != nil {
		t.Fatal(err)
	}
	if err := a.Team.SetTyping("d1", true, true); err != nil {
		t.Fatal(err)
	}
	if err := a.Team.SetOpen("d2"); err != nil {
		t.Fatal(err)
	}
	want := []wire.Frame{
		{Type: wire.FrameViewing, DialogID: "d1", Viewing: true},
		{Type: wire.FrameTyping, DialogID: "d1", Typing: true},
		{Type: wire.FrameTyping, DialogID: "d1", Typing: true, Reply: true},
		{Type: wire.FrameViewing, DialogID: "d1"},
		{Type: wire.FrameViewing, DialogID: "d2", Viewing: true},
	}
	waitFor(t, "the frames at the server", func() bool { return len(ts.Heard()) >= len(want) })
	if got := ts.Heard()[:len(want)]; !reflect.DeepEqual(got, want) {
		t.Errorf("the server heard %+v, want %+v", got, want)
	}
}

func TestRepliesSinceWarnsOfAColleaguesAnswer(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	started := time.Now().Add(-time.Minute)
	put := func(id, author string, kind inbox.MessageKind, at time.Time) {
		ts.Put(wire.KindMessage, id, &inbox.Message{ID: id, DialogID: "d1", Kind: kind, AuthorID: author, Text: id, CreatedAt: at})
	}
	put("before", "olena", inbox.MsgOutbound, started.Add(-time.Second))
	put("mine", "anna", inbox.MsgOutbound, started.Add(time.Second))
	put("comment", "olena", inbox.MsgComment, started.Add(time.Second))
	put("olenas", "olena", inbox.MsgOutbound, started.Add(2*time.Second))
	waitFor(t, "the messages", func() bool { h, _ := a.Conversation.History("d1", 0); return len(h.Items) == 4 })
	got, err := a.Conversation.RepliesSince("d1", started.UnixMilli())
	if err != nil || len(got) != 1 || got[0].ID != "olenas" || got[0].AuthorName != "Olena" {
		t.Errorf("RepliesSince = %+v, %v; want Olena's answer only", got, err)
	}
}

func TestTheCustomerTypingShowsAndFades(t *testing.T) {
	ts := synctest.New(t)
	seedTeam(ts)
	a, ev := startApp(t)
	now := time.Now()
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	a.core.activity.mu.Lock()
	a.core.activity.now = func() time.Time { return time.Unix(0, clock.Load()) }
	a.core.activity.mu.Unlock()
	signIn(t, a, ts)

	// Repeated as a connector repeats it while the customer types: the
	// app's live feed may still be connecting when the first one goes out.
	waitFor(t, "the customer typing event", func() bool {
		ts.Relay(wire.Frame{Type: wire.FrameClientTyping, DialogID: "d1", Typing: true})
		return ev.find(EventDialogActivity, func(d any) bool {
			da := d.(DialogActivity)
			return da.DialogID == "d1" && da.ClientTyping && len(da.Typing) == 0
		})
	})
	if got, _ := a.Team.Activity("d2"); got.ClientTyping {
		t.Errorf("Activity(d2) = %+v: the customer of another dialog types", got)
	}
	// The connector stops telling: it fades like a colleague's typing.
	clock.Store(now.Add(typingTTL + time.Second).UnixNano())
	waitFor(t, "the customer's typing to fade", func() bool { got, _ := a.Team.Activity("d1"); return !got.ClientTyping })
}
