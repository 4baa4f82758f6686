package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
)

func TestKeygenWritesAPrivateKeyOnlyItsOwnerReadsAndAPublicOne(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := ok(t, dir, "keygen", "acme")
	if !strings.Contains(out, "acme.key") || !strings.Contains(out, "acme.pub") {
		t.Errorf("keygen says %q, want it to name both files", out)
	}
	for name, want := range map[string]os.FileMode{"acme.key": 0o600, "acme.pub": 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "acme.key"))
	key, err := manifest.ParsePrivateKeyFile(string(raw))
	if err != nil || key.Publisher != "acme" {
		t.Fatalf("ParsePrivateKeyFile(acme.key) = %+v, %v", key.Publisher, err)
	}
	trusted, err := manifest.ReadTrusted(filepath.Join(dir, "acme.pub"))
	if err != nil || !trusted["acme"][0].Equal(key.Key.Public()) {
		t.Fatalf("ReadTrusted(acme.pub) = %v, %v; want acme's public key", trusted, err)
	}

	refused(t, dir, 1, []string{"keygen", "acme"}, "acme.key already exists", "never overwrites")
	after, _ := os.ReadFile(filepath.Join(dir, "acme.key"))
	if string(after) != string(raw) {
		t.Fatal("a refused keygen changed the existing key")
	}
	refused(t, dir, 2, []string{"keygen", "Acme Inc"}, `publisher "Acme Inc" must be one word`)
	refused(t, dir, 2, []string{"keygen"}, "keygen needs PUBLISHER")
	sub := filepath.Join(dir, "keys")
	os.Mkdir(sub, 0o700)
	ok(t, dir, "keygen", "beta", "-dir", sub) // flags after the operand work too
	if _, err := os.Stat(filepath.Join(sub, "beta.key")); err != nil {
		t.Fatalf("keygen -dir: %v", err)
	}
}

