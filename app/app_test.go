package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/app/notify"
	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// events records what the services emit to the UI.
type events struct {
	mu   sync.Mutex
	list []struct {
		name string
		data any
	}
}

func (e *events) emit(name string, data any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, struct {
		name string
		data any
	}{name, data})
}

func (e *events) find(name string, match func(any) bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.list {
		if ev.name == name && match(ev.data) {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// memTokens stands in for the OS keychain, which has no Secret Service to
// talk to here (and a test must not write to a developer's real one).
type memTokens struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memTokens) Get(account string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok, ok := s.m[account]; ok {
		return tok, nil
	}
	return "", errNoToken
}

func (s *memTokens) Set(account, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[account] = token
	return nil
}

func (s *memTokens) Delete(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, account)
	return nil
}

// startApp runs the app's core without a window, as Wails would.
func startApp(t *testing.T) (*App, *events) {
	t.Helper()
	return startAppIn(t, t.TempDir(), &memTokens{})
}

func startAppIn(t *testing.T, dataDir string, tokens TokenStore) (*App, *events) {
	t.Helper()
	return startAppWith(t, dataDir, tokens, &alertLog{})
}

// startAppWith starts the app with its own notifier: tests never reach the
// desktop's notification daemon (or make godbus launch one).
func startAppWith(t *testing.T, dataDir string, tokens TokenStore, n notify.Notifier) (*App, *events) {
	t.Helper()
	a := New(Config{DataDir: dataDir, Tokens: tokens, Notifier: n})
	ev := &events{}
	a.core.start(context.Background(), ev.emit)
	t.Cleanup(func() { a.core.stop() })
	return a, ev
}

func seed(ts *synctest.Server) {
	ts.Put(wire.KindOperator, "anna", &inbox.Operator{ID: "anna", Name: "Anna", Role: "operator", Active: true})
	ts.Put(wire.KindGroup, "g1", &inbox.Group{ID: "g1", Name: "Support", MemberIDs: []string{"anna"}})
	ts.Put(wire.KindLine, "l1", &inbox.Line{ID: "l1", Name: "First line", OperatorGroupIDs: []string{"g1"}})
	ts.Put(wire.KindClient, "c1", &inbox.Client{ID: "c1", OriginalName: "Оксана"})
	ts.Put(wire.KindDialog, "d1", &inbox.Dialog{ID: "d1", ClientID: "c1", LineID: "l1", Status: inbox.StatusUnassigned, QueuedAt: time.Now()})
}

func signIn(t *testing.T, a *App, ts *synctest.Server) {
	t.Helper()
	if _, err := a.Session.Login(ts.URL(), synctest.Email, synctest.Password); err != nil {
		t.Fatalf("Login: %v", err)
	}
	waitFor(t, "online", func() bool {
		s, _ := a.Session.State()
		return s.Status == StatusOnline && s.OperatorName == "Anna"
	})
}

func codeOf(err error) string {
	var ue *UIError
	if errors.As(err, &ue) {
		return ue.Code
	}
	return ""
}

func TestSignInRefusalsCarryAStableCode(t *testing.T) {
	ts := synctest.New(t)
	a, _ := startApp(t)
	if _, err := a.Session.Login(ts.URL(), synctest.Email, "wrong"); codeOf(err) != "auth.invalid" {
		t.Errorf("Login with a wrong password = %v, want auth.invalid", err)
	}
	ts.SetTooOld(true)
	_, err := a.Session.Login(ts.URL(), synctest.Email, synctest.Password)
	var ue *UIError
	if !errors.As(err, &ue) || ue.Code != "protocol.too_old" || ue.Message == "" {
		t.Errorf("Login to a newer server = %v, want protocol.too_old with the server's words", err)
	}
	// The UI parses the error text as JSON.
	var parsed UIError
	if json.Unmarshal([]byte(err.Error()), &parsed) != nil || parsed.Code != "protocol.too_old" {
		t.Errorf("error text %q is not the JSON the UI expects", err.Error())
	}
	if _, err := a.Inbox.Counts(); codeOf(err) != CodeSignedOut {
		t.Errorf("Counts while signed out = %v, want %s", err, CodeSignedOut)
	}
}

func TestTakingADialogMovesItToMineAtOnceAndReachesTheServer(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog in Unassigned", func() bool {
		c, _ := a.Inbox.Counts()
		return c["unassigned"] == 1
	})
	page, err := a.Inbox.ListDialogs("unassigned", "", "", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Rows) != 1 || page.Rows[0].ClientName != "Оксана" || page.Rows[0].LineName != "First line" {
		t.Fatalf("Unassigned = %+v, want Оксана's dialog on First line", page.Rows)
	}

	if err := a.Conversation.Take("d1"); err != nil {
		t.Fatalf("Take: %v", err)
	}
	// Optimistic: no waiting on the server.
	c, _ := a.Inbox.Counts()
	if c["mine"] != 1 || c["unassigned"] != 0 {
		t.Errorf("counts right after Take = %v, want mine 1, unassigned 0", c)
	}
	if !ev.find(EventInboxChanged, func(d any) bool {
		ic := d.(InboxChanged)
		return len(ic.DialogIDs) == 1 && ic.DialogIDs[0] == "d1"
	}) {
		t.Error("Take emitted no inbox:changed for d1")
	}
	waitFor(t, "the server to run the take", func() bool { return len(ts.Executed()) == 1 })
}

