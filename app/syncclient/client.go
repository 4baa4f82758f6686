package syncclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"switchboard/app/replica"
	"switchboard/wire"
)

// State is the connection's state as the UI shows it.
type State string

const (
	StateConnecting   State = "connecting"   // first connection of this run
	StateSyncing      State = "syncing"      // pulling the change log
	StateOnline       State = "online"       // following the live feed
	StateReconnecting State = "reconnecting" // lost, waiting to try again
	StateStopped      State = "stopped"      // Run returned (signed out, too old)
)

// Sink receives what the client does. Calls come from the client's
// goroutines, one at a time per kind but not in a fixed order across kinds;
// implementations must not block for long.
type Sink interface {
	// Applied is called after a batch of changes landed in the replica.
	Applied(replica.Applied)
	// Progress reports the bootstrap: done of total change-log entries.
	Progress(done, total int64)
	// Connection reports a state change; err is why, for reconnecting and
	// stopped.
	Connection(s State, err error)
	// Rejected reports a command the server refused; its optimistic change
	// was rolled back already.
	Rejected(res wire.CommandResult, dialogID string)
	// Accepted reports a command the server accepted.
	Accepted(res wire.CommandResult, dialogID string)
	// Presence reports a colleague going online or offline.
	Presence(operatorID string, online bool)
	// Activity reports a colleague typing in or viewing a dialog, as the
	// live feed relays it.
	Activity(a Activity)
}

// Activity kinds: what a colleague does in a dialog.
const (
	ActivityTyping  = wire.FrameTyping
	ActivityViewing = wire.FrameViewing
	// ActivityClientTyping is the dialog's customer typing (OperatorID is
	// empty).
	ActivityClientTyping = wire.FrameClientTyping
	// ActivityReplying, announced only, is the operator typing a reply the
	// customer will get: colleagues see typing, and the customer's
	// channel may show it too.
	ActivityReplying = "replying"
)

// Activity is a colleague's typing or viewing in a dialog: Kind is
// ActivityTyping or ActivityViewing, On says it started (or goes on) or
// stopped. The server relays these frames and keeps nothing, so a desktop
// repeats its own while they last and forgets others' that stop coming.
type Activity struct {
	Kind       string
	DialogID   string
	OperatorID string
	On         bool
}

// Config sets up a Client.
type Config struct {
	Server  string // base URL of the team server
	Token   string
	Replica *replica.Replica
	Sink    Sink
	HTTP    *http.Client // nil: http.DefaultClient
	// PageSize is how many changes a bootstrap page asks for.
	PageSize int
	// MinBackoff and MaxBackoff bound the wait between reconnections.
	MinBackoff, MaxBackoff time.Duration
	// PushInterval is how often the outbox is retried while online even
	// without a Kick (a command whose answer was lost).
	PushInterval time.Duration
	// Prepare, when set, readies a command before it is sent: the app
	// uploads the files a message carries. An error stops the push there
	// (the command and those after it wait for the next try), except a
	// *Refused, which rejects the command here as the server would.
	Prepare func(ctx context.Context, cmd wire.CommandEnvelope) error
}

// Refused is a command Prepare turns down for good (a file too large for
// the server, or gone from this computer): it is rejected locally, its
// optimistic change rolled back, and the outbox moves on.
type Refused struct {
	Code    string
	Message string
	Args    map[string]string
}

func (r *Refused) Error() string { return r.Code + ": " + r.Message }

// Client syncs one signed-in operator's replica. Create with New, then Run.
type Client struct {
	cfg  Config
	api  *api
	kick chan struct{}
	// announce holds the operator's own typing and viewing frames for
	// the live connection to write; full or offline, they are dropped.
	announce chan wire.Frame
	// liveUp is 1 while a live connection is open.
	liveUp atomic.Bool

	// pushMu serialises outbox pushes so commands reach the server in
	// the order they were issued.
	pushMu sync.Mutex
}

