package app

import (
	"slices"
	"testing"
	"time"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

func seedClientCard(ts *synctest.Server) {
	seed(ts)
	ts.Put(wire.KindChannel, "wa", &inbox.Channel{ID: "wa", Name: "WhatsApp", Kind: inbox.KindWhatsApp, LineID: "l1"})
	ts.Put(wire.KindChannel, "tg", &inbox.Channel{ID: "tg", Name: "Bot", Kind: inbox.KindTelegram, LineID: "l1"})
}

func TestClientCardEditsRunTheRulesHereAndGoOut(t *testing.T) {
	ts := synctest.New(t)
	seedClientCard(ts)
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the client", func() bool { _, err := a.Clients.Card("c1", ""); return err == nil })

	// Refused here, in the rule's words, and nothing is sent.
	refusals := []struct {
		name string
		err  error
		code string
	}{
		{"a bad phone", a.Clients.SaveContact("c1", "wa", "", "12-34"), "contact.phone_invalid"},
		{"a contact on a channel that hands out its own ids", a.Clients.SaveContact("c1", "tg", "", "@oksana"), "contact.not_addable"},
		{"an empty task", a.Clients.CreateTask("c1", " ", time.Now().Format(time.DateOnly), ""), "task.empty"},
		{"a task due yesterday", a.Clients.CreateTask("c1", "Call", time.Now().AddDate(0, 0, -1).Format(time.DateOnly), ""), "task.due_in_past"},
		{"a task without a date", a.Clients.CreateTask("c1", "Call", "", ""), "task.no_due"},
	}
	for _, r := range refusals {
		if codeOf(r.err) != r.code {
			t.Errorf("%s = %v, want %s", r.name, r.err, r.code)
		}
	}

	if err := a.Clients.SaveContact("c1", "wa", "", "+38 067 123 45 67"); err != nil {
		t.Fatalf("SaveContact: %v", err)
	}
	if err := a.Clients.Rename("c1", "Оксана (VIP)"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	card, err := a.Clients.Card("c1", "")
	if err != nil {
		t.Fatal(err)
	}
	if card.Name != "Оксана (VIP)" || card.OriginalName != "Оксана" || !card.Renamed {
		t.Errorf("card after rename: %q, originally %q, renamed %v", card.Name, card.OriginalName, card.Renamed)
	}
	if len(card.Contacts) != 1 || card.Contacts[0].Handle != "+380671234567" || !card.Contacts[0].Manual || card.Contacts[0].ChannelName != "WhatsApp" {
		t.Errorf("contacts = %+v, want the typed number, normalised", card.Contacts)
	}
	if len(card.ContactChannels) != 1 || card.ContactChannels[0].ID != "wa" {
		t.Errorf("channels a contact may be typed for = %+v, want WhatsApp alone", card.ContactChannels)
	}
	if !ev.find(EventInboxChanged, func(d any) bool { return d.(InboxChanged).Clients }) {
		t.Error("a client card change emitted no inbox:changed for clients")
	}
	waitFor(t, "the server to get both", func() bool {
		var types []string
		for _, c := range ts.ExecutedCommands() {
			types = append(types, c.Type)
		}
		return slices.Equal(types, []string{"client.contact.save", "client.rename"})
	})
}

func TestATaskDueTodayPutsItsClientUnderImportantUntilDone(t *testing.T) {
	ts := synctest.New(t)
	seedClientCard(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the client", func() bool { _, err := a.Clients.Card("c1", ""); return err == nil })
	important := func() int {
		c, err := a.Inbox.Counters()
		if err != nil {
			t.Fatal(err)
		}
		return c.Tabs["important"]
	}
	if tabs, _ := a.Inbox.Tabs(); tabs[0] != "important" {
		t.Errorf("Tabs = %v, want Important first", tabs)
	}
	if err := a.Clients.CreateTask("c1", "Tomorrow's call", time.Now().AddDate(0, 0, 1).Format(time.DateOnly), ""); err != nil {
		t.Fatal(err)
	}
	if n := important(); n != 0 {
		t.Errorf("a task due tomorrow counts under Important: %d", n)
	}
	if err := a.Clients.CreateTask("c1", "Send the invoice", time.Now().Format(time.DateOnly), ""); err != nil {
		t.Fatal(err)
	}
	rows, err := a.Clients.Important()
	if err != nil || len(rows) != 1 || rows[0].ClientID != "c1" || rows[0].DialogID != "d1" || rows[0].FirstTask != "Send the invoice" || rows[0].Overdue {
		t.Fatalf("Important = %+v, %v; want c1 with today's task and its dialog", rows, err)
	}
	if n := important(); n != 1 {
		t.Errorf("Important counter = %d, want 1", n)
	}
	card, _ := a.Clients.Card("c1", "")
	if len(card.Tasks) != 2 || card.Tasks[0].Text != "Send the invoice" || !card.Tasks[0].MayChange || card.Tasks[0].AssigneeName != "Anna" {
		t.Fatalf("tasks = %+v", card.Tasks)
	}
	if err := a.Clients.CompleteTask(card.Tasks[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if n := important(); n != 0 {
		t.Errorf("Important counter after completing = %d, want 0", n)
	}
	if err := a.Clients.DeleteTask(card.Tasks[1].ID); err != nil {
		t.Fatal(err)
	}
	if card, _ = a.Clients.Card("c1", ""); len(card.Tasks) != 1 || !card.Tasks[0].Done {
		t.Errorf("tasks after deleting tomorrow's = %+v, want today's, done", card.Tasks)
	}
	waitFor(t, "the server to get all four", func() bool { return len(ts.Executed()) == 4 })
}

func TestARefusedClientEditIsUndone(t *testing.T) {
	ts := synctest.New(t)
	seedClientCard(ts)
	ts.Decide(func(cmd wire.CommandEnvelope) wire.CommandResult {
		return wire.CommandResult{Code: "contact.taken", Message: "+380671234567 is already a contact of Petro."}
	})
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the client", func() bool { _, err := a.Clients.Card("c1", ""); return err == nil })
	if err := a.Clients.SaveContact("c1", "wa", "", "+380671234567"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refusal", func() bool {
		return ev.find(EventCommandRejected, func(d any) bool { return d.(CommandRejected).Code == "contact.taken" })
	})
	if card, _ := a.Clients.Card("c1", ""); len(card.Contacts) != 0 {
		t.Errorf("contacts after the refusal = %+v, want none", card.Contacts)
	}
}
