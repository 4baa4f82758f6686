package app

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// seedTelegram adds anna's dialog d2 on a Telegram-like channel (edits for
// ever, deletes for 48 hours) with her message of 50 hours ago, one of an
// hour ago, and the customer's question.
func seedTelegram(ts *synctest.Server, now time.Time) {
	ts.Put(wire.KindChannel, "tg", &inbox.Channel{ID: "tg", Name: "Bot", Kind: inbox.KindTelegram, LineID: "l1",
		Capabilities: inbox.Capabilities{EditWindowSeconds: -1, DeleteWindowSeconds: 48 * 3600, ReplyTo: true}})
	ts.Put(wire.KindDialog, "d2", &inbox.Dialog{ID: "d2", ClientID: "c1", ChannelID: "tg", LineID: "l1", Status: inbox.StatusInProgress,
		AssigneeID: "anna", LastMessageID: "m-new", LastMessageText: "see you", LastMessageAt: now.Add(-time.Hour)})
	for _, m := range []*inbox.Message{
		{ID: "m-in", DialogID: "d2", ClientID: "c1", ChannelID: "tg", Kind: inbox.MsgInbound, Text: "Where is my parcel?", ExternalID: "x-in", CreatedAt: now.Add(-51 * time.Hour)},
		{ID: "m-old", DialogID: "d2", ClientID: "c1", ChannelID: "tg", Kind: inbox.MsgOutbound, AuthorID: "anna", Text: "on its way", Delivery: inbox.DeliveryRead, ExternalID: "x-old", CreatedAt: now.Add(-50 * time.Hour)},
		{ID: "m-new", DialogID: "d2", ClientID: "c1", ChannelID: "tg", Kind: inbox.MsgOutbound, AuthorID: "anna", Text: "see you", Delivery: inbox.DeliverySent, ExternalID: "x-new", CreatedAt: now.Add(-time.Hour)},
	} {
		ts.Put(wire.KindMessage, m.ID, m)
	}
}

func historyByID(t *testing.T, a *App, dialogID string) map[string]MessageView {
	t.Helper()
	h, err := a.Conversation.History(dialogID, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]MessageView{}
	for _, it := range h.Items {
		if it.Message != nil {
			out[it.Message.ID] = *it.Message
		}
	}
	return out
}

func TestEditAndDeleteFollowTheChannelsWindows(t *testing.T) {
	now := time.Now().UTC()
	ts := synctest.New(t)
	seed(ts)
	seedTelegram(ts, now)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { return len(historyByID(t, a, "d2")) == 3 })

	ms := historyByID(t, a, "d2")
	if r := ms["m-old"].Delete; r.Allowed || r.Reason != "message.delete_window" || r.Window != 48*3600 {
		t.Errorf("deleting a 50-hour-old message: %+v, want refused for the 48-hour window", r)
	}
	if r := ms["m-old"].Edit; !r.Allowed || r.Until != 0 {
		t.Errorf("editing on a channel without an edit limit: %+v, want allowed with no deadline", r)
	}
	if r, want := ms["m-new"].Delete, ms["m-new"].At+48*3600*1000; !r.Allowed || r.Until != want {
		t.Errorf("deleting an hour-old message: %+v, want allowed until %d", r, want)
	}
	if r := ms["m-in"].Edit; r.Allowed || r.Reason != "message.not_author" {
		t.Errorf("editing the customer's message: %+v, want refused as not the author", r)
	}

	if err := a.Conversation.DeleteMessage("m-old"); codeOf(err) != "message.delete_window" {
		t.Errorf("DeleteMessage(m-old) = %v, want message.delete_window", err)
	}
	if err := a.Conversation.EditMessage("m-in", "x"); codeOf(err) != "message.not_author" {
		t.Errorf("EditMessage(m-in) = %v, want message.not_author", err)
	}
	if err := a.Conversation.EditMessage("m-new", "  "); codeOf(err) != CodeEmptyMessage {
		t.Errorf("EditMessage to blank = %v, want %s", err, CodeEmptyMessage)
	}
	if err := a.Conversation.EditMessage("m-new", "see you at 5"); err != nil {
		t.Fatalf("EditMessage(m-new) = %v", err)
	}
	m := historyByID(t, a, "d2")["m-new"]
	if m.Text != "see you at 5" || !m.Edited || m.ChangeDelivery != "sending" {
		t.Errorf("after the edit: %+v, want the new text, marked edited, on its way to the customer", m)
	}
	if err := a.Conversation.DeleteMessage("m-new"); err != nil {
		t.Fatalf("DeleteMessage(m-new) = %v", err)
	}
	if m := historyByID(t, a, "d2")["m-new"]; !m.Deleted || m.Text != "" || m.Edit.Allowed {
		t.Errorf("after the delete: %+v, want it deleted, without text or actions", m)
	}
	d, err := a.Conversation.Dialog("d2")
	if err != nil || d.Row.LastText != "" {
		t.Errorf("the dialog's row still previews the deleted message: %q (%v)", d.Row.LastText, err)
	}
	// The outbox sends in order: once the delete arrived, anything queued
	// before it has too. What was refused here never left.
	var sent []string
	waitFor(t, "the edit and the delete at the server", func() bool {
		sent = nil
		for _, c := range ts.ExecutedCommands() {
			if c.Type == "message.edit" || c.Type == "message.delete" {
				sent = append(sent, c.Type+" "+string(c.Payload))
			}
		}
		return len(sent) > 0 && sent[len(sent)-1] == `message.delete {"messageId":"m-new"}`
	})
	if want := []string{`message.edit {"messageId":"m-new","text":"see you at 5"}`, `message.delete {"messageId":"m-new"}`}; !slices.Equal(sent, want) {
		t.Errorf("commands sent to the server = %v, want %v (nothing refused here)", sent, want)
	}
}

