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

func TestMarkAllReadClearsATabAndSendsOneCommandPerDialog(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	for _, id := range []string{"m1", "m2", "m3"} {
		unread := 2
		if id == "m3" {
			unread = 0
		}
		ts.Put(wire.KindDialog, id, &inbox.Dialog{ID: id, ClientID: "c1", LineID: "l1", Status: inbox.StatusInProgress,
			AssigneeID: synctest.OperatorID, Unread: unread, LastMessageAt: time.Now()})
	}
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "two unread dialogs in Mine", func() bool {
		c, _ := a.Inbox.Counters()
		return c.TabUnread["mine"] == 2
	})
	if _, err := a.Inbox.MarkAllRead("nope"); codeOf(err) != CodeBadInput {
		t.Errorf("MarkAllRead(nope) = %v, want %s", err, CodeBadInput)
	}
	n, err := a.Inbox.MarkAllRead("mine")
	if err != nil || n != 2 {
		t.Fatalf("MarkAllRead(mine) = %d, %v; want 2", n, err)
	}
	// At once, before the server answers.
	if c, _ := a.Inbox.Counters(); c.TabUnread["mine"] != 0 {
		t.Errorf("Mine's unread right after MarkAllRead = %d, want 0", c.TabUnread["mine"])
	}
	waitFor(t, "the server to run both", func() bool { return len(ts.Executed()) == 2 })
	var marked []string
	for _, c := range ts.ExecutedCommands() {
		var p struct{ DialogID string }
		if err := json.Unmarshal(c.Payload, &p); err != nil || c.Type != "dialog.read" {
			t.Errorf("server ran %s %s, want dialog.read", c.Type, c.Payload)
		}
		marked = append(marked, p.DialogID)
	}
	slices.Sort(marked)
	if !slices.Equal(marked, []string{"m1", "m2"}) {
		t.Errorf("dialogs marked read on the server = %v, want m1 m2", marked)
	}
	if n, err := a.Inbox.MarkAllRead("mine"); err != nil || n != 0 {
		t.Errorf("MarkAllRead(mine) again = %d, %v; want 0, nothing left", n, err)
	}
}

func TestTheReadingPreferenceIsKeptInTheDataDir(t *testing.T) {
	dir := t.TempDir()
	a, _ := startAppIn(t, dir, &memTokens{})
	if p, err := a.Preferences.Get(); err != nil || p.ReadOn != ReadOnOpen {
		t.Errorf("Get on a fresh desktop = %+v, %v; want read on open", p, err)
	}
	if _, err := a.Preferences.Set(PreferencesView{ReadOn: "sometimes"}); codeOf(err) != CodeBadInput {
		t.Errorf("Set(sometimes) = %v, want %s", err, CodeBadInput)
	}
	if _, err := a.Preferences.Set(PreferencesView{ReadOn: ReadOnMark}); err != nil {
		t.Fatal(err)
	}
	a.core.stop()
	b, _ := startAppIn(t, dir, &memTokens{})
	if p, err := b.Preferences.Get(); err != nil || p.ReadOn != ReadOnMark {
		t.Errorf("Get after a restart = %+v, %v; want read on mark", p, err)
	}
}
