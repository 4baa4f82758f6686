package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/app/replica"
	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// seedTagged adds two messages to d1, a second dialog d2 on channel tg
// with a message of its own, and the tag VIP.
func seedTagged(ts *synctest.Server) {
	seed(ts)
	ts.Put(wire.KindChannel, "tg", &inbox.Channel{ID: "tg", Name: "Telegram bot", Kind: inbox.KindTelegram, LineID: "l1"})
	ts.Put(wire.KindTag, "vip", &inbox.Tag{ID: "vip", Name: "VIP", Color: "#f0ad4e"})
	now := time.Now().UTC()
	ts.Put(wire.KindMessage, "m1", &inbox.Message{ID: "m1", DialogID: "d1", Kind: inbox.MsgInbound, Text: "где заказ?", CreatedAt: now})
	ts.Put(wire.KindMessage, "m2", &inbox.Message{ID: "m2", DialogID: "d1", Kind: inbox.MsgInbound, Text: "<b>жалоба</b>", CreatedAt: now.Add(time.Second)})
	ts.Put(wire.KindDialog, "d2", &inbox.Dialog{ID: "d2", ClientID: "c1", LineID: "l1", ChannelID: "tg", Status: inbox.StatusUnassigned, QueuedAt: now})
	ts.Put(wire.KindMessage, "x1", &inbox.Message{ID: "x1", DialogID: "d2", Kind: inbox.MsgInbound, Text: "x", CreatedAt: now})
}

