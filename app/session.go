package app

import (
	"context"
	"errors"

	"switchboard/app/replica"
	"switchboard/app/syncclient"
	"switchboard/inbox"
	"switchboard/wire"
)

// Session statuses the UI shows.
const (
	StatusSignedOut    = "signed_out"
	StatusConnecting   = "connecting"
	StatusSyncing      = "syncing"
	StatusOnline       = "online"
	StatusReconnecting = "reconnecting"
	StatusStopped      = "stopped" // the server refused the session or this version
)

// SessionState is who is signed in and how the connection is.
type SessionState struct {
	Status       string `json:"status"`
	Server       string `json:"server"`
	OperatorID   string `json:"operatorId"`
	OperatorName string `json:"operatorName"`
	// ManagesDialogs is true with dialogs.manage or dialogs.view_all: the
	// All and Blacklist tabs are shown.
	ManagesDialogs bool `json:"managesDialogs"`
	// ErrorCode and ErrorMessage say why the status is reconnecting or
	// stopped.
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// Session signs the operator in and out. Wails v2 passes bound methods
// only the UI's arguments, so they make their own context.
type Session struct{ c *core }

// State returns the current session state.
func (s *Session) State() (SessionState, error) {
	ctx := context.Background()
	if err := s.c.wait(ctx); err != nil {
		return SessionState{}, toUI(err)
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return s.c.session, nil
}

// Login signs in to server. A replica left by another operator or server
// is wiped first; one left by the same operator is kept, outbox included.
func (s *Session) Login(server, email, password string) (SessionState, error) {
	ctx := context.Background()
	c := s.c
	if err := c.wait(ctx); err != nil {
		return SessionState{}, toUI(err)
	}
	server, err := syncclient.NormalizeServer(server)
	if err != nil {
		return SessionState{}, toUI(err)
	}
	resp, err := syncclient.Login(ctx, c.http, server, email, password)
	if err != nil {
		return SessionState{}, toUI(err)
	}
	c.stopSyncing()
	c.mu.Lock()
	rp := c.rp
	c.mu.Unlock()
	owner, err := rp.Owner(ctx)
	if err != nil {
		return SessionState{}, toUI(err)
	}
	want := replica.Owner{Server: server, OperatorID: resp.OperatorID}
	if owner != want {
		if err := errors.Join(rp.Wipe(ctx), c.files.wipe()); err != nil {
			return SessionState{}, toUI(err)
		}
		if err := rp.SetOwner(ctx, want); err != nil {
			return SessionState{}, toUI(err)
		}
	}
	// A keychain that cannot store the token costs only the next start's
	// automatic sign-in; it does not stop this session.
	_ = c.cfg.Tokens.Set(tokenAccount(server, resp.OperatorID), resp.Token)
	if err := c.resume(server, resp.OperatorID, resp.Token); err != nil {
		return SessionState{}, toUI(err)
	}
	return s.State()
}

// resume starts syncing as operatorID with a token from a sign-in or from
// the keychain.
func (c *core) resume(server, operatorID, token string) error {
	c.mu.Lock()
	rp := c.rp
	c.mu.Unlock()
	cl, err := syncclient.New(syncclient.Config{Server: server, Token: token, Replica: rp, Sink: &sink{c: c}, HTTP: c.http,
		Prepare: c.prepareCommand})
	if err != nil {
		return err
	}
	c.uploads.forget()
	c.mu.Lock()
	c.token = token
	c.org = nil
	c.session = SessionState{Status: StatusConnecting, Server: server, OperatorID: operatorID}
	c.mu.Unlock()
	c.refreshIdentity(context.Background())
	c.alerts.SignIn(operatorID, rp)
	c.startSyncing(cl)
	go c.hosting.apply(c.preferences().HostChannels)
	return nil
}

// Logout ends the session on the server (when reachable) and wipes the
// token and the replica.
func (s *Session) Logout() error {
	ctx := context.Background()
	c := s.c
	if err := c.wait(ctx); err != nil {
		return toUI(err)
	}
	c.stopSyncing()
	c.alerts.SignOut()
	c.activity.reset()
	c.mu.Lock()
	server, token, rp, me := c.session.Server, c.token, c.rp, c.session.OperatorID
	c.token = ""
	c.org = nil
	c.open, c.viewing, c.filling = "", "", false
	c.session = SessionState{Status: StatusSignedOut, Server: server}
	state := c.session
	c.mu.Unlock()
	// Best effort: an unreachable server must not keep the operator signed
	// in on this machine.
	_ = syncclient.Logout(ctx, c.http, server, token)
	err := errors.Join(c.cfg.Tokens.Delete(tokenAccount(server, me)), rp.Wipe(ctx), c.files.wipe())
	c.emit(EventSessionState, state)
	c.batch.add(nil, true)
	return toUI(err)
}

func (c *core) startSyncing(cl *syncclient.Client) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	c.mu.Lock()
	c.sync, c.stopSync, c.syncDone = cl, cancel, done
	c.mu.Unlock()
	go func() {
		defer close(done)
		cl.Run(ctx)
	}()
}

func (c *core) stopSyncing() {
	c.hosting.halt()
	c.mu.Lock()
	cancel, done := c.stopSync, c.syncDone
	c.sync, c.stopSync, c.syncDone = nil, nil, nil
	c.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// kick tells the sync client the outbox grew.
func (c *core) kick() {
	c.mu.Lock()
	cl := c.sync
	c.mu.Unlock()
	if cl != nil {
		cl.Kick()
	}
}

// refreshIdentity fills the operator's name and permissions from the org.
func (c *core) refreshIdentity(ctx context.Context) {
	c.mu.Lock()
	rp, me := c.rp, c.session.OperatorID
	c.mu.Unlock()
	if rp == nil || me == "" {
		return
	}
	org, err := c.orgOf(ctx, rp)
	if err != nil {
		return
	}
	c.mu.Lock()
	if op := org.Operators[me]; op != nil {
		c.session.OperatorName = op.Name
	}
	c.session.ManagesDialogs = org.SeesAll(me)
	c.mu.Unlock()
}

// sink turns the sync client's reports into state and UI events.
type sink struct{ c *core }

func (s *sink) Applied(a replica.Applied) {
	if a.Org {
		s.c.mu.Lock()
		s.c.org = nil
		s.c.mu.Unlock()
		s.c.refreshIdentity(context.Background())
		s.c.mu.Lock()
		state := s.c.session
		s.c.mu.Unlock()
		s.c.emit(EventSessionState, state)
	}
	if a.Reset {
		s.c.mu.Lock()
		s.c.filling = true
		s.c.mu.Unlock()
	}
	s.c.alerts.Applied(a)
	s.c.recordMentions(context.Background(), a)
	s.c.batch.add(a.DialogIDs, a.Org)
	if a.Templates || a.Reset {
		s.c.emit(EventTemplatesChanged, nil)
	}
	if a.Clients {
		s.c.batch.addClients()
	}
}

func (s *sink) Progress(done, total int64) {
	s.c.emit(EventSyncProgress, SyncProgress{Done: done, Total: total})
}

func (s *sink) Connection(st syncclient.State, err error) {
	c := s.c
	c.mu.Lock()
	if c.session.OperatorID == "" {
		c.mu.Unlock()
		return // signed out meanwhile
	}
	if st == syncclient.StateOnline {
		c.filling = false
	} else if c.rp != nil {
		// A replica with nothing applied fills from the start.
		if seq, err := c.rp.LastSeq(context.Background()); err == nil && seq == 0 {
			c.filling = true
		}
	}
	switch st {
	case syncclient.StateConnecting:
		c.session.Status = StatusConnecting
	case syncclient.StateSyncing:
		c.session.Status = StatusSyncing
	case syncclient.StateOnline:
		c.session.Status = StatusOnline
	case syncclient.StateReconnecting:
		c.session.Status = StatusReconnecting
	case syncclient.StateStopped:
		if err == nil {
			c.mu.Unlock()
			return // stopped by us: Logout or shutdown sets the state
		}
		c.session.Status = StatusStopped
		if syncclient.CodeOf(err) == syncclient.CodeUnauthorized {
			// The server ended the session: the stored token is dead.
			_ = c.cfg.Tokens.Delete(tokenAccount(c.session.Server, c.session.OperatorID))
		}
	}
	c.session.ErrorCode, c.session.ErrorMessage = "", ""
	var se *syncclient.Error
	if errors.As(err, &se) {
		c.session.ErrorCode, c.session.ErrorMessage = se.Code, se.Message
	} else if err != nil {
		c.session.ErrorCode = CodeInternal
	}
	state := c.session
	c.mu.Unlock()
	// Alerts follow the connection: what a (re)connection pulls is a
	// catch-up, summed up once the live feed is reached.
	switch st {
	case syncclient.StateConnecting, syncclient.StateSyncing, syncclient.StateReconnecting:
		c.alerts.Connecting()
	case syncclient.StateOnline:
		c.alerts.Online()
	case syncclient.StateStopped:
		c.alerts.Offline()
	}
	if st == syncclient.StateOnline {
		c.refreshIdentity(context.Background())
		c.mu.Lock()
		state = c.session
		c.mu.Unlock()
		c.reannounce()
		go c.prepareTable()
	}
	c.emit(EventSessionState, state)
}

func (s *sink) Rejected(res wire.CommandResult, dialogID string) {
	s.c.emit(EventCommandRejected, CommandRejected{CommandID: res.ID, DialogID: dialogID, Code: res.Code, Message: res.Message, Args: res.Args})
	// The rollback may have taken back an org row made on the spot (a
	// tag); refusals are rare, so the org is simply read again.
	s.c.mu.Lock()
	s.c.org = nil
	s.c.mu.Unlock()
	var ids []string
	if dialogID != "" {
		ids = []string{dialogID}
	} else {
		s.c.batch.addClients() // a client card command: its change was rolled back
	}
	s.c.batch.add(ids, true)
}

func (s *sink) Accepted(res wire.CommandResult, dialogID string) {}

func (s *sink) Presence(operatorID string, online bool) {
	s.c.mu.Lock()
	s.c.online[operatorID] = online
	s.c.mu.Unlock()
	s.c.batch.add(nil, true)
	if !online {
		if changed := s.c.activity.forget(operatorID); len(changed) > 0 {
			s.c.emitActivity(changed...)
		}
	}
}

func (s *sink) Activity(a syncclient.Activity) {
	if s.c.activity.hear(a) {
		s.c.emitActivity(a.DialogID)
	}
}

var _ syncclient.Sink = (*sink)(nil)

// operatorName returns an operator's display name, or the id.
func operatorName(org *inbox.Org, id string) string {
	if op := org.Operators[id]; op != nil && op.Name != "" {
		return op.Name
	}
	return id
}
