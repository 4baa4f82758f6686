package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/app/replica"
	"switchboard/app/syncclient"
	"switchboard/inbox"
	"switchboard/server"
	"switchboard/server/seed"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// hostKey lets a test post inbound events as a connector host would.
const hostKey = "integration-host-key"

// teamServer is the real server on SQLite with the demo workspace.
func teamServer(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Store: st, HostKey: hostKey})
	go srv.Run(ctx)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		cancel()
		srv.Close()
		st.Close()
	})
	return hs.URL
}

// sink records the client's reports.
type sink struct {
	mu     sync.Mutex
	state  syncclient.State
	errs   []error
	resets int
	heard  []syncclient.Activity
	cl     *syncclient.Client
}

func (s *sink) Applied(a replica.Applied) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Reset {
		s.resets++
	}
}
func (s *sink) Progress(int64, int64)               {}
func (s *sink) Rejected(wire.CommandResult, string) {}
func (s *sink) Accepted(wire.CommandResult, string) {}
func (s *sink) Presence(string, bool)               {}
func (s *sink) Activity(a syncclient.Activity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.heard = append(s.heard, a)
}

func (s *sink) activity() []syncclient.Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]syncclient.Activity(nil), s.heard...)
}
func (s *sink) Connection(st syncclient.State, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
	if err != nil {
		s.errs = append(s.errs, err)
	}
}

func (s *sink) report() (syncclient.State, []error, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, append([]error(nil), s.errs...), s.resets
}

// desktop signs a demo operator in and syncs a fresh replica until the
// test ends.
func desktop(t *testing.T, base, email string) (*replica.Replica, *sink) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := syncclient.Login(ctx, http.DefaultClient, base, email, seed.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	rp, err := replica.Open(ctx, filepath.Join(t.TempDir(), "replica.db"))
	if err != nil {
		t.Fatal(err)
	}
	sk := &sink{}
	cl, err := syncclient.New(syncclient.Config{Server: base, Token: resp.Token, Replica: rp, Sink: sk,
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	sk.cl = cl
	done := make(chan struct{})
	go func() {
		defer close(done)
		cl.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		rp.Close()
	})
	return rp, sk
}

func eventually(t *testing.T, what string, sk *sink, ok func() bool) {
	t.Helper()
	// Generous: under -race on a loaded 2-core machine a thousand-dialog
	// bootstrap alone can take tens of seconds. A deadline, not a timing.
	deadline := time.Now().Add(90 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			st, errs, _ := sk.report()
			t.Fatalf("%s never happened; client state %s, errors %v", what, st, errs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func has(rp *replica.Replica, dialogID string) bool {
	_, err := rp.Dialog(context.Background(), dialogID)
	return err == nil
}

func hasNot(rp *replica.Replica, dialogID string) bool {
	_, err := rp.Dialog(context.Background(), dialogID)
	return errors.Is(err, inbox.ErrNotFound)
}

// The demo workspace's log holds a resync for every operator (the seed
// puts the groups after the operators); a fresh desktop must skip them and
// come online with exactly what its operator may see.
func TestAFreshDesktopSyncsTheDemoWorkspace(t *testing.T) {
	base := teamServer(t)
	rp, sk := desktop(t, base, "anna@demo.switchboard")
	eventually(t, "going online", sk, func() bool { st, _, _ := sk.report(); return st == syncclient.StateOnline })
	eventually(t, "anna's dialogs arriving", sk, func() bool { return has(rp, "dl-demo-01") && has(rp, "dl-demo-05") })
	if !hasNot(rp, "dl-demo-09") {
		t.Error("anna's replica holds dl-demo-09 of a line she does not work")
	}
	if _, errs, resets := sk.report(); len(errs) > 0 || resets > 0 {
		t.Errorf("errors %v, resets %d; want a clean first sync", errs, resets)
	}
}

// When an admin takes the operator out of a line, the live feed's resync
// resets the replica and the fresh pull leaves that line's dialogs out;
// putting her back brings them back.
func TestASightChangeResyncsALiveDesktop(t *testing.T) {
	base := teamServer(t)
	rp, sk := desktop(t, base, "anna@demo.switchboard")
	eventually(t, "anna's dialogs arriving", sk, func() bool { return has(rp, "dl-demo-05") })
	eventually(t, "going online", sk, func() bool { st, _, _ := sk.report(); return st == syncclient.StateOnline })

	admin, err := syncclient.Login(context.Background(), http.DefaultClient, base, "admin@demo.switchboard", seed.DemoPassword)
	if err != nil {
		t.Fatal(err)
	}
	setIntl := func(members ...string) {
		t.Helper()
		body, _ := json.Marshal(inbox.Group{Name: "International", MemberIDs: members})
		req, _ := http.NewRequest("PUT", base+"/api/v1/admin/groups/g-intl", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin.Token)
		req.Header.Set(wire.ProtocolHeader, "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT group: %s", resp.Status)
		}
	}

	setIntl("op-james")
	eventually(t, "dl-demo-05 leaving anna's replica", sk, func() bool { return hasNot(rp, "dl-demo-05") })
	eventually(t, "dl-demo-01 coming back after the reset", sk, func() bool { return has(rp, "dl-demo-01") })
	if _, _, resets := sk.report(); resets != 1 {
		t.Errorf("resets = %d, want 1", resets)
	}

	setIntl("op-james", "op-anna")
	eventually(t, "dl-demo-05 coming back", sk, func() bool { return has(rp, "dl-demo-05") && has(rp, "dl-demo-01") })
	if _, _, resets := sk.report(); resets != 2 {
		t.Errorf("resets = %d, want 2", resets)
	}
}

// Typing and viewing go from one desktop through the real server's live
// feed to a colleague who sees the dialog, and to nobody else.
func TestTypingAndViewingReachColleaguesWhoSeeTheDialog(t *testing.T) {
	base := teamServer(t)
	_, anna := desktop(t, base, "anna@demo.switchboard")
	_, james := desktop(t, base, "james@demo.switchboard")
	_, taras := desktop(t, base, "taras@demo.switchboard") // not on the International line
	for _, sk := range []*sink{anna, james, taras} {
		eventually(t, "going online", sk, func() bool { st, _, _ := sk.report(); return st == syncclient.StateOnline })
	}
	want := syncclient.Activity{Kind: syncclient.ActivityTyping, DialogID: "dl-demo-05", OperatorID: "op-james", On: true}
	eventually(t, "anna hearing james type", anna, func() bool {
		james.cl.Announce(syncclient.ActivityViewing, "dl-demo-05", true)
		james.cl.Announce(syncclient.ActivityTyping, "dl-demo-05", true)
		return slices.Contains(anna.activity(), want)
	})
	if !slices.Contains(anna.activity(), syncclient.Activity{Kind: syncclient.ActivityViewing, DialogID: "dl-demo-05", OperatorID: "op-james", On: true}) {
		t.Errorf("anna heard %+v, want james viewing too", anna.activity())
	}
	james.cl.Announce(syncclient.ActivityTyping, "dl-demo-05", false)
	eventually(t, "anna hearing james stop", anna, func() bool {
		return slices.Contains(anna.activity(), syncclient.Activity{Kind: syncclient.ActivityTyping, DialogID: "dl-demo-05", OperatorID: "op-james"})
	})
	if got := taras.activity(); len(got) != 0 {
		t.Errorf("taras, outside the line, heard %+v", got)
	}
	if got := james.activity(); len(got) != 0 {
		t.Errorf("james heard his own frames back: %+v", got)
	}
}
