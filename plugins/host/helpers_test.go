package host_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

// binDir holds the connector variants the tests build, once per run.
var (
	binDir   string
	binMu    sync.Mutex
	binCache = map[string]string{}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sbplug")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildConnector builds plugins/internal/testconnector with link-time
// variables, e.g. "main.version=2.0.0".
func buildConnector(t *testing.T, vars ...string) string {
	t.Helper()
	key := fmt.Sprint(vars)
	binMu.Lock()
	defer binMu.Unlock()
	if p, ok := binCache[key]; ok {
		return p
	}
	ldflags := ""
	for _, v := range vars {
		ldflags += " -X " + v
	}
	out := filepath.Join(binDir, fmt.Sprintf("conn%d", len(binCache)))
	cmd := exec.Command("go", "build", "-ldflags", ldflags, "-o", out, "switchboard/plugins/internal/testconnector")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build test connector %v: %v\n%s", vars, err, b)
	}
	binCache[key] = out
	return out
}

var platform = manifest.Platform(runtime.GOOS, runtime.GOARCH)

type publisher struct {
	name string
	pub  ed25519.PublicKey
	key  ed25519.PrivateKey
}

func newPublisher(t *testing.T, name string) publisher {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return publisher{name: name, pub: pub, key: key}
}

// writePlugin puts a signed plugin into pluginsDir/folder. edit may change
// the manifest before signing.
func writePlugin(t *testing.T, pluginsDir, folder, bin string, p publisher, edit func(*manifest.Manifest)) string {
	t.Helper()
	dir := filepath.Join(pluginsDir, folder)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Base(bin)
	copyFile(t, bin, filepath.Join(dir, exe))
	sum, err := manifest.FileSHA256(bin)
	if err != nil {
		t.Fatal(err)
	}
	m := manifest.Manifest{ID: "echo", Name: "Echo", Version: "1.0.0", Publisher: p.name, ProtocolVersions: []int{1},
		Executables: map[string]manifest.Executable{platform: {Path: exe, SHA256: hex.EncodeToString(sum)}}}
	if edit != nil {
		edit(&m)
	}
	manifest.Sign(&m, p.key)
	writeAtomic(t, filepath.Join(dir, manifest.FileName), m.Encode())
	return dir
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeAtomic(t, to, b)
	if err := os.Chmod(to, 0o755); err != nil {
		t.Fatal(err)
	}
}

// writeAtomic writes through a .tmp file and a rename, as installers do.
func writeAtomic(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path+".tmp", b, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		t.Fatal(err)
	}
}

// recorder is a Deliver callback that remembers every delivery.
type recorder struct {
	mu     sync.Mutex
	count  map[string]int // by message external id
	order  []string
	delay  time.Duration
	failed []error
	multi  int // batches of more than one event
}

func newRecorder() *recorder { return &recorder{count: map[string]int{}} }

func (r *recorder) deliver(_ context.Context, _ string, ev host.InboundEvent) error {
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	if ev.Message == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count[ev.Message.ExternalID]++
	r.order = append(r.order, ev.Message.ExternalID)
	return nil
}

// deliverBatch records a batch, counting how many batches held more than
// one event.
func (r *recorder) deliverBatch(ctx context.Context, ch string, evs []host.InboundEvent) error {
	if len(evs) > 1 {
		r.mu.Lock()
		r.multi++
		r.mu.Unlock()
	}
	for _, ev := range evs {
		if err := r.deliver(ctx, ch, ev); err != nil {
			return err
		}
	}
	return nil
}

func (r *recorder) seen(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[id]
}

func (r *recorder) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.count)
}

func (r *recorder) channelFailed(_ string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, err)
}

func (r *recorder) failures() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.failed...)
}

type env struct {
	t       *testing.T
	plugins string
	data    string
	pub     publisher
	rec     *recorder
	h       *host.Host
	cfg     host.Config
	events  chan host.PluginEvent
}

// newEnv starts a host on fresh folders trusting one publisher.
func newEnv(t *testing.T, tweak func(*host.Config)) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, plugins: filepath.Join(root, "plugins"), data: filepath.Join(root, "data"),
		pub: newPublisher(t, "acme"), rec: newRecorder(), events: make(chan host.PluginEvent, 100)}
	if err := os.MkdirAll(e.plugins, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := host.Config{PluginsDir: e.plugins, DataDir: e.data,
		Trusted:       manifest.TrustedKeys{"acme": {e.pub.pub}},
		Deliver:       e.rec.deliver,
		ChannelFailed: e.rec.channelFailed,
		PluginChanged: func(ev host.PluginEvent) { e.events <- ev },
		MinBackoff:    10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		SettleDelay: 200 * time.Millisecond, HealthInterval: 200 * time.Millisecond}
	if tweak != nil {
		tweak(&cfg)
	}
	e.cfg = cfg
	return e
}

// start runs a host on the env's folders.
func (e *env) start() *host.Host {
	e.t.Helper()
	h, err := host.New(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.h = h
	e.t.Cleanup(func() { h.Close() })
	return h
}

// eventually polls cond; the deadline only keeps a broken test from hanging.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) status(id string) host.ChannelStatus {
	st, ok := e.h.Status(id)
	if !ok {
		e.t.Fatalf("Status(%q): unknown channel", id)
	}
	return st
}

// nextEvent waits for the catalog's next change.
func (e *env) nextEvent() host.PluginEvent {
	e.t.Helper()
	select {
	case ev := <-e.events:
		return ev
	case <-time.After(30 * time.Second):
		e.t.Fatal("no plugin event")
		return host.PluginEvent{}
	}
}

func sdkMsg(key string) sdk.OutboundMessage {
	return sdk.OutboundMessage{IdempotencyKey: key, ChatID: "chat-1", Text: key}
}
