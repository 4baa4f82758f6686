package app

import (
	"encoding/json"
	"testing"
	"time"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// seedPhone adds a channel of the first line that starts dialogs by phone.
func seedPhone(ts *synctest.Server) {
	seed(ts)
	ts.Put(wire.KindChannel, "wa", &inbox.Channel{ID: "wa", Name: "WhatsApp", Kind: inbox.KindWhatsApp, LineID: "l1",
		State: inbox.ChannelActive, Capabilities: inbox.Capabilities{StartByPhone: true}})
}

func TestStartingByPhoneShowsTheDialogAtOnceAndARefusalTakesItBack(t *testing.T) {
	ts := synctest.New(t)
	seedPhone(ts)
	got := make(chan wire.CommandEnvelope, 1)
	ts.Decide(func(cmd wire.CommandEnvelope) wire.CommandResult {
		got <- cmd
		return wire.CommandResult{Code: "channel.no_start_by_phone", Message: "WhatsApp cannot start dialogs by phone number."}
	})
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the channel", func() bool { cs, _ := a.Outgoing.PhoneChannels(); return len(cs) == 1 && cs[0].ID == "wa" })

	if _, err := a.Outgoing.StartByPhone("wa", "", "+380 50 123 45 67", "Мирослава", "Hello"); codeOf(err) != CodePhoneEmpty {
		t.Errorf("StartByPhone without a checked number = %v, want %s", err, CodePhoneEmpty)
	}
	// The server is away while the operator writes, so the optimistic
	// dialog can be looked at before the refusal comes.
	ts.SetDown(true)
	id, err := a.Outgoing.StartByPhone("wa", "380501234567", "+380 50 123 45 67", "Мирослава", "Ваш заказ готов")
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Conversation.Dialog(id)
	if err != nil || !v.Mine || v.Row.ClientName != "Мирослава" || v.Row.Status != string(inbox.StatusInProgress) {
		t.Fatalf("the new dialog at once = %+v, %v; want Мирослава's, mine, in progress", v, err)
	}
	ts.SetDown(false)
	var cmd wire.CommandEnvelope
	select {
	case cmd = <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("the command never reached the server")
	}
	var p struct {
		DialogID, ClientID string
		Contact            inbox.InboundContact
	}
	if err := json.Unmarshal(cmd.Payload, &p); err != nil || cmd.Type != "dialog.start" || p.DialogID != id ||
		p.Contact.ExternalID != "380501234567" || p.Contact.Name != "Мирослава" || p.Contact.Handle != "+380 50 123 45 67" {
		t.Fatalf("command = %s %s, want dialog.start with the checked contact", cmd.Type, cmd.Payload)
	}
	waitFor(t, "the rejection", func() bool {
		return ev.find(EventCommandRejected, func(d any) bool { return d.(CommandRejected).Code == "channel.no_start_by_phone" })
	})
	if _, err := a.Conversation.Dialog(id); codeOf(err) != CodeNotFound {
		t.Errorf("the refused dialog = %v, want it gone", err)
	}
	if hits, _ := a.Search.Clients("Мирослава"); len(hits) != 0 {
		t.Errorf("the client made for it is still there: %+v", hits)
	}
}

func TestSnoozeBlacklistAndPinChangeTheReplicaAtOnce(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	ts.Put(wire.KindDialog, "d2", &inbox.Dialog{ID: "d2", ClientID: "c1", LineID: "l1", Status: inbox.StatusInProgress, AssigneeID: "anna", LastMessageAt: time.Now()})
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialogs", func() bool { c, _ := a.Inbox.Counts(); return c["mine"] == 1 && c["unassigned"] == 1 })

	if err := a.Conversation.Snooze("d2", time.Now().Add(-time.Minute).UnixMilli()); codeOf(err) != CodeSnoozeInPast {
		t.Errorf("Snooze into the past = %v, want %s", err, CodeSnoozeInPast)
	}
	until := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	if err := a.Conversation.Snooze("d2", until.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if c, _ := a.Inbox.Counts(); c["mine"] != 0 || c["snoozed"] != 1 {
		t.Errorf("counts after Snooze = %v, want it in Snoozed", c)
	}
	if v, _ := a.Conversation.Dialog("d2"); v.Row.SnoozedUntil != until.UnixMilli() {
		t.Errorf("snoozed until %d, want %d", v.Row.SnoozedUntil, until.UnixMilli())
	}

	if err := a.Conversation.Pin("d2", true); err != nil {
		t.Fatal(err)
	}
	if cv, _ := a.Clients.Card("c1", "d2"); cv.Pin != "unpin" || cv.PinName != "Anna" {
		t.Errorf("card after Pin = %q (%q), want unpin (Anna)", cv.Pin, cv.PinName)
	}
	// Blacklisting the client takes both its dialogs out of every queue.
	if err := a.Conversation.Blacklist("d1", true); err != nil {
		t.Fatal(err)
	}
	if c, _ := a.Inbox.Counts(); c["unassigned"] != 0 || c["snoozed"] != 0 || c["blacklist"] != 2 {
		t.Errorf("counts after Blacklist = %v, want both dialogs in the Blacklist tab only", c)
	}
	waitFor(t, "the three commands at the server", func() bool { return len(ts.Executed()) == 3 })
	var types []string
	for _, c := range ts.ExecutedCommands() {
		types = append(types, c.Type)
	}
	if len(types) != 3 || types[0] != "dialog.snooze" || types[1] != "client.pin" || types[2] != "client.blacklist" {
		t.Errorf("commands = %v", types)
	}
}
