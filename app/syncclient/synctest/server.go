// Package synctest runs a stand-in team server for tests of the desktop's
// sync client and services: it speaks sync protocol v1 (login, paged pull,
// live WebSocket, idempotent commands) over a real HTTP server with an
// in-memory change log. The real team server is written in parallel; the
// integration tests against it live with it.
package synctest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"switchboard/wire"
)

// Demo credentials the server accepts, and the operator they sign in.
const (
	Email      = "anna@demo.switchboard"
	Password   = "demo1234"
	OperatorID = "anna"
)

// Server is a running stand-in team server.
type Server struct {
	t   testing.TB
	srv *httptest.Server

	// mu guards the fields below.
	mu       sync.Mutex
	log      []wire.Change
	changed  chan struct{} // closed and replaced on every append
	down     bool          // answer 503 to everything, drop live feeds
	tooOld   bool          // answer 426 to everything
	bareHead bool          // pull answers without the next-page headers
	token    string
	answers  map[string]wire.CommandResult // by command id: the idempotency store
	executed []wire.CommandEnvelope        // commands in the order they ran, each once
	posts    int                           // POST /commands requests seen
	// decide answers a command the first time it arrives; nil accepts all.
	decide   func(wire.CommandEnvelope) wire.CommandResult
	liveDrop []context.CancelFunc
	heard    []wire.Frame                 // frames the clients sent on their live feeds
	frames   map[chan wire.Frame]struct{} // one per live feed, for Relay
	files    map[string][]byte            // uploaded files by SHA-256 (files.go)
	maxFile  int64
	textOnly bool // live feeds send text frames even when asked to compress
}

// TextFramesOnly makes the live feeds ignore compress=deflate, as a server
// older than compressed frames does.
func (ts *Server) TextFramesOnly() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.textOnly = true
}

// New starts a server, closed when the test ends. Its token is "tok-1".
func New(t testing.TB) *Server {
	ts := &Server{t: t, changed: make(chan struct{}), token: "tok-1", answers: map[string]wire.CommandResult{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/login", ts.login)
	mux.HandleFunc("GET /api/v1/sync/pull", ts.authed(ts.pull))
	mux.HandleFunc("GET /api/v1/sync/live", ts.authed(ts.live))
	mux.HandleFunc("POST /api/v1/commands", ts.authed(ts.commands))
	ts.fileRoutes(mux)
	// Its operator is a plain one, who may not host channels, as the real
	// server answers (app/chanhost's tests run against the real server).
	mux.HandleFunc("/api/v1/host/", ts.authed(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusForbidden, wire.Error{Code: "auth.forbidden", Message: "Only operators who manage channels may host connectors."})
	}))
	ts.srv = httptest.NewServer(ts.gate(mux))
	t.Cleanup(func() {
		ts.dropLive()
		ts.srv.Close()
	})
	return ts
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// gate checks the protocol header and plays a server that is down or newer.
func (ts *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		down, tooOld := ts.down, ts.tooOld
		ts.mu.Unlock()
		switch {
		case down:
			writeJSON(w, http.StatusServiceUnavailable, wire.Error{Code: "server.down", Message: "down"})
		case tooOld:
			writeJSON(w, http.StatusUpgradeRequired, wire.Error{Code: "protocol.too_old", Message: "Update Switchboard to 2.0 to use this server."})
		case r.Header.Get(wire.ProtocolHeader) != "1":
			writeJSON(w, http.StatusBadRequest, wire.Error{Code: "protocol.missing", Message: "no protocol header"})
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func (ts *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ts.mu.Lock()
		token := ts.token
		ts.mu.Unlock()
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if got == "" {
			got = r.URL.Query().Get("token")
		}
		if got != token {
			writeJSON(w, http.StatusUnauthorized, wire.Error{Code: "auth.required", Message: "sign in"})
			return
		}
		h(w, r)
	}
}

func (ts *Server) login(w http.ResponseWriter, r *http.Request) {
	var req wire.LoginRequest
	json.NewDecoder(r.Body).Decode(&req)
	if req.Email != Email || req.Password != Password {
		writeJSON(w, http.StatusUnauthorized, wire.Error{Code: "auth.invalid", Message: "Wrong e-mail or password."})
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	writeJSON(w, http.StatusOK, wire.LoginResponse{Token: ts.token, OperatorID: OperatorID, WorkspaceID: "ws1"})
}

// after returns the changes after seq (at most limit; 0: all) and the head.
func (ts *Server) after(seq int64, limit int) ([]wire.Change, int64, <-chan struct{}) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var out []wire.Change
	for _, c := range ts.log {
		if c.Seq > seq && (limit == 0 || len(out) < limit) {
			out = append(out, c)
		}
	}
	return out, int64(len(ts.log)), ts.changed
}

func (ts *Server) pull(w http.ResponseWriter, r *http.Request) {
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	changes, head, _ := ts.after(after, max(limit, 1))
	next := after
	if len(changes) > 0 {
		next = changes[len(changes)-1].Seq
	}
	ts.mu.Lock()
	bare := ts.bareHead
	ts.mu.Unlock()
	if !bare {
		w.Header().Set(wire.PullNextHeader, strconv.FormatInt(next, 10))
		w.Header().Set(wire.PullMoreHeader, strconv.FormatBool(next < head))
	}
	writeJSON(w, http.StatusOK, wire.PullResponse{Changes: changes, Next: next, More: next < head, Head: head})
}

func (ts *Server) live(w http.ResponseWriter, r *http.Request) {
	// The feed is droppable before the handshake answers: a client that
	// has seen its feed open must be cut off by a SetDown that follows.
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	ts.mu.Lock()
	ts.liveDrop = append(ts.liveDrop, cancel)
	ts.mu.Unlock()
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	frames := make(chan wire.Frame, 16)
	ts.mu.Lock()
	if ts.frames == nil {
		ts.frames = map[chan wire.Frame]struct{}{}
	}
	ts.frames[frames] = struct{}{}
	ts.mu.Unlock()
	defer func() {
		ts.mu.Lock()
		delete(ts.frames, frames)
		ts.mu.Unlock()
	}()
	go func() { // keep what the client says; notice it going away
		for {
			var f wire.Frame
			if err := wsjson.Read(ctx, conn, &f); err != nil {
				cancel()
				return
			}
			ts.mu.Lock()
			ts.heard = append(ts.heard, f)
			ts.mu.Unlock()
		}
	}()
	sent, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	// Changes frames come compressed when asked for, as the team server
	// sends them, unless the test plays an older server.
	ts.mu.Lock()
	deflate := r.URL.Query().Get(wire.LiveCompressParam) == wire.LiveCompressDeflate && !ts.textOnly
	ts.mu.Unlock()
	for {
		changes, _, changed := ts.after(sent, 0)
		if len(changes) > 0 {
			f := wire.Frame{Type: wire.FrameChanges, Changes: changes, Head: changes[len(changes)-1].Seq}
			var err error
			if deflate {
				text, _ := json.Marshal(f)
				err = conn.Write(ctx, websocket.MessageBinary, wire.EncodeDeflateFrame(f.Head, text))
			} else {
				err = wsjson.Write(ctx, conn, f)
			}
			if err != nil {
				return
			}
			sent = changes[len(changes)-1].Seq
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		case f := <-frames:
			if err := wsjson.Write(ctx, conn, f); err != nil {
				return
			}
		}
	}
}

// Heard returns the frames the clients sent on their live feeds (typing,
// viewing), in order.
func (ts *Server) Heard() []wire.Frame {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]wire.Frame(nil), ts.heard...)
}

