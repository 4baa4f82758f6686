// Package hosting runs connector plugins for the team server, the same way
// wherever the host is: a team server instance (server/relay) or an
// operator's desktop (app/chanhost). A Runner competes for the configured
// channels' leases, runs the channels it holds in a plugins/host.Host,
// turns what their plugins receive into inbound commands, and hands the
// channels' queued outbound messages to their plugins, reporting how each
// was delivered. It reaches the team server through a TeamServer: the
// server's store and writer in the server's own process, its host API
// (/api/v1/host/...) from a desktop.
//
//	r, err := hosting.New(hosting.Config{Team: team, PluginsDir: dir, DataDir: data, Trusted: keys})
//	go r.Run(ctx)
package hosting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"switchboard/inbox"
	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/wire"
)

// TeamServer is what a connector host needs of the team server. Calls for a
// channel the host does not hold fail (the server refuses them).
type TeamServer interface {
	// Leaser grants this host channels, in the lease table every host
	// (server instance or desktop) competes in.
	host.Leaser
	// Channels lists the channels to host, with their settings.
	Channels(ctx context.Context) ([]wire.HostedChannel, error)
	// Inbound stores a channel's inbound commands and returns only once
	// they are stored; the plugin's cursor is acknowledged after that.
	Inbound(ctx context.Context, channelID string, envs []wire.CommandEnvelope) ([]wire.CommandResult, error)
	// Typing passes a customer's typing on to the operators.
	Typing(ctx context.Context, channelID, externalID string) error
	// ChannelFailed marks the channel failed for everyone to see.
	ChannelFailed(ctx context.Context, channelID, reason string) error
	// Capabilities records what the channel's plugin can do.
	Capabilities(ctx context.Context, channelID string, caps inbox.Capabilities) error
	// Outbound returns the channel's queued tasks, waiting up to wait for
	// one when there is none.
	Outbound(ctx context.Context, channelID string, wait time.Duration) ([]wire.OutboundTask, error)
	// Settle records how the channel took tasks and takes them off the
	// queue.
	Settle(ctx context.Context, channelID string, results []wire.OutboundResult) error
}

// Config sets a Runner up. Team, PluginsDir and DataDir are required.
type Config struct {
	Team       TeamServer
	PluginsDir string
	DataDir    string
	Trusted    manifest.TrustedKeys
	// Blobs keeps the plugins' attachment blobs (the team server's file
	// store); nil keeps them per channel in DataDir.
	Blobs host.BlobStore
	// LeaseTTL is how long a channel stays with a host that stopped
	// renewing; default 15s.
	LeaseTTL time.Duration
	// RetryEvery is how long a queued message waits before the next try
	// when its channel's plugin is down; default 5s.
	RetryEvery time.Duration
	// PollWait is how long one ask for outbound messages waits for one;
	// default 25s.
	PollWait time.Duration
	Log      *slog.Logger
	Now      func() time.Time
	// Changed is told when this host starts or stops running a channel.
	// May be nil; must not block.
	Changed func(channelID string, running bool)
	// HostConfig adjusts the plugin host's settings (tests shorten its
	// delays). May be nil.
	HostConfig func(*host.Config)
}

// Runner hosts channels. Its methods are safe for concurrent use.
type Runner struct {
	cfg Config
	h   *host.Host
	log *slog.Logger
	bg  sync.WaitGroup // background goroutines, waited for by Run

	// mu guards running.
	mu      sync.Mutex
	running map[string]context.CancelFunc // channel -> stops its dispatch loop
}

// New builds a runner and its plugin host.
func New(cfg Config) (*Runner, error) {
	if cfg.Team == nil || cfg.PluginsDir == "" || cfg.DataDir == "" {
		return nil, errors.New("hosting: Team, PluginsDir and DataDir are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.LeaseTTL, 15*time.Second)
	def(&cfg.RetryEvery, 5*time.Second)
	def(&cfg.PollWait, 25*time.Second)
	r := &Runner{cfg: cfg, log: cfg.Log, running: map[string]context.CancelFunc{}}
	hc := host.Config{
		PluginsDir: cfg.PluginsDir, DataDir: cfg.DataDir, Trusted: cfg.Trusted,
		DeliverBatch:  r.deliver,
		Blobs:         cfg.Blobs,
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
	return r, nil
}

// Host is the runner's plugin host (catalog, status pages, tests).
func (r *Runner) Host() *host.Host { return r.h }

// Run loads the plugins, competes for channel leases and hands over
// outbound messages until ctx ends; then it stops every plugin and gives
// its leases back.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.h.Start(ctx); err != nil {
		return err
	}
	defer r.h.Close()
	err := r.h.RunLeases(ctx, host.LeaseConfig{
		Leaser:   r.cfg.Team,
		Channels: r.channels,
		TTL:      r.cfg.LeaseTTL,
		Now:      r.cfg.Now,
		Changed:  r.changed,
	})
	r.bg.Wait()
	return err
}

// Running says whether this host runs the channel now.
func (r *Runner) Running(channelID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.running[channelID] != nil
}

// RunningChannels lists the channels this host runs, sorted.
func (r *Runner) RunningChannels() []string {
	r.mu.Lock()
	out := make([]string, 0, len(r.running))
	for id := range r.running {
		out = append(out, id)
	}
	r.mu.Unlock()
	sort.Strings(out)
	return out
}

func (r *Runner) channels(ctx context.Context) ([]host.Channel, error) {
	chans, err := r.cfg.Team.Channels(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]host.Channel, len(chans))
	for i, ch := range chans {
		out[i] = host.Channel{ID: ch.ID, PluginID: ch.ConnectorID, Settings: ch.Settings}
	}
	return out, nil
}

// changed hears the lease runner start or stop a channel here: a running
// channel gets its capabilities recorded and its own dispatch loop.
func (r *Runner) changed(channelID string, running bool, err error) {
	r.mu.Lock()
	if stop := r.running[channelID]; stop != nil {
		stop()
		delete(r.running, channelID)
	}
	if running {
		ctx, cancel := context.WithCancel(context.Background())
		r.running[channelID] = cancel
		// Off the lease loop: a slow plugin must not delay the renewals.
		r.bg.Go(func() { r.recordCapabilities(ctx, channelID) })
		r.bg.Go(func() { r.dispatchLoop(ctx, channelID) })
	}
	r.mu.Unlock()
	if r.cfg.Changed != nil {
		r.cfg.Changed(channelID, running)
	}
	var se *host.SettingsError
	switch {
	case running:
		r.log.Info("running channel", "channel", channelID)
	case errors.As(err, &se):
		r.channelFailed(channelID, err)
	case err != nil:
		r.log.Warn("channel stopped here", "channel", channelID, "error", err)
	}
}

// channelFailed marks a channel failed for everyone to see: its plugin
// crashed too often, refused its settings, or was removed.
func (r *Runner) channelFailed(channelID string, err error) {
	r.log.Error("channel failed", "channel", channelID, "error", err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.cfg.Team.ChannelFailed(ctx, channelID, err.Error()); err != nil {
		r.log.Error("record channel failure", "channel", channelID, "error", err)
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// refusedAs turns a server failure among results into an error (so the
// events come again); refusals are answers, logged.
func (r *Runner) refusedAs(envs []wire.CommandEnvelope, res []wire.CommandResult) error {
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
