package host

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"switchboard/plugins/sdk"
)

// Channel is one configured connection of a connector.
type Channel struct {
	ID       string
	PluginID string
	Settings []byte // JSON
}

// ChannelState is where a channel's supervision stands.
type ChannelState string

const (
	StateWaiting  ChannelState = "waiting_for_plugin"
	StateStarting ChannelState = "starting"
	StateRunning  ChannelState = "running"
	StateBackoff  ChannelState = "restarting"
	StateFailed   ChannelState = "failed"
)

// ChannelStatus is a snapshot of a channel.
type ChannelStatus struct {
	State    ChannelState
	Plugin   PluginInfo // of the running or last run plugin
	Restarts int        // plugin processes started after the first
	Crashes  int        // within the crash window
	Err      error      // the last failure
	Acked    string     // the last acknowledged cursor
	PID      int        // of the running plugin process, 0 when none
}

// SettingsError is returned by AddChannel when the plugin refused the
// channel's settings.
type SettingsError struct {
	Channel string
	Fields  []sdk.FieldError
}

func (e *SettingsError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return fmt.Sprintf("channel %s: settings refused: %s", e.Channel, strings.Join(parts, "; "))
}

// ErrNotRunning is returned for calls to a channel whose plugin is not up.
var ErrNotRunning = errors.New("channel is not running")

// errPluginChanged ends a plugin run because the catalog upgraded or removed
// its plugin; it is no crash.
var errPluginChanged = errors.New("plugin changed")

// deliverError marks a failure of Config.Deliver, which re-streams from the
// last acknowledged cursor instead of restarting the plugin.
type deliverError struct{ err error }

func (e *deliverError) Error() string { return "deliver: " + e.err.Error() }
func (e *deliverError) Unwrap() error { return e.err }

// channel supervises one channel's plugin process.
type channel struct {
	h      *Host
	cfg    Channel
	svc    *Services
	dir    string // for the acknowledged cursor; "" in memory mode
	log    hclog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	first  chan error // the outcome of the first Configure, then nil

	// mu guards the fields below.
	mu        sync.Mutex
	state     ChannelState
	plugin    PluginInfo
	conn      *sdk.GRPCConnector
	pid       int
	crashes   []time.Time
	started   int
	lastErr   error
	acked     string
	persisted string // the cursor last written to the data folder
}

