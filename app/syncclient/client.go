package syncclient

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync"
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
}

// Client syncs one signed-in operator's replica. Create with New, then Run.
type Client struct {
	cfg  Config
	api  *api
	kick chan struct{}

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
		cfg:  cfg,
		api:  &api{base: base, token: cfg.Token, http: cfg.HTTP},
		kick: make(chan struct{}, 1),
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
	if err := c.bootstrap(ctx); err != nil {
		return false, err
	}
	if err := c.Push(ctx); err != nil {
		return false, err
	}
	return c.live(ctx)
}

// bootstrap pulls pages after the replica's last seq until the server has
// no more.
func (c *Client) bootstrap(ctx context.Context) error {
	after, err := c.cfg.Replica.LastSeq(ctx)
	if err != nil {
		return err
	}
	announced := false
	for {
		page, err := c.api.pull(ctx, after, c.cfg.PageSize)
		if err != nil {
			return err
		}
		if !announced && page.More {
			c.cfg.Sink.Connection(StateSyncing, nil)
			announced = true
		}
		if len(page.Changes) > 0 {
			applied, err := c.cfg.Replica.Apply(ctx, page.Changes)
			if err != nil {
				return err
			}
			c.cfg.Sink.Applied(applied)
		}
		if page.Next > after {
			after = page.Next
		}
		c.cfg.Sink.Progress(after, max(page.Head, after))
		if !page.More {
			return nil
		}
	}
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
	}
}