func TestADraftWithItsReplyIsKeptAndGoesWithTheSend(t *testing.T) {
	now := time.Now().UTC()
	ts := synctest.New(t)
	seed(ts)
	seedTelegram(ts, now)
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { return len(historyByID(t, a, "d2")) == 3 })
	draftRow := func() bool {
		t.Helper()
		p, err := a.Inbox.ListDialogs("mine", "", "", 0, 10)
		if err != nil || len(p.Rows) != 1 {
			t.Fatalf("Mine = %+v, %v", p, err)
		}
		return p.Rows[0].Draft
	}
	if draftRow() {
		t.Fatalf("a draft mark before anything was written")
	}
	// How often the UI has been told to re-read d2's row.
	toldD2 := func() int {
		n := 0
		ev.find(EventInboxChanged, func(d any) bool {
			if slices.Contains(d.(InboxChanged).DialogIDs, "d2") {
				n++
			}
			return false
		})
		return n
	}
	before := toldD2()
	if err := a.Conversation.SaveDraft("d2", "outbound", "It left the warehouse", "m-in"); err != nil {
		t.Fatal(err)
	}
	if !draftRow() {
		t.Errorf("the row has no draft mark")
	}
	waitFor(t, "the row's mark told to the UI", func() bool { return toldD2() > before })
	dv, err := a.Conversation.Draft("d2")
	if err != nil || dv.Text != "It left the warehouse" || dv.Kind != "outbound" || dv.ReplyTo == nil ||
		dv.ReplyTo.ID != "m-in" || dv.ReplyTo.AuthorName != "Оксана" || dv.ReplyTo.Text != "Where is my parcel?" {
		t.Fatalf("Draft(d2) = %+v, %v; want the text and a quote of Оксана's question", dv, err)
	}

	if _, err := a.Conversation.Send("d2", "outbound", "hi", nil, "nope"); codeOf(err) != CodeReplyUnknown {
		t.Errorf("a reply to an unknown message = %v, want %s", err, CodeReplyUnknown)
	}
	id, err := a.Conversation.Send("d2", "outbound", "It left the warehouse today", nil, "m-in")
	if err != nil {
		t.Fatal(err)
	}
	if draftRow() {
		t.Errorf("the draft mark stayed after sending")
	}
	if dv, _ := a.Conversation.Draft("d2"); dv.Text != "" || dv.ReplyTo != nil {
		t.Errorf("the draft after sending = %+v, want none", dv)
	}
	if q := historyByID(t, a, "d2")[id].ReplyTo; q == nil || q.ID != "m-in" || q.AuthorName != "Оксана" {
		t.Errorf("the sent reply quotes %+v, want Оксана's question", q)
	}
	waitFor(t, "the send at the server", func() bool {
		for _, c := range ts.ExecutedCommands() {
			var p map[string]any
			_ = json.Unmarshal(c.Payload, &p)
			if c.Type == "message.send" && p["replyToId"] == "m-in" {
				return true
			}
		}
		return false
	})
}
