// Package relay hosts connector plugins in the team server with
// plugins/hosting, the runner desktops use too: it competes with the other
// hosts (server instances, desktops) for the leases of the configured
// channels, runs the channels it holds, turns what their plugins receive
// into inbound commands, and hands the operators' queued messages to the
// channel's plugin, recording how each was delivered. Here the runner
// reaches the team server directly (team); a desktop reaches it over the
// host API. The relay adds what only the server offers: the connector
// catalog for the admin screens and the contact checks.
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

	"switchboard/plugins/host"
	"switchboard/plugins/hosting"
	"switchboard/plugins/manifest"
	"switchboard/server"
	"switchboard/server/store"
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
	cfg Config
	run *hosting.Runner
	log *slog.Logger

	// out carries operators' typing and reading to the channels.
	out *outward
	bg  sync.WaitGroup // the lanes of out, waited for by Run

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
	if cfg.TypingEvery <= 0 {
		cfg.TypingEvery = defaultTypingEvery
	}
	if cfg.Holder == "" {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		name, _ := os.Hostname()
		cfg.Holder = fmt.Sprintf("server:%s:%d:%s", name, os.Getpid(), hex.EncodeToString(b))
	}
	r := &Relay{cfg: cfg, log: cfg.Log.With("part", "relay"), desc: map[string]described{}, out: newOutward()}
	run, err := hosting.New(hosting.Config{
		Team:       team{srv: cfg.Server, st: cfg.Store, holder: cfg.Holder, now: cfg.Now},
		PluginsDir: cfg.PluginsDir, DataDir: cfg.DataDir, Trusted: cfg.Trusted,
		Blobs:    blobs{st: cfg.Store},
		LeaseTTL: cfg.LeaseTTL, RetryEvery: cfg.RetryEvery,
		Log: r.log, Now: cfg.Now, HostConfig: cfg.HostConfig,
	})
	if err != nil {
		return nil, err
	}
	r.run = run
	cfg.Server.SetConnectorCatalog(r.Connectors)
	cfg.Server.SetContactChecker(r.CheckContact)
	cfg.Server.OnOperatorActivity(r.heard)
	return r, nil
}

// Host is the relay's plugin host (for status pages and tests).
func (r *Relay) Host() *host.Host { return r.run.Host() }

// Run loads the plugins, competes for channel leases and dispatches
// outbound messages until ctx ends; then it stops every plugin and gives
// its leases back.
func (r *Relay) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { r.outwardLoop(ctx) })
	err := r.run.Run(ctx)
	wg.Wait()
	r.bg.Wait()
	if err != nil {
		r.log.Error("channel leases", "error", err)
	}
	return err
}
