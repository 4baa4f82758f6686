package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

// permanentError ends supervision: restarting would fail the same way.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// run supervises the channel until it is removed: start the plugin, restart
// it with growing delays when it crashes, and give up after MaxCrashes
// crashes within CrashWindow (as Mattermost's plugin health check does).
func (c *channel) run() {
	defer close(c.done)
	cfg := c.h.cfg
	backoff := cfg.MinBackoff
	removedReported := false
	for {
		v, changed := c.h.catalog.get(c.cfg.PluginID)
		if v == nil {
			c.setState(StateWaiting, nil)
			c.reportFirst(nil)
			if c.started > 0 && !removedReported && cfg.ChannelFailed != nil {
				removedReported = true
				cfg.ChannelFailed(c.cfg.ID, fmt.Errorf("channel %s: plugin %s was removed", c.cfg.ID, c.cfg.PluginID))
			}
			select {
			case <-c.ctx.Done():
				return
			case <-changed:
				continue
			}
		}
		removedReported = false
		began := time.Now()
		err := c.runOnce(v, changed)
		if c.ctx.Err() != nil {
			c.setState(StateWaiting, nil)
			return
		}
		var perm *permanentError
		var se *SettingsError
		switch {
		case errors.Is(err, errPluginChanged):
			backoff = cfg.MinBackoff
			continue
		case errors.As(err, &se):
			c.fail(se)
			return
		case errors.As(err, &perm):
			c.fail(perm.err)
			return
		}
		if time.Since(began) > cfg.MaxBackoff {
			backoff = cfg.MinBackoff // it ran well for a while; start over
		}
		if n := c.recordCrash(err); n >= cfg.MaxCrashes {
			c.fail(fmt.Errorf("channel %s failed: plugin %s crashed %d times within %s; last: %w",
				c.cfg.ID, c.cfg.PluginID, n, cfg.CrashWindow, err))
			return
		}
		c.log.Warn("plugin crashed; restarting", "error", err, "in", backoff)
		c.setState(StateBackoff, err)
		c.reportFirst(nil)
		select {
		case <-c.ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, cfg.MaxBackoff)
	}
}

// recordCrash returns the number of crashes within the window.
func (c *channel) recordCrash(err error) int {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.crashes[:0]
	for _, t := range c.crashes {
		if now.Sub(t) < c.h.cfg.CrashWindow {
			kept = append(kept, t)
		}
	}
	c.crashes = append(kept, now)
	c.lastErr = err
	return len(c.crashes)
}

// runOnce runs one plugin process for the channel until it crashes, fails
// its health check, the catalog changes its plugin, or the channel stops.
func (c *channel) runOnce(v *manifest.Verified, changed <-chan struct{}) error {
	ctx, cancel := context.WithCancelCause(c.ctx)
	defer cancel(nil)
	c.mu.Lock()
	c.state, c.plugin = StateStarting, infoOf(v)
	c.started++
	c.mu.Unlock()

	client, conn, err := Launch(v, c.svc, c.h.socketDir, c.log)
	if code := manifest.CodeOf(err); code == manifest.CodeProtocol || code == manifest.CodeBadChecksum {
		return &permanentError{err} // the same file fails the same way
	}
	if err != nil {
		return err
	}
	defer func() {
		if _, err := c.persistAcked(); err != nil {
			c.log.Error("record acknowledged cursor", "error", err)
		}
	}()
	// Kill asks the plugin to shut down gracefully and kills it if it does
	// not exit within two seconds.
	defer client.Kill()

	desc, err := conn.Describe(ctx)
	if err != nil {
		return err
	}
	if desc.ID != v.Manifest.ID {
		return &permanentError{&manifest.Error{Code: manifest.CodeInvalid, Plugin: v.Manifest.ID,
			Msg: fmt.Sprintf("the executable describes itself as %q", desc.ID)}}
	}
	fes, err := conn.Configure(ctx, sdk.ConfigureRequest{ChannelID: c.cfg.ID, Settings: c.cfg.Settings})
	if err != nil {
		return err
	}
	if len(fes) > 0 {
		return &SettingsError{Channel: c.cfg.ID, Fields: fes}
	}
	c.mu.Lock()
	c.state, c.conn = StateRunning, conn
	if rc := client.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	c.mu.Unlock()
	c.reportFirst(nil)

	go c.watchPlugin(ctx, cancel, v, changed)
	go c.checkHealth(ctx, cancel, conn, client.Exited)
	acks := make(chan struct{}, 1)
	go c.ackLoop(ctx, conn, acks)

	for {
		err := c.receive(ctx, conn, acks)
		if cause := context.Cause(ctx); cause != nil {
			return cause
		}
		var de *deliverError
		if errors.As(err, &de) {
			c.log.Warn("delivery failed; re-streaming from the last acknowledged cursor", "error", de.err)
			select {
			case <-ctx.Done():
				return context.Cause(ctx)
			case <-time.After(c.h.cfg.MinBackoff):
			}
			continue
		}
		if err == nil {
			err = errors.New("the plugin ended its event stream")
		}
		return err
	}
}

