package host

import (
	"bytes"
	"context"
	"errors"
	"time"
)

// Leaser grants channels to hosts. The team server keeps the leases: a
// server instance asks its store, a desktop asks the server's API. Each
// configured channel is granted to one host at a time, for a TTL the host
// renews, so twenty hosts holding one plugin never run one channel twice
// and a channel moves to another host within the TTL when its host goes.
type Leaser interface {
	// Acquire grants or renews the channel to this host for ttl; false
	// when another host holds it.
	Acquire(ctx context.Context, channelID string, ttl time.Duration) (bool, error)
	// Release gives the channel up.
	Release(ctx context.Context, channelID string) error
}

// LeaseConfig sets up RunLeases.
type LeaseConfig struct {
	Leaser Leaser
	// Channels lists the configured channels with their settings; the host
	// competes only for those whose plugin it has.
	Channels func(ctx context.Context) ([]Channel, error)
	// TTL of a lease, renewed every TTL/3; default 15s.
	TTL time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Changed is told when this host starts or stops running a channel.
	// May be nil.
	Changed func(channelID string, running bool, err error)
}

// held is a channel this host holds the lease of.
type held struct {
	ch    Channel
	until time.Time // the lease's end as last granted
}

// RunLeases competes for the channels' leases until ctx ends: it runs each
// channel whose lease it holds, renews them, stops a channel whose lease it
// lost or could not renew in time, and restarts a channel whose settings
// changed. On return it stops its channels and releases their leases.
func (h *Host) RunLeases(ctx context.Context, cfg LeaseConfig) error {
	if cfg.Leaser == nil || cfg.Channels == nil {
		return errors.New("host: RunLeases needs a Leaser and Channels")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 15 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	mine := map[string]*held{}
	stop := func(id string, err error) {
		h.RemoveChannel(id)
		delete(mine, id)
		if cfg.Changed != nil {
			cfg.Changed(id, false, err)
		}
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		for id := range mine {
			stop(id, nil)
			_ = cfg.Leaser.Release(rctx, id)
		}
	}()
	tick := time.NewTicker(cfg.TTL / 3)
	defer tick.Stop()
	for {
		h.leaseRound(ctx, cfg, mine, stop)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (h *Host) leaseRound(ctx context.Context, cfg LeaseConfig, mine map[string]*held, stop func(string, error)) {
	chans, err := cfg.Channels(ctx)
	if err != nil {
		h.log.Warn("list channels for leases", "error", err)
		chans = nil
		// Keep running what we hold until the leases run out.
		for _, m := range mine {
			chans = append(chans, m.ch)
		}
	}
	installed := map[string]bool{}
	for _, p := range h.Plugins() {
		installed[p.ID] = true
	}
	want := map[string]bool{}
	for _, ch := range chans {
		if !installed[ch.PluginID] {
			continue
		}
		want[ch.ID] = true
		now := cfg.Now()
		ok, err := cfg.Leaser.Acquire(ctx, ch.ID, cfg.TTL)
		m := mine[ch.ID]
		switch {
		case err != nil && m != nil && now.Before(m.until):
			// The leaser did not answer: the lease still runs; try again.
			h.log.Warn("renew lease", "channel", ch.ID, "error", err)
			continue
		case err != nil || !ok:
			if m != nil {
				stop(ch.ID, err)
			}
			continue
		}
		if m != nil && (m.ch.PluginID != ch.PluginID || !bytes.Equal(m.ch.Settings, ch.Settings)) {
			stop(ch.ID, nil) // settings changed: start it anew below
			m = nil
		}
		if m == nil {
			// Starting a plugin may outlast the TTL (a slow machine, a slow
			// Configure): keep this channel's and the others' leases renewed
			// meanwhile, or another host would take them and run them too.
			renewed := keepRenewing(ctx, cfg, ch.ID, mine)
			err := h.AddChannel(ctx, ch)
			if lost := renewed(); err == nil && lost[ch.ID] {
				h.RemoveChannel(ch.ID) // another host holds it now; never ran here
				continue
			}
			if cfg.Changed != nil {
				cfg.Changed(ch.ID, err == nil, err)
			}
			if err != nil {
				_ = cfg.Leaser.Release(ctx, ch.ID)
				continue
			}
			m = &held{ch: ch}
			mine[ch.ID] = m
		}
		m.until = now.Add(cfg.TTL)
	}
	for id := range mine {
		if !want[id] {
			stop(id, nil)
			_ = cfg.Leaser.Release(ctx, id)
		}
	}
}

// keepRenewing renews the leases of channelID and of the channels held in
// mine every TTL/3 until the returned function is called; that function
// reports the channels whose renewal was refused (another host holds
// them). mine must not change until then.
func keepRenewing(ctx context.Context, cfg LeaseConfig, channelID string, mine map[string]*held) func() map[string]bool {
	ids := []string{channelID}
	for id := range mine {
		ids = append(ids, id)
	}
	lost := map[string]bool{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(cfg.TTL / 3)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for _, id := range ids {
				// An error leaves the lease as it was; the next round decides.
				if ok, err := cfg.Leaser.Acquire(ctx, id, cfg.TTL); err == nil && !ok {
					lost[id] = true
				}
			}
		}
	}()
	return func() map[string]bool {
		close(stop)
		<-done
		return lost
	}
}