// New checks cfg and returns a client ready to Run.
func New(cfg Config) (*Client, error) {
	base, err := parseServer(cfg.Server)
	if err != nil {
		return nil, err
	}
	if cfg.Replica == nil || cfg.Sink == nil {
		return nil, errors.New("syncclient: Replica and Sink are required")
	}
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 1000
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(30*time.Second, cfg.MinBackoff)
	}
	if cfg.PushInterval <= 0 {
		cfg.PushInterval = 10 * time.Second
	}
	return &Client{
		cfg:      cfg,
		api:      &api{base: base, token: cfg.Token, http: cfg.HTTP},
		kick:     make(chan struct{}, 1),
		announce: make(chan wire.Frame, 16),
	}, nil
}

// Kick tells the client the outbox has new commands. It never blocks; while
// offline the commands wait in the outbox for the next connection.
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Announce tells the colleagues who see dialogID that the operator is
// typing in it or viewing it (on) or stopped. It never blocks; it reports
// false when the frame was dropped because no live connection is open (or
// too many wait), so the caller repeats what still holds once online.
func (c *Client) Announce(kind, dialogID string, on bool) bool {
	if dialogID == "" || (kind != ActivityTyping && kind != ActivityReplying && kind != ActivityViewing) || !c.liveUp.Load() {
		return false
	}
	f := wire.Frame{Type: kind, DialogID: dialogID}
	if kind == ActivityReplying {
		f.Type, f.Reply = ActivityTyping, true
	}
	if f.Type == ActivityTyping {
		f.Typing = on
	} else {
		f.Viewing = on
	}
	select {
	case c.announce <- f:
		return true
	default:
		return false
	}
}

// Run syncs until ctx ends or the server refuses the session or the
// protocol (then it returns that error, an *Error with CodeUnauthorized or
// CodeTooOld). Connection failures are retried with backoff.
func (c *Client) Run(ctx context.Context) error {
	c.cfg.Sink.Connection(StateConnecting, nil)
	failures := 0
	for {
		online, err := c.session(ctx)
		if ctx.Err() != nil {
			c.cfg.Sink.Connection(StateStopped, nil)
			return ctx.Err()
		}
		if fatal(err) {
			c.cfg.Sink.Connection(StateStopped, err)
			return err
		}
		if online {
			failures = 0 // the server was fine for a while: start over fast
		}
		failures++
		c.cfg.Sink.Connection(StateReconnecting, err)
		select {
		case <-ctx.Done():
			c.cfg.Sink.Connection(StateStopped, nil)
			return ctx.Err()
		case <-time.After(c.backoff(failures)):
		}
	}
}

