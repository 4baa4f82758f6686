package host_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
)

// memLeases is a lease table with real time, like the server's.
type memLeases struct {
	mu     sync.Mutex
	holder map[string]string
	until  map[string]time.Time
}

func newMemLeases() *memLeases {
	return &memLeases{holder: map[string]string{}, until: map[string]time.Time{}}
}

// leaseClient is one host's view of the table; a crashed host never releases.
type leaseClient struct {
	m       *memLeases
	name    string
	crashed bool
}

func (c *leaseClient) Acquire(_ context.Context, ch string, ttl time.Duration) (bool, error) {
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	now := time.Now()
	if h := c.m.holder[ch]; h != "" && h != c.name && now.Before(c.m.until[ch]) {
		return false, nil
	}
	c.m.holder[ch], c.m.until[ch] = c.name, now.Add(ttl)
	return true, nil
}

func (c *leaseClient) Release(_ context.Context, ch string) error {
	if c.crashed {
		return nil
	}
	c.m.mu.Lock()
	defer c.m.mu.Unlock()
	if c.m.holder[ch] == c.name {
		delete(c.m.holder, ch)
	}
	return nil
}

func TestTwoHostsContendForAChannelAndTheSecondTakesOverWhenTheFirstDies(t *testing.T) {
	const ttl = 600 * time.Millisecond
	leases := newMemLeases()
	pub := newPublisher(t, "acme")
	bin := buildConnector(t)
	channels := func(context.Context) ([]host.Channel, error) {
		return []host.Channel{
			{ID: "c1", PluginID: "echo", Settings: []byte(`{"greeting":"hi","emit":0}`)},
			{ID: "c2", PluginID: "not-installed", Settings: []byte(`{}`)},
		}, nil
	}
	type runner struct {
		e      *env
		lc     *leaseClient
		cancel context.CancelFunc
		done   chan struct{}
		mu     sync.Mutex
		runs   map[string]bool
	}
	var hosts []*runner
	for _, name := range []string{"a", "b"} {
		e := newEnv(t, nil)
		e.pub = pub
		e.cfg.Trusted = manifest.TrustedKeys{"acme": {pub.pub}}
		writePlugin(t, e.plugins, "echo", bin, pub, nil)
		e.start()
		r := &runner{e: e, lc: &leaseClient{m: leases, name: name}, done: make(chan struct{}), runs: map[string]bool{}}
		ctx, cancel := context.WithCancel(context.Background())
		r.cancel = cancel
		go func() {
			defer close(r.done)
			_ = e.h.RunLeases(ctx, host.LeaseConfig{Leaser: r.lc, Channels: channels, TTL: ttl,
				Changed: func(id string, running bool, _ error) {
					r.mu.Lock()
					r.runs[id] = running
					r.mu.Unlock()
				}})
		}()
		t.Cleanup(func() { cancel(); <-r.done })
		hosts = append(hosts, r)
	}
	running := func(r *runner) bool {
		st, ok := r.e.h.Status("c1")
		return ok && st.State == host.StateRunning
	}
	eventually(t, "one host running c1", func() bool { return running(hosts[0]) || running(hosts[1]) })
	// Over several renewals, never both, and never the uninstalled one.
	for end := time.Now().Add(2 * ttl); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if running(hosts[0]) && running(hosts[1]) {
			t.Fatal("both hosts run c1")
		}
	}
	for _, r := range hosts {
		if _, ok := r.e.h.Status("c2"); ok {
			t.Error("a host took a channel whose plugin it does not have")
		}
	}
	first, second := hosts[0], hosts[1]
	if !running(first) {
		first, second = second, first
	}
	// The first host dies: it stops without releasing its lease.
	first.lc.crashed = true
	first.cancel()
	<-first.done
	died := time.Now()
	eventually(t, "the second host taking over", func() bool { return running(second) })
	t.Logf("takeover after %s (TTL %s)", time.Since(died).Round(time.Millisecond), ttl)
}

// TestAPluginSlowerToStartThanTheTTLKeepsItsLease: a host keeps renewing
// a channel's lease while its plugin starts, so a start longer than the
// TTL does not hand the channel to a second host that would run it too.
func TestAPluginSlowerToStartThanTheTTLKeepsItsLease(t *testing.T) {
	const ttl = time.Second
	leases := newMemLeases()
	pub := newPublisher(t, "acme")
	bin := buildConnector(t)
	channels := func(context.Context) ([]host.Channel, error) {
		return []host.Channel{{ID: "c1", PluginID: "echo", Settings: []byte(`{"greeting":"hi","configureDelayMs":2500}`)}}, nil
	}
	var mu sync.Mutex
	started := map[string]bool{} // hosts that ever ran c1
	for _, name := range []string{"a", "b"} {
		e := newEnv(t, nil)
		e.pub = pub
		e.cfg.Trusted = manifest.TrustedKeys{"acme": {pub.pub}}
		writePlugin(t, e.plugins, "echo", bin, pub, nil)
		e.start()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = e.h.RunLeases(ctx, host.LeaseConfig{Leaser: &leaseClient{m: leases, name: name}, Channels: channels, TTL: ttl,
				Changed: func(id string, running bool, _ error) {
					if running {
						mu.Lock()
						started[name] = true
						mu.Unlock()
					}
				}})
		}()
		t.Cleanup(func() { cancel(); <-done })
	}
	eventually(t, "a host running c1", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(started) > 0
	})
	// Two more plugin starts' worth of time: a host whose lease lapsed
	// during the start would have handed c1 to the other by now.
	time.Sleep(6 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(started) != 1 {
		t.Fatalf("hosts that ran c1: %v, want exactly one", started)
	}
}