// maxDeliverBatch bounds the events handed to Config.DeliverBatch at once.
const maxDeliverBatch = 256

// receive streams the plugin's events after the acknowledged cursor and
// delivers them in order, in batches of what has arrived meanwhile (a
// quiet channel delivers each event at once; a busy one up to
// maxDeliverBatch per call, so the server stores a burst in a few writes).
// A delivery failure ends the stream with a *deliverError.
func (c *channel) receive(ctx context.Context, conn *sdk.GRPCConnector, acks chan<- struct{}) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan sdk.Event, maxDeliverBatch)
	streamErr := make(chan error, 1)
	go func() {
		streamErr <- conn.Receive(rctx, c.ackedCursor(), func(ev sdk.Event) error {
			select {
			case events <- ev:
				return nil
			case <-rctx.Done():
				return rctx.Err()
			}
		})
		close(events)
	}()
	batch := make([]sdk.Event, 0, maxDeliverBatch)
	for {
		ev, ok := <-events
		if !ok {
			return <-streamErr
		}
		batch = append(batch[:0], ev)
	fill:
		for len(batch) < maxDeliverBatch {
			select {
			case ev, ok := <-events:
				if !ok {
					break fill
				}
				batch = append(batch, ev)
			default:
				break fill
			}
		}
		n, err := c.deliver(ctx, batch)
		if n > 0 {
			c.setAcked(batch[n-1].Cursor)
			select {
			case acks <- struct{}{}:
			default: // an ack is pending; it will carry this cursor too
			}
		}
		if err != nil {
			cancel()
			for range events { // let the stream goroutine end
			}
			return &deliverError{err}
		}
	}
}

// deliver hands events to the configured callback and says how many of
// them, from the first, are stored.
func (c *channel) deliver(ctx context.Context, evs []sdk.Event) (int, error) {
	if c.h.cfg.DeliverBatch != nil {
		if err := c.h.cfg.DeliverBatch(ctx, c.cfg.ID, evs); err != nil {
			return 0, err
		}
		return len(evs), nil
	}
	for i, ev := range evs {
		if err := c.h.cfg.Deliver(ctx, c.cfg.ID, ev); err != nil {
			return i, err
		}
	}
	return len(evs), nil
}

// ackLoop records the latest stored cursor and then tells the plugin;
// bursts of events cost one write and one Ack.
func (c *channel) ackLoop(ctx context.Context, conn *sdk.GRPCConnector, acks <-chan struct{}) {
	sent := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-acks:
			cur, err := c.persistAcked()
			if err != nil {
				c.log.Error("record acknowledged cursor", "error", err)
				continue // the plugin keeps the events; they come again
			}
			if cur == sent {
				continue
			}
			if err := conn.Ack(ctx, cur); err != nil {
				if ctx.Err() == nil {
					c.log.Warn("ack", "cursor", cur, "error", err)
				}
				continue
			}
			sent = cur
		}
	}
}

// watchPlugin ends the run when the catalog swaps or drops the plugin.
func (c *channel) watchPlugin(ctx context.Context, cancel context.CancelCauseFunc, v *manifest.Verified, changed <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			var now *manifest.Verified
			now, changed = c.h.catalog.get(c.cfg.PluginID)
			if now != v {
				c.log.Info("plugin changed; restarting the channel on it")
				cancel(errPluginChanged)
				return
			}
		}
	}
}

// checkHealth asks the plugin on a period whether it and its channel work,
// and ends the run as a crash when it does not answer or the process died.
func (c *channel) checkHealth(ctx context.Context, cancel context.CancelCauseFunc, conn *sdk.GRPCConnector, exited func() bool) {
	t := time.NewTicker(c.h.cfg.HealthInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if exited() {
			cancel(errors.New("plugin process exited"))
			return
		}
		hctx, hcancel := context.WithTimeout(ctx, 5*time.Second)
		err := conn.Health(hctx)
		hcancel()
		if err != nil && ctx.Err() == nil {
			if sdk.IsChannelError(err) {
				// The channel is down, not the plugin: restarting the
				// process would not help; record it for the status.
				c.setLastErr(err)
				continue
			}
			cancel(fmt.Errorf("health check: %w", err))
			return
		}
	}
}

func (c *channel) setLastErr(err error) {
	c.mu.Lock()
	c.lastErr = err
	c.mu.Unlock()
}