// AddChannel starts supervising a channel. It waits for the plugin's answer
// to the settings and returns a *SettingsError if they were refused. When
// the plugin is not installed yet the channel waits for it and AddChannel
// returns nil.
func (h *Host) AddChannel(ctx context.Context, ch Channel) error {
	if h.ctx == nil {
		return errors.New("host: AddChannel before Start")
	}
	h.mu.Lock()
	if _, ok := h.channels[ch.ID]; ok {
		h.mu.Unlock()
		return fmt.Errorf("channel %s: already added", ch.ID)
	}
	c, err := h.newChannel(ch)
	if err != nil {
		h.mu.Unlock()
		return err
	}
	h.channels[ch.ID] = c
	h.mu.Unlock()
	go c.run()
	select {
	case err := <-c.first:
		var se *SettingsError
		if errors.As(err, &se) {
			h.RemoveChannel(ch.ID)
			return err
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Host) newChannel(ch Channel) (*channel, error) {
	c := &channel{h: h, cfg: ch, log: h.log.With("channel", ch.ID), done: make(chan struct{}),
		first: make(chan error, 1), state: StateStarting}
	c.ctx, c.cancel = context.WithCancel(h.ctx)
	svcDir := ""
	if !h.cfg.MemoryState {
		c.dir = filepath.Join(h.cfg.DataDir, "channels", safeName(ch.ID))
		svcDir = filepath.Join(c.dir, "plugin")
	}
	svc, err := NewServices(svcDir, c.log)
	if err != nil {
		return nil, fmt.Errorf("channel %s: %w", ch.ID, err)
	}
	svc.store = h.cfg.Blobs
	c.svc = svc
	if c.dir != "" {
		if b, err := os.ReadFile(filepath.Join(c.dir, "acked")); err == nil {
			c.acked, c.persisted = string(b), string(b)
		}
	}
	return c, nil
}

// safeName keeps a channel id from naming a path outside the data folder.
func safeName(id string) string {
	return strings.NewReplacer("/", "_", `\`, "_", "..", "__").Replace(id)
}

// RemoveChannel stops a channel's plugin and forgets the channel.
func (h *Host) RemoveChannel(id string) {
	h.mu.Lock()
	c := h.channels[id]
	delete(h.channels, id)
	h.mu.Unlock()
	if c != nil {
		c.stop()
	}
}

// Status reports a channel's state.
func (h *Host) Status(id string) (ChannelStatus, bool) {
	h.mu.Lock()
	c := h.channels[id]
	h.mu.Unlock()
	if c == nil {
		return ChannelStatus{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	restarts := c.started - 1
	if restarts < 0 {
		restarts = 0
	}
	return ChannelStatus{State: c.state, Plugin: c.plugin, Restarts: restarts, Crashes: len(c.crashes),
		Err: c.lastErr, Acked: c.acked, PID: c.pid}, true
}

// Connector returns the running plugin of a channel, for Send, Edit, Delete,
// MarkRead and CheckContact. The handle stops working when the plugin
// restarts; take a new one per call.
func (h *Host) Connector(id string) (*sdk.GRPCConnector, error) {
	h.mu.Lock()
	c := h.channels[id]
	h.mu.Unlock()
	if c == nil {
		return nil, fmt.Errorf("channel %s: unknown", id)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil, fmt.Errorf("channel %s: %w (%s)", id, ErrNotRunning, c.state)
	}
	return c.conn, nil
}

// Send sends an operator's message through a channel.
func (h *Host) Send(ctx context.Context, channelID string, m sdk.OutboundMessage) (sdk.SendResult, error) {
	conn, err := h.Connector(channelID)
	if err != nil {
		return sdk.SendResult{}, err
	}
	res, err := conn.Send(ctx, m)
	if err != nil {
		return sdk.SendResult{}, fmt.Errorf("channel %s: %w", channelID, err)
	}
	return res, nil
}

func (c *channel) stop() {
	c.cancel()
	<-c.done
}

func (c *channel) setState(s ChannelState, err error) {
	c.mu.Lock()
	c.state = s
	if err != nil {
		c.lastErr = err
	}
	if s != StateRunning {
		c.conn, c.pid = nil, 0
	}
	c.mu.Unlock()
}

// reportFirst hands AddChannel the outcome of the first attempt.
func (c *channel) reportFirst(err error) {
	select {
	case c.first <- err:
	default:
	}
}

func (c *channel) fail(err error) {
	c.setState(StateFailed, err)
	c.reportFirst(err)
	c.log.Error("channel failed", "error", err)
	if c.h.cfg.ChannelFailed != nil {
		c.h.cfg.ChannelFailed(c.cfg.ID, err)
	}
}

func (c *channel) ackedCursor() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.acked
}

// setAcked records that the cursor's event is stored: a plugin restarted
// by this host is asked for events after it.
func (c *channel) setAcked(cursor string) {
	c.mu.Lock()
	c.acked = cursor
	c.mu.Unlock()
}

// persistAcked writes the acknowledged cursor to the data folder, for a
// restart of the host. It runs once per batch of events, not per event: a
// host that dies between a delivery and this write has the plugin resend
// a few stored events, which the server drops as duplicates.
func (c *channel) persistAcked() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dir == "" || c.acked == c.persisted {
		return c.acked, nil
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return c.acked, err
	}
	if err := writeFile(filepath.Join(c.dir, "acked"), []byte(c.acked)); err != nil {
		return c.acked, err
	}
	c.persisted = c.acked
	return c.acked, nil
}
