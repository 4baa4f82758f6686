package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

// InboundEvent is an event a channel's plugin received.
type InboundEvent = sdk.Event

// Config sets a Host up. PluginsDir, DataDir and Deliver (or DeliverBatch)
// are required.
type Config struct {
	PluginsDir string // one folder per plugin, each with plugin.json
	DataDir    string // sockets, and (unless MemoryState) plugin state and blobs
	Trusted    manifest.TrustedKeys

	// Deliver stores an inbound event. The event is acknowledged to the
	// plugin only after Deliver returns nil; on error it is delivered again.
	Deliver func(ctx context.Context, channelID string, ev InboundEvent) error
	// DeliverBatch, when set, is used instead of Deliver: it stores events
	// in order, up to 256 at a time (what arrived while the last batch was
	// stored), all acknowledged once it returns nil.
	DeliverBatch func(ctx context.Context, channelID string, evs []InboundEvent) error
	// ChannelFailed is told when a channel's plugin crashed too often, its
	// settings were refused, or its plugin was removed. May be nil.
	ChannelFailed func(channelID string, err error)
	// PluginChanged is told when the catalog changes: a plugin loaded,
	// upgraded, refused or removed. May be nil.
	PluginChanged func(PluginEvent)

	// Blobs, when set, keeps every channel's attachment blobs (the team
	// server's file store); otherwise each channel keeps its own.
	Blobs BlobStore

	MemoryState    bool          // keep plugin state and blobs in memory only
	HealthInterval time.Duration // default 30s
	MaxCrashes     int           // within CrashWindow before giving up; default 3
	CrashWindow    time.Duration // default 1h
	MinBackoff     time.Duration // first restart delay; default 200ms
	MaxBackoff     time.Duration // default 30s
	SettleDelay    time.Duration // how long a dropped-in plugin must stay unchanged; default 300ms
	Platform       string        // GOOS/GOARCH; default this machine's
	Logger         hclog.Logger
}

// Protocols are the connector protocol versions this host speaks.
var Protocols = []int{sdk.ProtocolVersion}

// Host runs connector plugins. Its methods are safe for concurrent use.
type Host struct {
	cfg       Config
	socketDir string
	log       hclog.Logger
	catalog   *catalog

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// mu guards channels.
	mu       sync.Mutex
	channels map[string]*channel
}

// New checks the configuration, prepares the data folder and removes
// sockets a previous, crashed host left behind.
func New(cfg Config) (*Host, error) {
	if cfg.PluginsDir == "" || cfg.DataDir == "" || (cfg.Deliver == nil && cfg.DeliverBatch == nil) {
		return nil, errors.New("host: PluginsDir, DataDir and Deliver or DeliverBatch are required")
	}
	var err error
	if cfg.PluginsDir, err = filepath.Abs(cfg.PluginsDir); err != nil {
		return nil, fmt.Errorf("host: plugins folder: %w", err)
	}
	if cfg.DataDir, err = filepath.Abs(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("host: data folder: %w", err)
	}
	setDefaults(&cfg)
	h := &Host{cfg: cfg, log: cfg.Logger, channels: map[string]*channel{},
		socketDir: filepath.Join(cfg.DataDir, "sock")}
	if err := os.MkdirAll(cfg.PluginsDir, 0o755); err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	if err := cleanSockets(h.socketDir); err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	h.catalog = newCatalog(cfg, h.log)
	return h, nil
}

func setDefaults(cfg *Config) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.HealthInterval, 30*time.Second)
	def(&cfg.CrashWindow, time.Hour)
	def(&cfg.MinBackoff, 200*time.Millisecond)
	def(&cfg.MaxBackoff, 30*time.Second)
	def(&cfg.SettleDelay, 300*time.Millisecond)
	if cfg.MaxCrashes <= 0 {
		cfg.MaxCrashes = 3
	}
	if cfg.Platform == "" {
		cfg.Platform = manifest.Platform(runtime.GOOS, runtime.GOARCH)
	}
	if cfg.Logger == nil {
		cfg.Logger = hclog.New(&hclog.LoggerOptions{Name: "plugins", Level: hclog.Warn})
	}
}

// cleanSockets empties the socket folder: every go-plugin socket directory in
// it belongs to a plugin process of an earlier run, since each host owns its
// data folder.
func cleanSockets(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("socket folder: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("socket folder: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "plugin") {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("remove stale socket: %w", err)
			}
		}
	}
	return nil
}

// Start loads the plugins folder and starts watching it.
func (h *Host) Start(ctx context.Context) error {
	h.ctx, h.cancel = context.WithCancel(context.WithoutCancel(ctx))
	return h.catalog.start(h.ctx, &h.wg)
}

// Close stops every channel's plugin and the watcher.
func (h *Host) Close() error {
	h.mu.Lock()
	chans := h.channels
	h.channels = map[string]*channel{}
	h.mu.Unlock()
	for _, c := range chans {
		c.stop()
	}
	if h.cancel != nil {
		h.cancel()
	}
	h.wg.Wait()
	return nil
}

// Plugins lists the verified plugins.
func (h *Host) Plugins() []PluginInfo { return h.catalog.list() }

// Refusals lists the plugin folders that were refused and why.
func (h *Host) Refusals() map[string]error { return h.catalog.refusalsCopy() }
