// Package server is the team server: the HTTP API, sign-in, command
// handling, the change-log pull and the live WebSocket feed. It is the
// source of truth; every command passes the same inbox rules the desktop
// applies optimistically.
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"switchboard/server/store"
	"switchboard/wire"
)

// Version is the server's build version.
var Version = "0.1.0-dev"

// Config configures a Server.
type Config struct {
	Store store.Store
	Log   *slog.Logger
	// HostKey, when set, lets a connector host post inbound events to
	// /api/v1/ingest with "Authorization: Host <key>".
	HostKey string
	// Now is the clock (tests move it).
	Now func() time.Time
	// DevClock, when set, is the clock instead of Now, and the API serves
	// GET and POST /api/v1/dev/clock to read and move it. Tests and demos
	// only (switchboard-server --dev-clock).
	DevClock *DevClock
	// SessionTTL is how long a sign-in lasts; default 30 days.
	SessionTTL time.Duration
	// MaxFileBytes is the largest file an operator may upload; default
	// DefaultMaxFileBytes.
	MaxFileBytes int64
}

// Server serves the API. Start its background work with Run.
type Server struct {
	cfg    Config
	st     store.Store
	log    *slog.Logger
	eng    *engine
	hub    *hub
	limit  *loginLimiter
	mux    *http.ServeMux
	ctx    context.Context
	cancel context.CancelFunc
	// onCommit are told, besides the hub, when the log grew here or on
	// another instance; set before Run.
	onCommit []func(head int64)
	// connectors lists the installed connector plugins; set by the relay,
	// empty when this server hosts none.
	connectors atomic.Pointer[func(ctx context.Context) []wire.Connector]
	// contacts asks a channel's connector about a phone or address; set by
	// the relay, nil when this server hosts no channels.
	contacts atomic.Pointer[ContactChecker]
	// instance names this server among the instances on one database, so
	// it does not relay its own signals twice; its presence rows carry it.
	instance string
	// asked are the questions this instance put to the others.
	asked pending
	// othersPresence is told when another instance's operators changed.
	othersPresence chan struct{}
	// bell wakes the connector hosts waiting for outbound messages.
	bell outboundBell
	// activity hear operators type replies in and read dialogs (the relay).
	activity []func(OperatorActivity)
}

// New builds a server; call Run to start its writer, hub and timers.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.DevClock != nil {
		cfg.Now = cfg.DevClock.Now
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Log, limit: newLoginLimiter(cfg.Now), ctx: ctx, cancel: cancel, instance: newInstanceID(),
		othersPresence: make(chan struct{}, 1)}
	s.hub = newHub(cfg.Store, cfg.Log)
	if cfg.Store != nil {
		// What this instance's writes log goes to the live feed as it is,
		// not read back from the database.
		cfg.Store.OnCommitted(s.hub.handOver)
	}
	s.eng = newEngine(cfg.Store, cfg.Now, s.committed)
	s.routes()
	return s
}

// Run runs the writer, the live hub and the timers until ctx ends.
func (s *Server) Run(ctx context.Context) {
	go func() {
		<-ctx.Done()
		s.cancel()
	}()
	go s.eng.run(s.ctx)
	go s.hub.run(s.ctx)
	go func() { _ = s.st.Listen(s.ctx, s.committed) }()
	go func() { _ = s.st.ListenSignals(s.ctx, s.heardSignal) }()
	go s.timers(s.ctx)
	go s.purgeUploads(s.ctx)
	go s.presence(s.ctx)
	<-s.ctx.Done()
}

// committed is told the log grew, here or on another instance.
func (s *Server) committed(head int64) {
	s.hub.committed(head)
	s.bell.ring()
	for _, fn := range s.onCommit {
		fn(head)
	}
}

// OnCommit registers fn to be told whenever the change log grew, through
// this instance or another one on the same database. Call before Run; fn
// must not block.
func (s *Server) OnCommit(fn func(head int64)) { s.onCommit = append(s.onCommit, fn) }

// SetConnectorCatalog tells the server how to list the installed connector
// plugins (the relay's catalog) for the admin's channel screens. Call
// before Run.
func (s *Server) SetConnectorCatalog(fn func(ctx context.Context) []wire.Connector) {
	s.connectors.Store(&fn)
}

// Submit runs system commands (connector events, timers) through the same
// writer as the API's commands, one result per envelope.
func (s *Server) Submit(ctx context.Context, envs []wire.CommandEnvelope) ([]wire.CommandResult, error) {
	return s.eng.submit(ctx, "", envs)
}

// Close stops background work.
func (s *Server) Close() { s.cancel() }

// Handler is the HTTP API.
func (s *Server) Handler() http.Handler { return s.mux }