// TestFromBuildFolderToInstalledPlugin is the publisher's and the admin's
// path: keygen, pack, sign, verify, install, upgrade — with a real host
// watching the plugins folder that must see every install whole.
func TestFromBuildFolderToInstalledPlugin(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	ok(t, root, "keygen", "acme")
	dist := pluginFolder(t, root, "1.0.0")

	out := ok(t, root, "pack", dist)
	archive := filepath.Join(root, "httpchat-1.0.0.tar.gz")
	platform := manifest.Platform(runtime.GOOS, runtime.GOARCH)
	for _, want := range []string{"packed httpchat 1.0.0 into httpchat-1.0.0.tar.gz", platform, "windows/amd64", "darwin/arm64"} {
		if !strings.Contains(out, want) {
			t.Errorf("pack says:\n%s\nwant it to mention %q", out, want)
		}
	}
	entries := readTarGz(t, archive)
	var names []string
	var m manifest.Manifest
	for _, e := range entries {
		names = append(names, e.name)
		if e.name == "httpchat/plugin.json" {
			if err := json.Unmarshal([]byte(e.body), &m); err != nil {
				t.Fatal(err)
			}
		}
	}
	wantNames := []string{"httpchat/plugin.json", "httpchat/README.txt", "httpchat/darwin-arm64/httpchat",
		"httpchat/linux-amd64/httpchat", "httpchat/windows-amd64/httpchat.exe"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("archive holds %q, want %q", names, wantNames)
	}
	if len(m.Executables) != 3 || m.Executables["windows/amd64"].Path != "windows-amd64/httpchat.exe" ||
		len(m.Executables[platform].SHA256) != 64 || m.Signature != "" {
		t.Errorf("packed manifest = %+v, want three executables with checksums, unsigned", m)
	}
	before, _ := os.ReadFile(archive)
	ok(t, root, "pack", dist)
	if again, _ := os.ReadFile(archive); string(again) != string(before) {
		t.Error("packing the same folder twice made different archives")
	}

	refused(t, root, 1, []string{"verify", "-trusted", "acme.pub", archive}, "is not signed", "switchboard-plugin sign")
	if out := ok(t, root, "sign", "-key", "acme.key", archive); !strings.Contains(out, "signed httpchat 1.0.0 as acme") {
		t.Errorf("sign says %q", out)
	}
	out = ok(t, root, "verify", "-trusted", "acme.pub", archive)
	if want := "ok: httpchat 1.0.0 by acme, signature verified, checksums match for darwin/arm64, linux/amd64, windows/amd64"; !strings.Contains(out, want) {
		t.Errorf("verify says %q, want %q", out, want)
	}

	plugins, events := watchedPluginsFolder(t, filepath.Join(root, "acme.pub"))
	out = ok(t, root, "install", "-trusted", "acme.pub", "-plugins", plugins, archive)
	if want := "installed httpchat 1.0.0 by acme into " + filepath.Join(plugins, "httpchat"); !strings.Contains(out, want) {
		t.Errorf("install says %q, want %q", out, want)
	}
	if ev := events.next(t); ev.Kind != host.PluginLoaded || ev.Plugin.Version != "1.0.0" {
		t.Fatalf("the host saw %+v, want httpchat 1.0.0 loaded", ev)
	}
	fi, err := os.Stat(filepath.Join(plugins, "httpchat", "linux-amd64", "httpchat"))
	if runtime.GOOS == "linux" && (err != nil || fi.Mode().Perm()&0o111 == 0) {
		t.Errorf("the installed executable: %v, %v; want it executable", fi, err)
	}

	// An upgrade, installed from the signed folder rather than an archive.
	dist2 := pluginFolder(t, filepath.Join(root, "v2"), "1.1.0")
	ok(t, root, "sign", "-key", "acme.key", dist2)
	out = ok(t, root, "install", "-plugins", plugins, dist2, "-trusted", "acme.pub")
	if !strings.Contains(out, "installed httpchat 1.1.0") || !strings.Contains(out, "replacing 1.0.0") {
		t.Errorf("install of the upgrade says %q", out)
	}
	if ev := events.next(t); ev.Kind != host.PluginUpgraded || ev.Plugin.Version != "1.1.0" {
		t.Fatalf("the host saw %+v, want httpchat upgraded to 1.1.0", ev)
	}
	if names := snapshot(t, plugins); slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, ".") }) {
		t.Errorf("install left hidden staging folders behind: %q", names)
	}
	events.none(t, 2*time.Second)
}

// events records a host's catalog changes.
type events struct {
	ch chan host.PluginEvent
}

func (e *events) next(t *testing.T) host.PluginEvent {
	t.Helper()
	select {
	case ev := <-e.ch:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("the host saw no plugin change within 20s")
		return host.PluginEvent{}
	}
}

// none fails if the host sees any change (such as a refusal of a
// half-written plugin) within d.
func (e *events) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case ev := <-e.ch:
		t.Fatalf("the host saw %+v (%v), want nothing more", ev, ev.Err)
	case <-time.After(d):
	}
}

// watchedPluginsFolder starts a real host on an empty plugins folder. Its
// settle delay is one millisecond: an install that is not atomic shows up
// as a refused half-copied plugin.
func watchedPluginsFolder(t *testing.T, trustedFile string) (string, *events) {
	t.Helper()
	trusted, err := manifest.ReadTrusted(trustedFile)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	ev := &events{ch: make(chan host.PluginEvent, 16)}
	h, err := host.New(host.Config{
		PluginsDir: filepath.Join(root, "plugins"), DataDir: filepath.Join(root, "data"), Trusted: trusted,
		MemoryState: true, SettleDelay: time.Millisecond,
		Deliver:       func(context.Context, string, host.InboundEvent) error { return nil },
		PluginChanged: func(e host.PluginEvent) { ev.ch <- e },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return filepath.Join(root, "plugins"), ev
}