// backoff is the wait before attempt n (1-based): doubling from MinBackoff,
// capped at MaxBackoff, with jitter so a server restart is not met by every
// desktop at the same instant.
func (c *Client) backoff(n int) time.Duration {
	d := c.cfg.MinBackoff
	for i := 1; i < n && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// session is one connection's life: catch up, push the outbox, follow the
// live feed. online reports whether it got as far as the live feed.
func (c *Client) session(ctx context.Context) (online bool, err error) {
	for {
		if err := c.bootstrap(ctx); err != nil {
			return false, err
		}
		if err := c.Push(ctx); err != nil {
			return false, err
		}
		online, err = c.live(ctx)
		if !errors.Is(err, errResync) {
			return online, err
		}
		// The operator's sight changed and the replica was reset: pull
		// from 0 again at once, on the same footing as a first start.
	}
}

// errResync ends the live feed when a resync reset the replica.
var errResync = errors.New("syncclient: the server asked for a fresh pull")

// bootstrap pulls pages after the replica's last seq until the server has
// no more.
func (c *Client) bootstrap(ctx context.Context) error {
	announced := false
	for {
		after, err := c.cfg.Replica.LastSeq(ctx)
		if err != nil {
			return err
		}
		reset, err := c.pullAll(ctx, after, &announced)
		if err != nil {
			return err
		}
		if !reset {
			// A pull from 0 left the dialogs' indexes to be made at its
			// end, and the search index to the replica's builder.
			return c.cfg.Replica.FinishPull(ctx)
		}
		// A resync emptied the replica: pull again from the start.
	}
}

// pullAll pulls the pages after after until the server has no more. It
// stops early, reporting true, when a resync reset the replica.
func (c *Client) pullAll(ctx context.Context, after int64, announced *bool) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the page in flight
	for p := range c.api.pages(ctx, after, c.cfg.PageSize) {
		if p.err != nil {
			return false, p.err
		}
		page, err := p.decode()
		if err != nil {
			return false, err
		}
		if !*announced && page.More {
			c.cfg.Sink.Connection(StateSyncing, nil)
			*announced = true
		}
		if after == 0 {
			// A pull from the start already sees the sight of every
			// resync up to the head it reported.
			if err := c.cfg.Replica.Baseline(ctx, page.Head); err != nil {
				return false, err
			}
		}
		if len(page.Changes) > 0 {
			applied, err := c.cfg.Replica.Apply(ctx, page.Changes)
			if err != nil {
				return false, err
			}
			c.cfg.Sink.Applied(applied)
			if applied.Reset {
				return true, nil
			}
		}
		if page.Next > after {
			after = page.Next
		}
		c.cfg.Sink.Progress(after, max(page.Head, after))
		if !page.More {
			return false, nil
		}
	}
	return false, ctx.Err()
}

// Push sends every pending command of the outbox, oldest first, and records
// the answers. A network failure leaves the rest pending for the next try;
// the server's idempotency on command ids makes re-sending safe.
func (c *Client) Push(ctx context.Context) error {
	c.pushMu.Lock()
	defer c.pushMu.Unlock()
	for {
		cmds, err := c.cfg.Replica.Pending(ctx, 50)
		if err != nil || len(cmds) == 0 {
			return err
		}
		cmds, stop, err := c.prepare(ctx, cmds)
		if err != nil {
			return err
		}
		if len(cmds) == 0 {
			if stop != nil {
				return stop
			}
			continue // the first command was refused here; go on
		}
		resp, err := c.api.commands(ctx, cmds)
		if err != nil {
			return err
		}
		answered := 0
		for _, res := range resp.Results {
			dialogID, err := c.cfg.Replica.Resolve(ctx, res)
			if err != nil {
				return err
			}
			answered++
			if res.OK {
				c.cfg.Sink.Accepted(res, dialogID)
			} else {
				c.cfg.Sink.Rejected(res, dialogID)
			}
		}
		if answered == 0 {
			// A server that answers nothing would make us loop forever.
			return &Error{Code: CodeServer, Message: "The server answered no command."}
		}
		var ref *Refused
		if stop != nil && !errors.As(stop, &ref) {
			return stop
		}
		// A refused command after the prefix is rejected on the next round.
	}
}

// prepare runs Prepare over cmds in order and returns the ready prefix.
// When a command cannot be readied now, stop says why and the prefix
// before it goes out alone. A first command refused for good is rejected
// here and an empty prefix returned, so the caller reads the outbox again.
func (c *Client) prepare(ctx context.Context, cmds []wire.CommandEnvelope) (ready []wire.CommandEnvelope, stop error, err error) {
	if c.cfg.Prepare == nil {
		return cmds, nil, nil
	}
	for i, cmd := range cmds {
		perr := c.cfg.Prepare(ctx, cmd)
		if perr == nil {
			continue
		}
		var ref *Refused
		if !errors.As(perr, &ref) || i > 0 {
			return cmds[:i], perr, nil
		}
		res := wire.CommandResult{ID: cmd.ID, Code: ref.Code, Message: ref.Message, Args: ref.Args}
		dialogID, err := c.cfg.Replica.Resolve(ctx, res)
		if err != nil {
			return nil, nil, err
		}
		c.cfg.Sink.Rejected(res, dialogID)
		return nil, nil, nil
	}
	return cmds, nil, nil
}