// Relay sends a frame (a colleague's typing, presence...) to every open
// live feed.
func (ts *Server) Relay(f wire.Frame) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for ch := range ts.frames {
		select {
		case ch <- f:
		default:
		}
	}
}

func (ts *Server) commands(w http.ResponseWriter, r *http.Request) {
	var req wire.CommandsRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, wire.Error{Code: "request.bad_json", Message: err.Error()})
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.posts++
	var resp wire.CommandsResponse
	for _, cmd := range req.Commands {
		res, seen := ts.answers[cmd.ID]
		if !seen {
			res = wire.CommandResult{ID: cmd.ID, OK: true}
			if name, ok := ts.unuploaded(cmd); ok {
				// As the team server: a message's files come first.
				res = wire.CommandResult{ID: cmd.ID, Code: "message.attachment_unknown", Message: "not uploaded", Args: map[string]string{"name": name}}
			} else if ts.decide != nil {
				res = ts.decide(cmd)
				res.ID = cmd.ID
			}
			ts.answers[cmd.ID] = res
			if res.OK {
				ts.executed = append(ts.executed, cmd)
			}
		}
		resp.Results = append(resp.Results, res)
	}
	writeJSON(w, http.StatusOK, resp)
}

// Put appends a put change to the log and wakes the live feeds.
func (ts *Server) Put(kind wire.Kind, id string, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.log = append(ts.log, wire.Change{Seq: int64(len(ts.log) + 1), Kind: kind, ID: id, Op: wire.OpPut, Data: data})
	close(ts.changed)
	ts.changed = make(chan struct{})
}

func (ts *Server) dropLive() {
	ts.mu.Lock()
	drops := ts.liveDrop
	ts.liveDrop = nil
	ts.mu.Unlock()
	for _, cancel := range drops {
		cancel()
	}
}

// SetDown makes the server answer 503 to everything and drops live feeds
// (down), or serve again.
// OmitPullHeaders makes pull answers name the next page only in their
// body, as a server without pipelined pulls does.
func (ts *Server) OmitPullHeaders() {
	ts.mu.Lock()
	ts.bareHead = true
	ts.mu.Unlock()
}

func (ts *Server) SetDown(down bool) {
	ts.mu.Lock()
	ts.down = down
	ts.mu.Unlock()
	if down {
		ts.dropLive()
	}
}

// Executed returns the ids of the commands the server ran, in order,
// each once however often it was sent.
func (ts *Server) Executed() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ids := make([]string, 0, len(ts.executed))
	for _, c := range ts.executed {
		ids = append(ids, c.ID)
	}
	return ids
}

// ExecutedCommands returns the commands the server ran, in order.
func (ts *Server) ExecutedCommands() []wire.CommandEnvelope {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]wire.CommandEnvelope(nil), ts.executed...)
}

// URL is the server's base address.
func (ts *Server) URL() string { return ts.srv.URL }

// SetTooOld makes the server refuse this protocol version (426).
func (ts *Server) SetTooOld(v bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.tooOld = v
}

// SetToken changes the token the server accepts (revoking the old one).
func (ts *Server) SetToken(tok string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.token = tok
}

// Decide sets how the server answers commands it has not seen; nil
// accepts all.
func (ts *Server) Decide(fn func(wire.CommandEnvelope) wire.CommandResult) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.decide = fn
}
