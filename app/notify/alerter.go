package notify

import (
	"context"
	"errors"
	"sync"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// Source is what the Alerter reads from the replica. *replica.Replica
// implements it.
type Source interface {
	Lookup
	Org(ctx context.Context) (*inbox.Org, error)
	LastSeq(ctx context.Context) (int64, error)
}

// Config sets up an Alerter.
type Config struct {
	Notifier Notifier
	Options  Options
	Settings Settings
	// OnError hears a Notify that failed or an alert dropped because the
	// notifier is far behind; nil ignores them.
	OnError func(error)
	// NotifyTimeout bounds one Notify call. Default 5 s.
	NotifyTimeout time.Duration
	// OnAlert hears every alert the Alerter raises, with its dialog id,
	// when it is queued for the Notifier: the app's notification centre
	// keeps it. It is called with the Alerter's lock held and must not
	// call back into the Alerter or block. nil ignores them.
	OnAlert func(Alert)
}

// ErrBehind is reported through OnError when alerts are dropped because
// the notifier does not keep up.
var ErrBehind = errors.New("notify: the notifier is behind; alert dropped")

// Alerter runs the Policy of the signed-in operator: the app's sync sink
// feeds it, and it hands alerts to the Notifier on its own goroutine, in
// order. Its methods never block on the Notifier.
type Alerter struct {
	cfg   Config
	queue chan Alert
	done  chan struct{}

	// mu guards the fields below.
	mu       sync.Mutex
	p        *Policy // nil while signed out
	src      Source
	settings Settings
	viewing  string
	online   bool
	timer    *time.Timer
	closed   bool
}

// NewAlerter starts an Alerter; Close stops it.
func NewAlerter(cfg Config) *Alerter {
	if cfg.NotifyTimeout <= 0 {
		cfg.NotifyTimeout = 5 * time.Second
	}
	if cfg.OnError == nil {
		cfg.OnError = func(error) {}
	}
	a := &Alerter{cfg: cfg, queue: make(chan Alert, 64), done: make(chan struct{}), settings: cfg.Settings}
	go a.deliver()
	return a
}

// deliver hands alerts to the Notifier one at a time.
func (a *Alerter) deliver() {
	defer close(a.done)
	for al := range a.queue {
		ctx, cancel := context.WithTimeout(context.Background(), a.cfg.NotifyTimeout)
		err := a.cfg.Notifier.Notify(ctx, al)
		cancel()
		if err != nil {
			a.cfg.OnError(err)
		}
	}
}

// Close stops the Alerter after the alerts already queued went out.
func (a *Alerter) Close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	a.p = nil
	if a.timer != nil {
		a.timer.Stop()
	}
	close(a.queue)
	a.mu.Unlock()
	<-a.done
}

// SignIn starts judging changes for operator me, read from src. It starts
// offline.
func (a *Alerter) SignIn(me string, src Source) {
	org, _ := src.Org(context.Background())
	a.mu.Lock()
	defer a.mu.Unlock()
	a.src = src
	a.p = NewPolicy(me, org, src, a.cfg.Options)
	a.p.SetSettings(a.settings)
	a.p.SetViewing(a.viewing)
	a.online = false
}

// SignOut stops alerting until the next SignIn.
func (a *Alerter) SignOut() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.p, a.src, a.online = nil, nil, false
}

// Connecting says the sync is (re)connecting: the changes that follow are
// a catch-up, summed up in one alert when Online is called. A replica that
// holds nothing yet is being filled for the first time and is not summed
// up.
func (a *Alerter) Connecting() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p == nil {
		return
	}
	seq, err := a.src.LastSeq(context.Background())
	a.online = false
	a.p.SetOnline(false)
	a.p.BeginCatchUp(err == nil && seq == 0)
}

// Online says the sync follows the live feed: the catch-up is over.
func (a *Alerter) Online() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p == nil {
		return
	}
	a.online = true
	a.p.SetOnline(true)
	a.send(a.p.EndCatchUp())
}

// Offline says the sync stopped; nothing alerts until it reconnects.
func (a *Alerter) Offline() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.online = false
	if a.p != nil {
		a.p.SetOnline(false)
	}
}

// Applied judges a batch the sync applied to the replica.
func (a *Alerter) Applied(ap replica.Applied) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p == nil {
		return
	}
	if ap.Org {
		if org, err := a.src.Org(context.Background()); err == nil {
			a.p.SetOrg(org)
		}
	}
	if ap.Reset {
		// A resync emptied the replica, which now fills again from the
		// start: what arrives is old news, not a catch-up to sum up.
		a.p.Refill()
		return
	}
	a.send(a.p.Apply(context.Background(), time.Now(), ap))
	a.schedule()
}

// SetViewing names the dialog on screen ("" when none or the window is not
// in front).
func (a *Alerter) SetViewing(dialogID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.viewing = dialogID
	if a.p != nil {
		a.p.SetViewing(dialogID)
	}
}

// Settings returns the operator's alert settings.
func (a *Alerter) Settings() Settings {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.settings
}

// SetSettings applies new alert settings.
func (a *Alerter) SetSettings(s Settings) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settings = s
	if a.p != nil {
		a.p.SetSettings(s)
	}
}

// schedule sets the timer for the policy's next coalescing window. Called
// with mu held.
func (a *Alerter) schedule() {
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	if a.p == nil {
		return
	}
	if next, ok := a.p.Next(); ok {
		a.timer = time.AfterFunc(max(0, time.Until(next)), a.tick)
	}
}

func (a *Alerter) tick() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.p == nil || a.closed {
		return
	}
	a.send(a.p.Due(time.Now()))
	a.schedule()
}

// send queues alerts for delivery without waiting. Called with mu held.
func (a *Alerter) send(alerts []Alert) {
	if a.closed {
		return
	}
	for _, al := range alerts {
		if a.cfg.OnAlert != nil {
			a.cfg.OnAlert(al)
		}
		select {
		case a.queue <- al:
		default:
			a.cfg.OnError(ErrBehind)
		}
	}
}
