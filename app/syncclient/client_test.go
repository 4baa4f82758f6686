package syncclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/app/replica"
	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// recorder is a Sink that remembers what it was told.
type recorder struct {
	mu       sync.Mutex
	states   []State
	errs     []error
	progress [][2]int64
	rejected []wire.CommandResult
	accepted []string
	dialogs  []string
	presence map[string]bool
	activity []Activity
}

func (r *recorder) Activity(a Activity) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.activity = append(r.activity, a)
}

func (r *recorder) Applied(a replica.Applied) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dialogs = append(r.dialogs, a.DialogIDs...)
}
func (r *recorder) Progress(done, total int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, [2]int64{done, total})
}
func (r *recorder) Connection(s State, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, s)
	r.errs = append(r.errs, err)
}
func (r *recorder) Rejected(res wire.CommandResult, dialogID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected = append(r.rejected, res)
}
func (r *recorder) Accepted(res wire.CommandResult, dialogID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.accepted = append(r.accepted, res.ID)
}
func (r *recorder) Presence(id string, online bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.presence == nil {
		r.presence = map[string]bool{}
	}
	r.presence[id] = online
}

func (r *recorder) count(s State) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, x := range r.states {
		if x == s {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds; a test fails by its own deadline,
// never by how fast something happened.
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

type harness struct {
	t   *testing.T
	ts  *synctest.Server
	rp  *replica.Replica
	rec *recorder
	cl  *Client
	// done receives Run's error.
	done   chan error
	cancel context.CancelFunc
}

func openReplica(t *testing.T, path string) *replica.Replica {
	t.Helper()
	rp, err := replica.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func newHarness(t *testing.T, ts *synctest.Server, rp *replica.Replica) *harness {
	h := &harness{t: t, ts: ts, rp: rp, rec: &recorder{}}
	cl, err := New(Config{Server: ts.URL(), Token: "tok-1", Replica: rp, Sink: h.rec, PageSize: 2,
		MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, PushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h.cl = cl
	return h
}

func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.cl.Run(ctx) }()
	h.t.Cleanup(h.stop)
}

func (h *harness) stop() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
}

func (h *harness) lastSeq() int64 {
	seq, err := h.rp.LastSeq(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return seq
}

func unassigned(id string) *inbox.Dialog {
	return &inbox.Dialog{ID: id, ClientID: "c1", LineID: "l1", Status: inbox.StatusUnassigned, CreatedAt: time.Now()}
}

func sendCmd(t *testing.T, rp *replica.Replica, id, dialogID string) {
	t.Helper()
	payload, _ := json.Marshal(map[string]string{"messageId": "m-" + id, "dialogId": dialogID, "kind": "outbound", "text": id})
	msg := &inbox.Message{ID: "m-" + id, DialogID: dialogID, Kind: inbox.MsgOutbound, Text: id, CreatedAt: time.Now()}
	if err := rp.Enqueue(context.Background(), wire.CommandEnvelope{ID: id, Type: "message.send", Payload: payload},
		replica.Optimistic{Message: msg}); err != nil {
		t.Fatal(err)
	}
}

func TestBootstrapPullsEveryPageThenFollowsTheLiveFeed(t *testing.T) {
	t.Run("pages named in headers", func(t *testing.T) { testBootstrap(t, synctest.New(t)) })
	t.Run("pages named only in the body", func(t *testing.T) {
		ts := synctest.New(t)
		ts.OmitPullHeaders()
		testBootstrap(t, ts)
	})
	// The client asks for compressed frames; a server that predates them
	// sends text, which reads the same.
	t.Run("live frames as text from an older server", func(t *testing.T) {
		ts := synctest.New(t)
		ts.TextFramesOnly()
		testBootstrap(t, ts)
	})
}

func testBootstrap(t *testing.T, ts *synctest.Server) {
	for i := range 5 {
		id := fmt.Sprintf("d%d", i)
		ts.Put(wire.KindDialog, id, unassigned(id))
	}
	rp := openReplica(t, filepath.Join(tempDir(t), "r.db"))
	defer rp.Close()
	h := newHarness(t, ts, rp)
	h.start()

	waitFor(t, "the bootstrap", func() bool { return h.lastSeq() == 5 })
	waitFor(t, "the live feed", func() bool { return h.rec.count(StateOnline) == 1 })
	h.rec.mu.Lock()
	last := h.rec.progress[len(h.rec.progress)-1]
	pages := len(h.rec.progress)
	h.rec.mu.Unlock()
	if last != [2]int64{5, 5} || pages < 3 {
		t.Errorf("progress = %d reports ending %v, want at least 3 pages ending at 5/5", pages, last)
	}

	ts.Put(wire.KindDialog, "live", unassigned("live"))
	waitFor(t, "the live change", func() bool { return h.lastSeq() == 6 })
	if _, err := rp.Dialog(context.Background(), "live"); err != nil {
		t.Errorf("Dialog(live) after the live frame: %v", err)
	}
	// It came by the live feed, not by a pull after a reconnect (a frame
	// the client could not read would end the feed).
	if n := h.rec.count(StateOnline); n != 1 {
		t.Errorf("the client went online %d times, want once", n)
	}
}

func TestAfterADroppedFeedTheClientReconnectsFromItsLastSeq(t *testing.T) {
	ts := synctest.New(t)
	ts.Put(wire.KindDialog, "d1", unassigned("d1"))
	rp := openReplica(t, filepath.Join(tempDir(t), "r.db"))
	defer rp.Close()
	h := newHarness(t, ts, rp)
	h.start()
	waitFor(t, "online", func() bool { return h.rec.count(StateOnline) == 1 })

	ts.SetDown(true)
	waitFor(t, "reconnecting", func() bool { return h.rec.count(StateReconnecting) >= 2 })
	ts.Put(wire.KindDialog, "d2", unassigned("d2")) // written while we are away
	ts.SetDown(false)
	waitFor(t, "online again", func() bool { return h.rec.count(StateOnline) == 2 })
	waitFor(t, "the missed change", func() bool { return h.lastSeq() == 2 })
	ts.Put(wire.KindDialog, "d3", unassigned("d3"))
	waitFor(t, "the next live change", func() bool { return h.lastSeq() == 3 })

	items, total, err := rp.ListDialogs(context.Background(), "anna", replica.ListQuery{Tab: replica.TabUnassigned})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(items) != 3 {
		t.Errorf("Unassigned after reconnect = %d dialogs, want 3", total)
	}
}

func TestCommandsQueuedOfflineArriveOnceInOrderAfterARestart(t *testing.T) {
	ts := synctest.New(t)
	ts.Put(wire.KindDialog, "d1", unassigned("d1"))
	ts.SetDown(true)
	path := filepath.Join(tempDir(t), "r.db")
	rp := openReplica(t, path)
	h := newHarness(t, ts, rp)
	h.start()
	for _, id := range []string{"c1", "c2", "c3"} {
		sendCmd(t, rp, id, "d1")
		h.cl.Kick()
	}
	waitFor(t, "a failed attempt", func() bool { return h.rec.count(StateReconnecting) >= 1 })
	// The app quits and starts again; the outbox is in the file.
	h.stop()
	rp.Close()

	rp = openReplica(t, path)
	defer rp.Close()
	h = newHarness(t, ts, rp)
	h.start()
	ts.SetDown(false)
	waitFor(t, "three accepted commands", func() bool {
		h.rec.mu.Lock()
		defer h.rec.mu.Unlock()
		return len(h.rec.accepted) == 3
	})
	if got := ts.Executed(); !slices.Equal(got, []string{"c1", "c2", "c3"}) {
		t.Errorf("server executed %v, want c1 c2 c3 once each", got)
	}
	if p, _ := rp.Pending(context.Background(), 10); len(p) != 0 {
		t.Errorf("outbox still has %d pending commands", len(p))
	}
}

func TestARejectedCommandIsRolledBackAndReported(t *testing.T) {
	ts := synctest.New(t)
	ts.Decide(func(cmd wire.CommandEnvelope) wire.CommandResult {
		return wire.CommandResult{Code: "dialog.taken_by_other", Message: "Boris took this dialog", Args: map[string]string{"operator": "Boris"}}
	})
	ts.Put(wire.KindDialog, "d1", unassigned("d1"))
	rp := openReplica(t, filepath.Join(tempDir(t), "r.db"))
	defer rp.Close()
	h := newHarness(t, ts, rp)
	h.start()
	waitFor(t, "online", func() bool { return h.rec.count(StateOnline) == 1 })

	taken := unassigned("d1")
	taken.Status, taken.AssigneeID = inbox.StatusInProgress, "anna"
	take := wire.CommandEnvelope{ID: "take1", Type: "dialog.take", Payload: json.RawMessage(`{"dialogId":"d1"}`)}
	if err := rp.Enqueue(context.Background(), take, replica.Optimistic{Dialog: taken}); err != nil {
		t.Fatal(err)
	}
	h.cl.Kick()
	waitFor(t, "the rejection", func() bool {
		h.rec.mu.Lock()
		defer h.rec.mu.Unlock()
		return len(h.rec.rejected) == 1
	})
	h.rec.mu.Lock()
	got := h.rec.rejected[0]
	h.rec.mu.Unlock()
	if got.Code != "dialog.taken_by_other" || got.Args["operator"] != "Boris" {
		t.Errorf("rejection = %+v, want the server's code and args", got)
	}
	d, err := rp.Dialog(context.Background(), "d1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != inbox.StatusUnassigned {
		t.Errorf("status after rejection = %s, want unassigned", d.Status)
	}
}

func TestRunStopsWhenTheServerNeedsANewerApp(t *testing.T) {
	ts := synctest.New(t)
	ts.SetTooOld(true)
	rp := openReplica(t, filepath.Join(tempDir(t), "r.db"))
	defer rp.Close()
	h := newHarness(t, ts, rp)
	err := h.cl.Run(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeTooOld {
		t.Fatalf("Run = %v, want a %s error", err, CodeTooOld)
	}
	if e.Message != "Update Switchboard to 2.0 to use this server." {
		t.Errorf("message = %q, want the server's words", e.Message)
	}
}

func TestRunStopsWhenTheTokenIsRevoked(t *testing.T) {
	ts := synctest.New(t)
	ts.SetToken("another")
	rp := openReplica(t, filepath.Join(tempDir(t), "r.db"))
	defer rp.Close()
	err := newHarness(t, ts, rp).cl.Run(context.Background())
	if CodeOf(err) != CodeUnauthorized {
		t.Fatalf("Run = %v, want %s", err, CodeUnauthorized)
	}
}

func TestLogin(t *testing.T) {
	ts := synctest.New(t)
	tests := []struct {
		name, server, email, password, wantCode string
	}{
		{"right credentials sign in", ts.URL(), synctest.Email, synctest.Password, ""},
		{"a wrong password is invalid credentials", ts.URL(), "anna@demo.switchboard", "nope", CodeInvalidCredentials},
		{"an empty address is a bad address", " ", "a", "b", CodeBadAddress},
		{"a non-web address is a bad address", "ftp://x", "a", "b", CodeBadAddress},
		{"a closed port is unreachable", "127.0.0.1:1", "a", "b", CodeUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Login(context.Background(), http.DefaultClient, tt.server, tt.email, tt.password)
			if tt.wantCode == "" {
				if err != nil || resp.Token != "tok-1" || resp.OperatorID != "anna" {
					t.Fatalf("Login = %+v, %v; want anna's token", resp, err)
				}
				return
			}
			if CodeOf(err) != tt.wantCode {
				t.Errorf("Login error = %v, want code %s", err, tt.wantCode)
			}
		})
	}
}

func TestTypingAndViewingGoBothWaysOnTheLiveFeed(t *testing.T) {
	ts := synctest.New(t)
	h := newHarness(t, ts, openReplica(t, filepath.Join(tempDir(t), "r.db")))
	if h.cl.Announce(ActivityTyping, "d1", true) {
		t.Error("Announce before any live connection = true, want false (dropped)")
	}
	h.start()
	waitFor(t, "online", func() bool { return h.rec.count(StateOnline) > 0 })
	waitFor(t, "the announcements to reach the server", func() bool {
		h.cl.Announce(ActivityViewing, "d1", true)
		h.cl.Announce(ActivityTyping, "d1", true)
		heard := ts.Heard()
		var typing, viewing bool
		for _, f := range heard {
			typing = typing || (f.Type == wire.FrameTyping && f.DialogID == "d1" && f.Typing)
			viewing = viewing || (f.Type == wire.FrameViewing && f.DialogID == "d1" && f.Viewing)
		}
		return typing && viewing
	})
	if h.cl.Announce("shouting", "d1", true) || h.cl.Announce(ActivityTyping, "", true) {
		t.Error("Announce of an unknown kind or no dialog = true, want false")
	}

	ts.Relay(wire.Frame{Type: wire.FrameTyping, DialogID: "d1", OperatorID: "olena", Typing: true})
	ts.Relay(wire.Frame{Type: wire.FrameViewing, DialogID: "d1", OperatorID: "olena"})
	ts.Relay(wire.Frame{Type: wire.FrameTyping, DialogID: "", OperatorID: "olena", Typing: true})
	want := []Activity{
		{Kind: ActivityTyping, DialogID: "d1", OperatorID: "olena", On: true},
		{Kind: ActivityViewing, DialogID: "d1", OperatorID: "olena", On: false},
	}
	waitFor(t, "the colleague's activity", func() bool {
		h.rec.mu.Lock()
		defer h.rec.mu.Unlock()
		return len(h.rec.activity) >= 2
	})
	time.Sleep(50 * time.Millisecond) // the frame without a dialog would land by now
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	if !slices.Equal(h.rec.activity, want) {
		t.Errorf("Activity reports %+v, want %+v", h.rec.activity, want)
	}
}

// A server whose page says "more" without naming a later page would have
// the bootstrap ask for the same page forever: the client stops with an
// error instead, however the server names its pages.
func TestABootstrapStopsWhenTheServerNamesNoLaterPage(t *testing.T) {
	for _, headers := range []bool{true, false} {
		var asked atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked.Add(1)
			if headers {
				w.Header().Set(wire.PullNextHeader, "0")
				w.Header().Set(wire.PullMoreHeader, "true")
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"changes":[],"next":0,"more":true,"head":10}`))
		}))
		rp := openReplica(t, filepath.Join(tempDir(t), "r.db"))
		cl, err := New(Config{Server: srv.URL, Token: "tok", Replica: rp, Sink: &recorder{}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = cl.bootstrap(ctx)
		timedOut := ctx.Err() != nil
		cancel()
		srv.Close()
		rp.Close()
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeServer || timedOut || asked.Load() != 1 {
			t.Errorf("headers %v: bootstrap = %v after %d requests, want a server error at once", headers, err, asked.Load())
		}
	}
}
