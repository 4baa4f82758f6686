// Package relay hosts connector plugins in the team server: it competes
// with the other hosts (server instances, desktops) for the leases of the
// configured channels, runs the channels it holds in a plugins/host.Host,
// turns what their plugins receive into inbound commands, and hands the
// operators' queued messages to the channel's plugin, recording how each
// was delivered.
//
//	r, err := relay.New(relay.Config{Server: srv, Store: st, PluginsDir: dir, DataDir: data, Trusted: keys})
//	go r.Run(ctx)
package relay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"switchboard/inbox"
	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/server"
	"switchboard/server/store"
	"switchboard/wire"
)

// Config sets a Relay up. Server, Store, PluginsDir and DataDir are required.
type Config struct {
	Server     *server.Server
	Store      store.Store
	PluginsDir string
	DataDir    string
	Trusted    manifest.TrustedKeys
	// Holder names this instance in the lease table; default host-pid-random.
	Holder string
	// LeaseTTL is how long a channel stays with a host that stopped
	// renewing; default 15s.
	LeaseTTL time.Duration
	// RetryEvery is the longest a queued message waits before the next try
	// when its channel's plugin is down; default 5s.
	RetryEvery time.Duration
	// TypingEvery is how often, at most, an operator's typing in a dialog
	// is passed to its channel; default 4s.
	TypingEvery time.Duration
	Log         *slog.Logger
	Now         func() time.Time
	// HostConfig adjusts the plugin host's settings (tests shorten its
	// delays). May be nil.
	HostConfig func(*host.Config)
}

// Relay hosts channels for the server. Its methods are safe for concurrent
// use.
type Relay struct {
	cfg  Config
	h    *host.Host
	log  *slog.Logger
	wake chan struct{}
	bg   sync.WaitGroup // the relay's own goroutines, waited for by Run

	// mu guards running and retryAt.
	mu      sync.Mutex
	running map[string]bool      // channels whose plugin this relay runs
	retryAt map[string]time.Time // message id -> not before

	// out carries operators' typing and reading to the channels.
	out *outward

	// descMu guards desc, the installed plugins' descriptions by id.
	descMu sync.Mutex
	desc   map[string]described
}

// New builds a relay and its plugin host.
func New(cfg Config) (*Relay, error) {
	if cfg.Server == nil || cfg.Store == nil || cfg.PluginsDir == "" || cfg.DataDir == "" {
		return nil, errors.New("relay: Server, Store, PluginsDir and DataDir are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 15 * time.Second
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = 5 * time.Second
	}
	if cfg.TypingEvery <= 0 {
		cfg.TypingEvery = defaultTypingEvery
	}
	if cfg.Holder == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		name, _ := os.Hostname()
		cfg.Holder = fmt.Sprintf("server:%s:%d:%s", name, os.Getpid(), hex.EncodeToString(b))
	}
	r := &Relay{cfg: cfg, log: cfg.Log.With("part", "relay"), wake: make(chan struct{}, 1),
		running: map[string]bool{}, retryAt: map[string]time.Time{}, desc: map[string]described{}, out: newOutward()}
	hc := host.Config{
		PluginsDir: cfg.PluginsDir, DataDir: cfg.DataDir, Trusted: cfg.Trusted,
		DeliverBatch:  r.deliver,
		Blobs:         blobs{st: cfg.Store},
		ChannelFailed: r.channelFailed,
		PluginChanged: func(ev host.PluginEvent) {
			r.log.Info("plugin "+ev.Kind, "plugin", ev.Plugin.ID, "version", ev.Plugin.Version, "folder", ev.Folder, "error", ev.Err)
		},
		Logger: hclog.New(&hclog.LoggerOptions{Name: "plugins", Level: hclog.Warn}),
	}
	if cfg.HostConfig != nil {
		cfg.HostConfig(&hc)
	}
	h, err := host.New(hc)
	if err != nil {
		return nil, err
	}
	r.h = h
	cfg.Server.OnCommit(func(int64) { r.poke() })
	cfg.Server.SetConnectorCatalog(r.Connectors)
	cfg.Server.SetContactChecker(r.CheckContact)
	cfg.Server.OnOperatorActivity(r.heard)
	return r, nil
}

// Host is the relay's plugin host (for status pages and tests).
func (r *Relay) Host() *host.Host { return r.h }