func messageTags(t *testing.T, a *App, dialogID string) map[string][]string {
	t.Helper()
	h, err := a.Conversation.History(dialogID, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, it := range h.Items {
		if it.Message != nil {
			for _, tg := range it.Message.Tags {
				out[it.Message.ID] = append(out[it.Message.ID], tg.Name)
			}
		}
	}
	return out
}

func TestTaggingMessagesWithATagMadeOnTheSpot(t *testing.T) {
	ts := synctest.New(t)
	seedTagged(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialogs", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 2 })

	for _, tc := range []struct{ name, want string }{
		{"  ", CodeTagName}, {"two\nlines", CodeTagName}, {strings.Repeat("я", inbox.MaxTagRunes+1), CodeTagTooLong},
	} {
		if _, err := a.Conversation.CreateTag(tc.name); codeOf(err) != tc.want {
			t.Errorf("CreateTag(%q) = %v, want %s", tc.name, err, tc.want)
		}
	}
	tag, err := a.Conversation.CreateTag("  Жалоба   на доставку ")
	if err != nil {
		t.Fatal(err)
	}
	if tag.Name != "Жалоба на доставку" || !strings.HasPrefix(tag.Color, "#") {
		t.Errorf("CreateTag = %+v, want the name tidied and a colour", tag)
	}
	tags, _ := a.Inbox.Tags()
	if len(tags) != 2 || tags[0].ID != "vip" || tags[1].ID != tag.ID {
		t.Errorf("Tags right after = %+v, want VIP and the new tag by name", tags)
	}
	if again, err := a.Conversation.CreateTag("жалоба НА доставку"); err != nil || again.ID != tag.ID {
		t.Errorf("CreateTag of the same name = %+v, %v; want the tag made a moment ago", again, err)
	}

	if err := a.Conversation.TagMessages("d1", nil, tag.ID); codeOf(err) != CodeNoMessages {
		t.Errorf("TagMessages(none) = %v, want %s", err, CodeNoMessages)
	}
	if err := a.Conversation.TagMessages("d1", []string{"m1", "x1"}, tag.ID); codeOf(err) != CodeTagMessages {
		t.Errorf("TagMessages with another dialog's message = %v, want %s", err, CodeTagMessages)
	}
	if err := a.Conversation.TagMessages("d1", []string{"m1"}, "ghost"); codeOf(err) != CodeTagUnknown {
		t.Errorf("TagMessages(ghost tag) = %v, want %s", err, CodeTagUnknown)
	}
	if err := a.Conversation.TagMessages("d1", []string{"m1", "m2", "m1"}, tag.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Conversation.TagMessages("d1", []string{"m2"}, "vip"); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"m1": {"Жалоба на доставку"}, "m2": {"Жалоба на доставку", "VIP"}}
	if got := messageTags(t, a, "d1"); len(got) != 2 || !slices.Equal(got["m1"], want["m1"]) || !slices.Equal(got["m2"], want["m2"]) {
		t.Errorf("message tags right after = %v, want %v", got, want)
	}
	if err := a.Conversation.TagDialog("d1", tag.ID); err != nil {
		t.Fatal(err)
	}
	if d, _ := a.Conversation.Dialog("d1"); len(d.Row.Tags) != 1 || d.Row.Tags[0].Name != "Жалоба на доставку" {
		t.Errorf("dialog tags = %+v", d.Row.Tags)
	}
	page, err := a.Inbox.ListFiltered("unassigned", replica.Filter{TagID: tag.ID}, "", 0, 50)
	if err != nil || page.Total != 1 || page.Rows[0].ID != "d1" {
		t.Errorf("ListFiltered(new tag) = %+v, %v; want d1", page, err)
	}

	waitFor(t, "the commands at the server", func() bool { return len(ts.Executed()) == 4 })
	var types []string
	for _, c := range ts.ExecutedCommands() {
		types = append(types, c.Type)
	}
	if !slices.Equal(types, []string{"tag.create", "message.tag", "message.tag", "dialog.tag"}) {
		t.Errorf("commands = %v, want the tag made first, then the taggings in order", types)
	}
	p := sent(ts, "message.tag")[0]
	if p["dialogId"] != "d1" || p["tagId"] != tag.ID || len(p["messageIds"].([]any)) != 3 {
		t.Errorf("message.tag payload = %v", p)
	}
	if p := sent(ts, "tag.create")[0]; p["tagId"] != tag.ID || p["name"] != "Жалоба на доставку" {
		t.Errorf("tag.create payload = %v", p)
	}
	if err := a.Conversation.UntagDialog("d1", tag.ID); err != nil {
		t.Fatal(err)
	}
	if d, _ := a.Conversation.Dialog("d1"); len(d.Row.Tags) != 0 {
		t.Errorf("dialog tags after untagging = %+v", d.Row.Tags)
	}
}

// A colleague made the same tag a moment earlier: the server refuses ours,
// and the tag and the tagging vanish from the desktop with a reason.
func TestARefusedTagVanishes(t *testing.T) {
	ts := synctest.New(t)
	seedTagged(ts)
	ts.Decide(func(c wire.CommandEnvelope) wire.CommandResult {
		switch c.Type {
		case "tag.create":
			return wire.CommandResult{Code: "tag.exists", Message: "There is a tag named \"refund\" already."}
		case "message.tag":
			return wire.CommandResult{Code: "tag.not_found", Message: "There is no such tag."}
		}
		return wire.CommandResult{OK: true}
	})
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialogs", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 2 })
	// Offline while tagging, so both commands wait in the outbox.
	ts.SetDown(true)
	tag, err := a.Conversation.CreateTag("refund")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Conversation.TagMessages("d1", []string{"m1"}, tag.ID); err != nil {
		t.Fatal(err)
	}
	if got := messageTags(t, a, "d1"); len(got["m1"]) != 1 {
		t.Errorf("message tags offline = %v, want m1 tagged at once", got)
	}
	ts.SetDown(false)
	refused := func(code string) func() bool {
		return func() bool {
			return ev.find(EventCommandRejected, func(d any) bool { return d.(CommandRejected).Code == code })
		}
	}
	waitFor(t, "the tag refused", refused("tag.exists"))
	waitFor(t, "the tagging refused", refused("tag.not_found"))
	waitFor(t, "the tag gone", func() bool { tags, _ := a.Inbox.Tags(); return len(tags) == 1 })
	if got := messageTags(t, a, "d1"); len(got) != 0 {
		t.Errorf("message tags after the refusal = %v, want none", got)
	}
}

func TestSavedFiltersThroughTheInbox(t *testing.T) {
	ts := synctest.New(t)
	seedTagged(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialogs", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 2 })

	chans, _ := a.Inbox.Channels()
	if len(chans) != 1 || chans[0].Name != "Telegram bot" || chans[0].Kind != "telegram" {
		t.Errorf("Channels = %+v", chans)
	}
	for _, tc := range []struct {
		f    replica.Filter
		want string
	}{
		{replica.Filter{Status: "lost"}, CodeFilterStatus},
		{replica.Filter{From: 20, To: 10}, CodeFilterDates},
		{replica.Filter{From: -1}, CodeFilterDates},
	} {
		if _, err := a.Inbox.ListFiltered("all", tc.f, "", 0, 10); codeOf(err) != tc.want {
			t.Errorf("ListFiltered(%+v) = %v, want %s", tc.f, err, tc.want)
		}
		if _, err := a.Inbox.SaveFilter("x", tc.f); codeOf(err) != tc.want {
			t.Errorf("SaveFilter(%+v) = %v, want %s", tc.f, err, tc.want)
		}
	}
	if _, err := a.Inbox.SaveFilter("   ", replica.Filter{}); codeOf(err) != CodeFilterName {
		t.Errorf("SaveFilter without a name = %v, want %s", err, CodeFilterName)
	}
	f := replica.Filter{ChannelID: "tg", Status: "unassigned"}
	saved, err := a.Inbox.SaveFilter(" Telegram  queue ", f)
	if err != nil || saved.Name != "Telegram queue" || saved.Filter != f {
		t.Fatalf("SaveFilter = %+v, %v", saved, err)
	}
	list, _ := a.Inbox.SavedFilters()
	if len(list) != 1 || list[0].ID != saved.ID {
		t.Fatalf("SavedFilters = %+v", list)
	}
	page, err := a.Inbox.ListFiltered("unassigned", list[0].Filter, "", 0, 10)
	if err != nil || page.Total != 1 || page.Rows[0].ID != "d2" {
		t.Errorf("the saved filter lists %+v, %v; want d2", page, err)
	}
	if err := a.Inbox.DeleteFilter(saved.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := a.Inbox.SavedFilters(); len(list) != 0 {
		t.Errorf("SavedFilters after delete = %+v", list)
	}
}