type handler func(w http.ResponseWriter, r *http.Request, op string) error

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.st.Head(r.Context()); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, wire.Error{Code: "server.unhealthy", Message: "The database does not answer."})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	m.HandleFunc("GET /api/v1/version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, wire.VersionResponse{Server: Version, Protocols: wire.SupportedVersions})
	})
	m.Handle("POST /api/v1/auth/login", s.open(s.login))
	m.Handle("POST /api/v1/auth/logout", s.authed(s.logout))
	m.Handle("GET /api/v1/me", s.authed(s.me))
	m.Handle("GET /api/v1/sync/pull", s.authed(s.pull))
	m.Handle("GET /api/v1/sync/live", s.authed(s.live))
	m.Handle("POST /api/v1/commands", s.authed(s.commands))
	m.Handle("GET /api/v1/dialogs/{id}", s.authed(s.getDialog))
	m.Handle("GET /api/v1/dialogs/{id}/messages", s.authed(s.getMessages))
	m.Handle("POST /api/v1/files", s.authed(s.uploadFile))
	m.Handle("GET /api/v1/files/{id}", s.authed(s.getFile))
	m.Handle("GET /api/v1/admin/org", s.authed(s.adminOrg))
	m.Handle("PUT /api/v1/admin/{kind}/{id}", s.authed(s.adminPut))
	m.Handle("GET /api/v1/admin/channels/{id}/settings", s.authed(s.getChannelSettings))
	m.Handle("PUT /api/v1/admin/channels/{id}/settings", s.authed(s.putChannelSettings))
	m.Handle("GET /api/v1/admin/connectors", s.authed(s.adminConnectors))
	m.Handle("GET /api/v1/reports/dialogs", s.authed(s.dialogReport))
	m.Handle("GET /api/v1/reports/analytics", s.authed(s.analytics))
	m.Handle("GET /api/v1/admin/smtp", s.authed(s.getSMTP))
	m.Handle("PUT /api/v1/admin/smtp", s.authed(s.putSMTP))
	m.Handle("POST /api/v1/dialogs/{id}/export/email", s.authed(s.exportEmail))
	m.Handle("POST /api/v1/ingest", s.open(s.ingest))
	m.Handle("POST /api/v1/channels/{id}/check-contact", s.authed(s.checkContact))
	s.hostRoutes(m)
	if s.cfg.DevClock != nil {
		m.Handle("GET /api/v1/dev/clock", s.open(s.getDevClock))
		m.Handle("POST /api/v1/dev/clock", s.open(s.moveDevClock))
	}
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(http.StatusNotFound, "request.not_found", "There is no %s %s in this API.", r.Method, r.URL.Path))
	})
	s.mux = m
}

// open wraps a handler that needs no session, checking the protocol.
func (s *Server) open(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkProtocol(r); err != nil {
			writeError(w, err)
			return
		}
		if err := h(w, r, ""); err != nil {
			s.fail(w, r, err)
		}
	})
}

// authed wraps a handler that needs a signed-in, active operator.
func (s *Server) authed(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkProtocol(r); err != nil {
			writeError(w, err)
			return
		}
		op, err := s.authenticate(r)
		if err != nil {
			writeError(w, err)
			return
		}
		if err := h(w, r, op); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if _, ok := err.(*apiError); !ok {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, err)
}

// checkProtocol refuses a client speaking a protocol this server does not,
// in words the operator can act on.
func checkProtocol(r *http.Request) error {
	h := r.Header.Get(wire.ProtocolHeader)
	if h == "" {
		return nil // curl, health checks, the admin's browser
	}
	v, err := strconv.Atoi(h)
	if err != nil {
		return errorf(http.StatusBadRequest, "protocol.malformed", "The %s header must be a number.", wire.ProtocolHeader)
	}
	lo, hi := wire.SupportedVersions[0], wire.SupportedVersions[len(wire.SupportedVersions)-1]
	switch {
	case v < lo:
		return errorf(http.StatusUpgradeRequired, "protocol.too_old",
			"This Switchboard app is too old for your team server (app protocol %d, server needs %d to %d). Update the app.", v, lo, hi)
	case v > hi:
		return errorf(http.StatusUpgradeRequired, "protocol.too_new",
			"Your team server is older than this Switchboard app (app protocol %d, server speaks up to %d). Ask your administrator to update the server.", v, hi)
	}
	return nil
}

// authenticate resolves the bearer token (or, for the WebSocket, which
// browsers cannot give headers, the token query parameter).
func (s *Server) authenticate(r *http.Request) (string, error) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok && r.URL.Path == "/api/v1/sync/live" {
		tok, ok = r.URL.Query().Get("token"), r.URL.Query().Has("token")
	}
	if !ok || tok == "" {
		return "", errorf(http.StatusUnauthorized, "auth.required", "Sign in first.")
	}
	op, err := s.st.Session(r.Context(), hashToken(tok), s.cfg.Now())
	if err != nil {
		return "", errorf(http.StatusUnauthorized, "auth.expired", "Your session has ended. Sign in again.")
	}
	org, err := s.st.Org(r.Context())
	if err != nil {
		return "", err
	}
	if o := org.Operators[op]; o == nil || !o.Active {
		return "", errorf(http.StatusForbidden, "auth.deactivated", "Your account is deactivated. Ask your administrator.")
	}
	return op, nil
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewID returns a time-ordered unique id (UUIDv7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }
