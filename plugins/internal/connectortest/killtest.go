package connectortest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

// Plugin is a built connector to install, signed by a publisher the host
// trusts, as an admin installs a package.
type Plugin struct {
	ID, Name, Version string
	// Binary is the built executable (copied into the plugin's folder).
	Binary string
}

// HostWith starts a real host with p installed and signed, health checked
// every 200 ms and restarted quickly after a crash, and adds one channel
// of p with settings; deliver is the server's side of delivery.
func HostWith(t *testing.T, p Plugin, channelID string, settings []byte, deliver func(context.Context, string, host.InboundEvent) error) *host.Host {
	t.Helper()
	root := t.TempDir()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	dir := filepath.Join(root, "plugins", p.ID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p.Binary)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, p.ID)
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, _ := manifest.FileSHA256(bin)
	m := manifest.Manifest{ID: p.ID, Name: p.Name, Version: p.Version, Publisher: "switchboard",
		ProtocolVersions: []int{1}, Executables: map[string]manifest.Executable{
			manifest.Platform(runtime.GOOS, runtime.GOARCH): {Path: p.ID, SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, key)
	if err := os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := host.New(host.Config{PluginsDir: filepath.Join(root, "plugins"), DataDir: filepath.Join(root, "data"),
		Trusted: manifest.TrustedKeys{"switchboard": {pub}}, Deliver: deliver,
		HealthInterval: 200 * time.Millisecond, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if err := h.AddChannel(context.Background(), host.Channel{ID: channelID, PluginID: p.ID, Settings: settings}); err != nil {
		t.Fatal(err)
	}
	return h
}

// Store is the server's side of delivery: what was stored, in order.
type Store struct {
	mu     sync.Mutex
	stored []sdk.Event
	// FailOnce, when it matches an event, calls Kill (the plugin dies) and
	// fails that delivery, once: a crash while the host was storing.
	FailOnce func(sdk.Event) bool
	Kill     func()
	got      chan struct{}
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{got: make(chan struct{}, 1)} }

// Deliver is the host's Deliver.
func (s *Store) Deliver(_ context.Context, _ string, ev host.InboundEvent) error {
	s.mu.Lock()
	fail := s.FailOnce != nil && s.FailOnce(ev)
	if fail {
		s.FailOnce = nil
	}
	s.mu.Unlock()
	if fail {
		s.Kill()
		return errors.New("the store went away with the plugin")
	}
	s.mu.Lock()
	s.stored = append(s.stored, ev)
	s.mu.Unlock()
	select {
	case s.got <- struct{}{}:
	default:
	}
	return nil
}

// WaitFor returns what is stored once there are at least n events.
func (s *Store) WaitFor(t *testing.T, n int) []sdk.Event {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		got := append([]sdk.Event(nil), s.stored...)
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-s.got:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("stored %d of %d events: %+v", len(got), n, got)
		}
	}
}