func TestARejectedTakeIsUndoneAndTheOperatorToldWhy(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	ts.Decide(func(cmd wire.CommandEnvelope) wire.CommandResult {
		return wire.CommandResult{Code: "dialog.taken_by_other", Message: "Boris took it first"}
	})
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	if err := a.Conversation.Take("d1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rejection event", func() bool {
		return ev.find(EventCommandRejected, func(d any) bool {
			r := d.(CommandRejected)
			return r.DialogID == "d1" && r.Code == "dialog.taken_by_other" && r.Message == "Boris took it first"
		})
	})
	if c, _ := a.Inbox.Counts(); c["unassigned"] != 1 || c["mine"] != 0 {
		t.Errorf("counts after the rejection = %v, want the dialog back in unassigned", c)
	}
}

func TestSendShowsThePendingMessageAndRefusesEmptyText(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	if _, err := a.Conversation.Send("d1", "outbound", "  \n ", nil, ""); codeOf(err) != CodeEmptyMessage {
		t.Errorf("Send of blank text = %v, want %s", err, CodeEmptyMessage)
	}
	if _, err := a.Conversation.Send("d1", "shout", "hi", nil, ""); codeOf(err) != CodeBadInput {
		t.Errorf("Send of kind shout = %v, want %s", err, CodeBadInput)
	}
	if _, err := a.Conversation.Send("nope", "outbound", "hi", nil, ""); codeOf(err) != CodeNotFound {
		t.Errorf("Send to a missing dialog = %v, want %s", err, CodeNotFound)
	}
	id, err := a.Conversation.Send("d1", "comment", "<b>internal</b>", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	h, err := a.Conversation.History("d1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Items) != 1 || h.Items[0].Message == nil || h.Items[0].Message.ID != id ||
		h.Items[0].Message.Text != "<b>internal</b>" || h.Items[0].Message.AuthorName != "Anna" {
		t.Errorf("History after Send = %+v, want the comment as written, by Anna", h.Items)
	}
	hits, err := a.Search.Messages("intern")
	if err != nil || len(hits) != 1 {
		t.Errorf("Search(intern) = %v, %v; want the comment", hits, err)
	}
	clients, err := a.Search.Clients("окс")
	if err != nil || len(clients) != 1 || clients[0].DialogID != "d1" {
		t.Errorf("Search.Clients(окс) = %v, %v; want Оксана with d1", clients, err)
	}
}

func TestSignOutWipesTheReplica(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	if err := a.Session.Logout(); err != nil {
		t.Fatal(err)
	}
	if s, _ := a.Session.State(); s.Status != StatusSignedOut || s.OperatorID != "" {
		t.Errorf("State after Logout = %+v, want signed out", s)
	}
	if seq, _ := a.core.rp.LastSeq(context.Background()); seq != 0 {
		t.Errorf("replica LastSeq after Logout = %d, want 0 (wiped)", seq)
	}
	if _, err := a.Inbox.ListDialogs("unassigned", "", "", 0, 10); codeOf(err) != CodeSignedOut {
		t.Errorf("ListDialogs after Logout = %v, want %s", err, CodeSignedOut)
	}
}

func TestMessagesSentOfflineArriveOnceInOrderAfterARestart(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	dir, tokens := t.TempDir(), &memTokens{}
	a, _ := startAppIn(t, dir, tokens)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	if err := a.Conversation.Take("d1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the take to reach the server", func() bool { return len(ts.Executed()) == 1 })

	ts.SetDown(true)
	var sent []string
	for _, text := range []string{"one", "two", "three"} {
		id, err := a.Conversation.Send("d1", "outbound", text, nil, "")
		if err != nil {
			t.Fatalf("Send(%q) offline: %v", text, err)
		}
		sent = append(sent, id)
	}
	a.core.stop() // the operator quits

	b, _ := startAppIn(t, dir, tokens) // and starts the app again
	if s, _ := b.Session.State(); s.OperatorID != synctest.OperatorID {
		t.Fatalf("State after restart = %+v, want the session resumed from the keychain", s)
	}
	h, err := b.Conversation.History("d1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Items) != 3 || h.Items[0].Message.Delivery != "pending" {
		t.Fatalf("History after restart = %+v, want three pending messages", h.Items)
	}
	ts.SetDown(false)
	waitFor(t, "the three messages to reach the server", func() bool { return len(ts.Executed()) == 4 })
	cmds := ts.ExecutedCommands()[1:]
	var texts, ids []string
	for _, c := range cmds {
		var p struct{ MessageID, Text string }
		if err := json.Unmarshal(c.Payload, &p); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, p.Text)
		ids = append(ids, p.MessageID)
	}
	if !slices.Equal(texts, []string{"one", "two", "three"}) || !slices.Equal(ids, sent) {
		t.Errorf("server ran sends %v (ids %v), want one, two, three with ids %v", texts, ids, sent)
	}
	waitFor(t, "an empty outbox", func() bool {
		p, _ := b.core.rp.Pending(context.Background(), 10)
		return len(p) == 0
	})
}