func (r *Relay) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run loads the plugins, competes for channel leases and dispatches
// outbound messages until ctx ends; then it stops every plugin and gives
// its leases back.
func (r *Relay) Run(ctx context.Context) error {
	if err := r.h.Start(ctx); err != nil {
		return err
	}
	defer r.h.Close()
	var wg sync.WaitGroup
	wg.Go(func() {
		err := r.h.RunLeases(ctx, host.LeaseConfig{
			Leaser:   leaser{st: r.cfg.Store, holder: r.cfg.Holder, now: r.cfg.Now},
			Channels: r.channels,
			TTL:      r.cfg.LeaseTTL,
			Now:      r.cfg.Now,
			Changed:  r.changed,
		})
		if err != nil {
			r.log.Error("channel leases", "error", err)
		}
	})
	wg.Go(func() { r.outwardLoop(ctx) })
	r.dispatchLoop(ctx)
	wg.Wait()
	r.bg.Wait()
	return nil
}

// channels lists the workspace's channels that have a connector and are
// not disabled or failed, with their settings.
func (r *Relay) channels(ctx context.Context) ([]host.Channel, error) {
	org, err := r.cfg.Store.Org(ctx)
	if err != nil {
		return nil, err
	}
	var out []host.Channel
	for _, ch := range org.Channels {
		if ch.ConnectorID == "" || ch.State == inbox.ChannelDisabled || ch.State == inbox.ChannelFailed {
			continue
		}
		settings, err := r.cfg.Store.ChannelSettings(ctx, ch.ID)
		if err != nil {
			return nil, err
		}
		if settings == nil {
			settings = []byte("{}")
		}
		out = append(out, host.Channel{ID: ch.ID, PluginID: ch.ConnectorID, Settings: settings})
	}
	return out, nil
}

// changed hears the lease runner start or stop a channel here.
func (r *Relay) changed(channelID string, running bool, err error) {
	r.mu.Lock()
	if running {
		r.running[channelID] = true
	} else {
		delete(r.running, channelID)
	}
	r.mu.Unlock()
	var se *host.SettingsError
	switch {
	case running:
		r.log.Info("running channel", "channel", channelID)
		// Off the lease loop: a slow plugin must not delay the renewals.
		r.bg.Go(func() { r.recordCapabilities(context.Background(), channelID) })
		r.poke() // its queue may have waited for it
	case errors.As(err, &se):
		r.channelFailed(channelID, err)
	case err != nil:
		r.log.Warn("channel stopped here", "channel", channelID, "error", err)
	}
}

// channelFailed marks a channel failed for everyone to see: its plugin
// crashed too often, refused its settings, or was removed.
func (r *Relay) channelFailed(channelID string, err error) {
	r.log.Error("channel failed", "channel", channelID, "error", err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.cfg.Server.SetChannelState(ctx, channelID, inbox.ChannelFailed, err.Error()); err != nil {
		r.log.Error("record channel failure", "channel", channelID, "error", err)
	}
}

func (r *Relay) runningChannels() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.running))
	for id := range r.running {
		out = append(out, id)
	}
	return out
}

// leaser is the lease table as a server instance reaches it: its store.
type leaser struct {
	st     store.Store
	holder string
	now    func() time.Time
}

func (l leaser) Acquire(ctx context.Context, channelID string, ttl time.Duration) (bool, error) {
	return l.st.AcquireLease(ctx, channelID, l.holder, l.now(), ttl)
}

func (l leaser) Release(ctx context.Context, channelID string) error {
	return l.st.ReleaseLease(ctx, channelID, l.holder)
}

// submit runs system commands and turns a server failure into an error
// (so the event is delivered again); refusals are answers, logged.
func (r *Relay) submit(ctx context.Context, envs ...wire.CommandEnvelope) error {
	res, err := r.cfg.Server.Submit(ctx, envs)
	if err != nil {
		return err
	}
	for i, x := range res {
		switch {
		case x.Code == "server.error":
			return fmt.Errorf("%s %s: %s", envs[i].Type, envs[i].ID, x.Message)
		case x.Code != "":
			r.log.Warn("connector event refused", "type", envs[i].Type, "code", x.Code, "message", x.Message)
		}
	}
	return nil
}
