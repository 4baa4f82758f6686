package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"switchboard/app/notify"
	"switchboard/app/replica"
	"switchboard/app/syncclient"
	"switchboard/inbox"
)

// Config is what main passes in.
type Config struct {
	// DataDir holds the replica file.
	DataDir string
	// DefaultServer pre-fills the sign-in form.
	DefaultServer string
	// Notifier raises native alerts; nil means the OS's (beeep).
	Notifier notify.Notifier
	// Tokens keeps the session token between runs; nil means the OS
	// keychain. Without a working keychain the operator signs in at every
	// start (the replica and its outbox are kept all the same).
	Tokens TokenStore
}

// core is the state the services share: the replica, the signed-in
// operator, the running sync client and the event emitter.
type core struct {
	cfg     Config
	http    *http.Client
	ready   chan struct{} // closed when startup finished
	emit    emitFunc
	batch   *batcher
	alerts  *notify.Alerter
	startup error
	// activity is colleagues' typing and viewing; it guards itself.
	activity *activity
	stopLoop context.CancelFunc
	// files, uploads and downloads are the attachments' copies here and
	// their transfers; each guards itself.
	files     *fileStore
	uploads   *uploads
	downloads downloads
	// hosting runs connector channels here when the operator chose so.
	hosting *hosting
	// saveDialog asks the operator where to save a file (Wails' native
	// dialog, set at startup); "" means cancelled.
	saveDialog func(defaultName, title string) (string, error)

	// mu guards the fields below.
	mu       sync.Mutex
	rp       *replica.Replica
	session  SessionState
	token    string
	sync     *syncclient.Client
	stopSync context.CancelFunc
	syncDone chan struct{}
	org      *inbox.Org // cached; nil after an org change
	online   map[string]bool
	open     string        // the dialog open in the window (colleagues see us viewing it)
	viewing  string        // the dialog on screen with the window in front (alerts skip it)
	filling  bool          // the replica fills from empty: what arrives is history
	raised   []RaisedAlert // the newest alerts raised, for the dev build's test hook
	savePath string        // the dev build's test hook answers the next save dialog with it
}

func newCore(cfg Config) *core {
	c := &core{
		cfg:      cfg,
		http:     &http.Client{Timeout: 30 * time.Second},
		ready:    make(chan struct{}),
		emit:     func(string, any) {},
		online:   map[string]bool{},
		activity: newActivity(),
		files:    newFileStore(cfg.DataDir),
	}
	c.downloads.inflight = map[string]*uploadJob{}
	c.hosting = &hosting{c: c}
	c.uploads = newUploads(c.files, func(p FileProgress) { c.emit(EventFileProgress, p) })
	if c.cfg.Tokens == nil {
		c.cfg.Tokens = keychain{}
	}
	if c.cfg.Notifier == nil {
		c.cfg.Notifier = notify.NewBeeep("Switchboard")
	}
	// A desktop without a notification daemon loses only its alerts.
	c.alerts = notify.NewAlerter(notify.Config{Notifier: c.cfg.Notifier, OnAlert: c.raisedAlert})
	c.session = SessionState{Status: StatusSignedOut, Server: cfg.DefaultServer}
	return c
}

// start opens the replica. emit is how events reach the UI.
func (c *core) start(ctx context.Context, emit emitFunc) {
	defer close(c.ready)
	c.emit = emit
	c.batch = newBatcher(emit, 500, 50*time.Millisecond)
	loopCtx, stopLoop := context.WithCancel(context.Background())
	c.stopLoop = stopLoop
	go c.activityLoop(loopCtx, time.Second)
	// Unreadable settings fall back to the defaults: alerts on, text shown.
	set, _ := loadAlertSettings(c.cfg.DataDir)
	c.alerts.SetSettings(set)
	rp, err := replica.Open(ctx, filepath.Join(c.cfg.DataDir, "replica.db"))
	if err != nil {
		c.startup = fmt.Errorf("start: %w", err)
		return
	}
	c.mu.Lock()
	c.rp = rp
	c.mu.Unlock()
	owner, err := rp.Owner(ctx)
	if err != nil || owner.Server == "" {
		return
	}
	// A previous run's replica (and its outbox) belongs to this operator:
	// with the token still in the keychain the session resumes, and the
	// outbox goes out once the server answers.
	c.mu.Lock()
	c.session.Server = owner.Server
	c.mu.Unlock()
	token, err := c.cfg.Tokens.Get(tokenAccount(owner.Server, owner.OperatorID))
	if err != nil || token == "" {
		return
	}
	if err := c.resume(owner.Server, owner.OperatorID, token); err != nil {
		c.mu.Lock()
		c.session = SessionState{Status: StatusSignedOut, Server: owner.Server}
		c.mu.Unlock()
	}
}

// stop ends the sync client and the alerts and closes the replica.
func (c *core) stop() {
	if c.stopLoop != nil {
		c.stopLoop()
	}
	c.stopSyncing()
	c.alerts.Close()
	c.mu.Lock()
	rp := c.rp
	c.rp = nil
	c.mu.Unlock()
	if rp != nil {
		rp.Close()
	}
}

// wait blocks until startup has finished, so a method the UI calls early
// does not see a half-built core.
func (c *core) wait(ctx context.Context) error {
	select {
	case <-c.ready:
		return c.startup
	case <-ctx.Done():
		return ctx.Err()
	}
}

// signedIn returns the replica and the operator's id, or CodeSignedOut.
func (c *core) signedIn(ctx context.Context) (*replica.Replica, string, error) {
	if err := c.wait(ctx); err != nil {
		return nil, "", toUI(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rp == nil || c.session.OperatorID == "" {
		return nil, "", uiError(CodeSignedOut, "", nil)
	}
	return c.rp, c.session.OperatorID, nil
}

// signedInOrg is signedIn with the workspace's org, its read error in the
// UI's words.
func (c *core) signedInOrg(ctx context.Context) (*replica.Replica, *inbox.Org, string, error) {
	rp, me, err := c.signedIn(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	org, err := c.orgOf(ctx, rp)
	if err != nil {
		return nil, nil, "", toUI(err)
	}
	return rp, org, me, nil
}

// orgOf returns the cached org, reading it from the replica when needed.
func (c *core) orgOf(ctx context.Context, rp *replica.Replica) (*inbox.Org, error) {
	c.mu.Lock()
	org := c.org
	c.mu.Unlock()
	if org != nil {
		return org, nil
	}
	org, err := rp.Org(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.org = org
	c.mu.Unlock()
	return org, nil
}

func (c *core) isOnline(operatorID string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.online[operatorID]
}

// newID returns a random UUID (version 4): command and message ids are made
// on the desktop so a command sent twice is recognised by the server.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
