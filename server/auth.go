package server

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"switchboard/server/password"
	"switchboard/wire"
)

func (s *Server) login(w http.ResponseWriter, r *http.Request, _ string) error {
	var req wire.LoginRequest
	if err := decodeJSON(w, r, 16<<10, &req); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if email == "" || req.Password == "" {
		e := errorf(http.StatusUnprocessableEntity, "auth.missing", "Enter your e-mail and password.")
		e.Body.Fields = map[string]string{}
		if email == "" {
			e.Body.Fields["email"] = "required"
		}
		if req.Password == "" {
			e.Body.Fields["password"] = "required"
		}
		return e
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	if wait := s.limit.blocked(email, ip); wait > 0 {
		w.Header().Set("Retry-After", strings.TrimSuffix(wait.Round(time.Second).String(), "s"))
		return errorf(http.StatusTooManyRequests, "auth.rate_limited",
			"Too many failed sign-ins. Try again in %d seconds.", int(wait.Round(time.Second).Seconds()))
	}
	op, hash, err := s.st.Credential(r.Context(), email)
	if err != nil || !password.Check(hash, req.Password) {
		s.limit.failed(email, ip)
		return errorf(http.StatusUnauthorized, "auth.invalid", "The e-mail or password is wrong.")
	}
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	if o := org.Operators[op]; o == nil || !o.Active {
		return errorf(http.StatusForbidden, "auth.deactivated", "Your account is deactivated. Ask your administrator.")
	}
	s.limit.succeeded(email, ip)
	tok := newToken()
	if err := s.st.CreateSession(r.Context(), hashToken(tok), op, s.cfg.Now().Add(s.cfg.SessionTTL)); err != nil {
		return err
	}
	wsID := ""
	if org.Workspace != nil {
		wsID = org.Workspace.ID
	}
	writeJSON(w, http.StatusOK, wire.LoginResponse{Token: tok, OperatorID: op, WorkspaceID: wsID})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, _ string) error {
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if err := s.st.DeleteSession(r.Context(), hashToken(tok)); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, op string) error {
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, org.Operators[op])
	return nil
}

// loginLimiter slows down password guessing: after maxFails failures for
// one e-mail or one address within window, sign-in waits out the window.
type loginLimiter struct {
	now func() time.Time
	// mu guards fails.
	mu    sync.Mutex
	fails map[string][]time.Time
}

const (
	loginMaxFails = 5
	loginWindow   = 5 * time.Minute
)

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, fails: map[string][]time.Time{}}
}

func (l *loginLimiter) keys(email, ip string) []string {
	return []string{"e:" + email, "a:" + ip}
}

// blocked returns how long the caller must wait, or 0.
func (l *loginLimiter) blocked(email, ip string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range l.keys(email, ip) {
		fs := l.recent(k, now)
		// An address may try several accounts, so it gets more attempts.
		max := loginMaxFails
		if strings.HasPrefix(k, "a:") {
			max *= 4
		}
		if len(fs) >= max {
			wait = max64(wait, fs[0].Add(loginWindow).Sub(now))
		}
	}
	return wait
}

func (l *loginLimiter) recent(k string, now time.Time) []time.Time {
	fs := l.fails[k]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= loginWindow {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.fails, k)
	} else {
		l.fails[k] = fs
	}
	return fs
}

func (l *loginLimiter) failed(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range l.keys(email, ip) {
		l.fails[k] = append(l.fails[k], l.now())
	}
}

func (l *loginLimiter) succeeded(email, _ string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "e:"+email)
}

func max64(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
