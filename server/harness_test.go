package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// backends opens a fresh store of each kind; every server test runs on both.
var backends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) store.Store {
		s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sb.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgres", func(t *testing.T) store.Store {
		s, err := sqlstore.OpenPostgres(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// env is a running server over a demo workspace.
type env struct {
	t   *testing.T
	st  store.Store
	srv *Server
	ts  *httptest.Server
	now time.Time
}

// both runs fn against a demo server on each backend.
func both(t *testing.T, fn func(t *testing.T, e *env)) { bothWith(t, nil, fn) }

// bothWith is both with the server's Config adjusted by configure.
func bothWith(t *testing.T, configure func(*Config), fn func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := b.open(t)
			now := time.Now()
			if err := seed.Demo(context.Background(), st, now); err != nil {
				t.Fatal(err)
			}
			cfg := Config{Store: st, HostKey: "host-secret"}
			if configure != nil {
				configure(&cfg)
			}
			t.Cleanup(func() { _ = st.Close() }) // after the server stops
			fn(t, serve(t, cfg, now))
		})
	}
}

// serve runs a server with cfg over HTTP until the test ends.
func serve(t *testing.T, cfg Config, now time.Time) *env {
	srv := New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
		cancel()
	})
	return &env{t: t, st: cfg.Store, srv: srv, ts: ts, now: now}
}

// call makes a request; body may be a string (sent raw) or a value (JSON).
func (e *env) call(method, path, token string, body any) (int, []byte) {
	e.t.Helper()
	code, out, _ := e.callH(method, path, token, body)
	return code, out
}

// callH is call that also returns the answer's header.
func (e *env) callH(method, path, token string, body any) (int, []byte, http.Header) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	req.Header.Set(wire.ProtocolHeader, "1")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out, res.Header
}

// login signs a demo operator in and returns the token.
func (e *env) login(email string) string {
	e.t.Helper()
	code, body := e.call("POST", "/api/v1/auth/login", "", wire.LoginRequest{Email: email, Password: seed.DemoPassword})
	if code != 200 {
		e.t.Fatalf("login %s = %d %s", email, code, body)
	}
	var r wire.LoginResponse
	_ = json.Unmarshal(body, &r)
	return r.Token
}

// command sends one command and returns its result.
func (e *env) command(token, typ string, payload any) wire.CommandResult {
	e.t.Helper()
	p, _ := json.Marshal(payload)
	req := wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: NewID(), Type: typ, Payload: p}}}
	code, body := e.call("POST", "/api/v1/commands", token, req)
	if code != 200 {
		e.t.Fatalf("command %s = %d %s", typ, code, body)
	}
	var r wire.CommandsResponse
	if err := json.Unmarshal(body, &r); err != nil || len(r.Results) != 1 {
		e.t.Fatalf("command %s: bad answer %s", typ, body)
	}
	return r.Results[0]
}

// pull pulls everything the token's operator sees after seq.
func (e *env) pull(token string, after int64) []wire.Change {
	e.t.Helper()
	var all []wire.Change
	for {
		code, body, h := e.callH("GET", "/api/v1/sync/pull?limit=7&after="+itoa(after), token, nil)
		if code != 200 {
			e.t.Fatalf("pull = %d %s", code, body)
		}
		var p wire.PullResponse
		if err := json.Unmarshal(body, &p); err != nil {
			e.t.Fatal(err)
		}
		if h.Get(wire.PullNextHeader) != itoa(p.Next) || h.Get(wire.PullMoreHeader) != strconv.FormatBool(p.More) {
			e.t.Fatalf("pull headers next=%q more=%q, body next=%d more=%v", h.Get(wire.PullNextHeader), h.Get(wire.PullMoreHeader), p.Next, p.More)
		}
		all = append(all, p.Changes...)
		after = p.Next
		if !p.More {
			return all
		}
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// wantError checks a status and an error code.
func wantError(t *testing.T, what string, code int, body []byte, wantCode int, wantErr string) {
	t.Helper()
	var e wire.Error
	_ = json.Unmarshal(body, &e)
	if code != wantCode || e.Code != wantErr {
		t.Errorf("%s = %d %q, want %d %q (body %s)", what, code, e.Code, wantCode, wantErr, body)
	}
	if e.Message == "" {
		t.Errorf("%s: error %q has no message", what, e.Code)
	}
}

type response struct {
	status int
	body   []byte
}

func newRequest(method, url string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, err
}

func httpDo(req *http.Request) (response, error) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return response{res.StatusCode, b}, err
}

func viewerAll(org *inbox.Org) store.Viewer { return store.ViewerOf(org, "op-admin") }
