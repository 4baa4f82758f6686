package host_test

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
)

// copySlowly writes a file in chunks with pauses, as a slow cp or a network
// copy does, under its final name.
func copySlowly(t *testing.T, from, to string, chunks int, pause time.Duration) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	step := len(b)/chunks + 1
	for i := 0; i < len(b); i += step {
		if _, err := f.Write(b[i:min(i+step, len(b))]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(pause)
	}
}

func TestPluginsDroppedInUpgradedAndRemovedTakeEffectWhileRunning(t *testing.T) {
	e := newEnv(t, nil)
	e.start()
	v1 := buildConnector(t)
	v2 := buildConnector(t, "main.version=2.0.0")

	// Drop in: the manifest first, then the binary copied slowly under its
	// final name; the plugin must load once, after the copy.
	dir := filepath.Join(e.plugins, "echo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, _ := manifest.FileSHA256(v1)
	m := manifest.Manifest{ID: "echo", Name: "Echo", Version: "1.0.0", Publisher: "acme", ProtocolVersions: []int{1},
		Executables: map[string]manifest.Executable{platform: {Path: "echo-bin", SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, e.pub.key)
	if err := os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	copySlowly(t, v1, filepath.Join(dir, "echo-bin"), 20, 40*time.Millisecond)
	ev := e.nextEvent()
	if ev.Kind != host.PluginLoaded || ev.Plugin.Version != "1.0.0" {
		t.Fatalf("first plugin event = %+v, want loaded 1.0.0 (a half-copied file must not be seen)", ev)
	}
	e.addEcho(0)
	eventually(t, "the channel running 1.0.0", func() bool {
		st := e.status("c1")
		return st.State == host.StateRunning && st.Plugin.Version == "1.0.0"
	})

	// Upgrade: a new binary through a .part file and a rename, then the
	// manifest through a .tmp file.
	copyFile(t, v2, filepath.Join(dir, "echo-bin-2.part"))
	if err := os.Rename(filepath.Join(dir, "echo-bin-2.part"), filepath.Join(dir, "echo-bin-2")); err != nil {
		t.Fatal(err)
	}
	sum2, _ := manifest.FileSHA256(v2)
	m.Version = "2.0.0"
	m.Executables[platform] = manifest.Executable{Path: "echo-bin-2", SHA256: hex.EncodeToString(sum2)}
	manifest.Sign(&m, e.pub.key)
	writeAtomic(t, filepath.Join(dir, manifest.FileName), m.Encode())
	ev = e.nextEvent()
	if ev.Kind != host.PluginUpgraded || ev.Plugin.Version != "2.0.0" {
		t.Fatalf("plugin event after upgrade = %+v, want upgraded 2.0.0", ev)
	}
	eventually(t, "the channel running 2.0.0", func() bool {
		st := e.status("c1")
		return st.State == host.StateRunning && st.Plugin.Version == "2.0.0"
	})
	if _, err := e.h.Send(context.Background(), "c1", sdkMsg("after-upgrade")); err != nil {
		t.Fatalf("Send after upgrade: %v", err)
	}

	// Remove.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	ev = e.nextEvent()
	if ev.Kind != host.PluginRemoved || ev.Plugin.ID != "echo" {
		t.Fatalf("plugin event after removal = %+v, want removed echo", ev)
	}
	eventually(t, "the channel waiting for its plugin", func() bool { return e.status("c1").State == host.StateWaiting })
	if len(e.h.Plugins()) != 0 {
		t.Fatalf("Plugins() after removal = %v", e.h.Plugins())
	}
	eventually(t, "admins told", func() bool { return len(e.rec.failures()) == 1 })
}

func TestHiddenAndPartialFilesAreIgnored(t *testing.T) {
	e := newEnv(t, nil)
	e.start()
	// A staging folder and partial files make no event; the real drop-in
	// after them makes exactly one.
	writePlugin(t, e.plugins, ".staging", buildConnector(t), e.pub, nil)
	os.WriteFile(filepath.Join(e.plugins, "x.part"), []byte("junk"), 0o644)
	os.WriteFile(filepath.Join(e.plugins, "y.tmp"), []byte("junk"), 0o644)
	if err := os.Rename(filepath.Join(e.plugins, ".staging"), filepath.Join(e.plugins, "echo")); err != nil {
		t.Fatal(err)
	}
	ev := e.nextEvent()
	if ev.Kind != host.PluginLoaded || ev.Folder != "echo" {
		t.Fatalf("first event = %+v, want echo loaded", ev)
	}
	select {
	case ev := <-e.events:
		t.Fatalf("unexpected second event %+v", ev)
	case <-time.After(3 * e.cfg.SettleDelay):
	}
}

func TestAnEmptyNewFolderWaitsForItsFiles(t *testing.T) {
	e := newEnv(t, nil)
	e.start()
	// A folder made long before anything is copied into it (a file manager
	// creating the folder, then a slow copy) is no refused plugin: nothing
	// happens until its files arrive and settle.
	if err := os.MkdirAll(filepath.Join(e.plugins, "echo"), 0o755); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-e.events:
		t.Fatalf("event for an empty folder: %+v", ev)
	case <-time.After(4 * e.cfg.SettleDelay):
	}
	if r := e.h.Refusals(); len(r) != 0 {
		t.Fatalf("Refusals() = %v, want none for an empty folder", r)
	}
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	if ev := e.nextEvent(); ev.Kind != host.PluginLoaded || ev.Folder != "echo" {
		t.Fatalf("event after the copy = %+v, want echo loaded", ev)
	}
}

func TestACopyThatPausesIsNotRefusedHalfWay(t *testing.T) {
	// A longer settle than the other tests': the pause below is three of
	// them and the host's patience with a missing executable twelve, so a
	// starved test goroutine (seen under load 20) still copies in time.
	e := newEnv(t, func(c *host.Config) { c.SettleDelay = 500 * time.Millisecond })
	e.start()
	bin := buildConnector(t)
	// The manifest arrives, then nothing for three settle delays (a copier
	// starved or a slow share), then the executable: the plugin loads, and
	// no refusal is announced for the pause.
	dir := filepath.Join(e.plugins, "echo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, _ := manifest.FileSHA256(bin)
	m := manifest.Manifest{ID: "echo", Name: "Echo", Version: "1.0.0", Publisher: "acme", ProtocolVersions: []int{1},
		Executables: map[string]manifest.Executable{platform: {Path: "echo-bin", SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, e.pub.key)
	if err := os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * e.cfg.SettleDelay)
	copyFile(t, bin, filepath.Join(dir, "echo-bin"))
	if ev := e.nextEvent(); ev.Kind != host.PluginLoaded || ev.Plugin.Version != "1.0.0" {
		t.Fatalf("first plugin event = %+v, want loaded 1.0.0", ev)
	}
}

func TestABrokenPluginDroppedInIsRefusedAfterItsWaits(t *testing.T) {
	e := newEnv(t, nil)
	e.start()
	// An executable that does not match its manifest stays so: after the
	// waits a paused copy gets, it is refused with the reason.
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, func(m *manifest.Manifest) {
		x := m.Executables[platform]
		x.SHA256 = strings.Repeat("ab", 32)
		m.Executables[platform] = x
	})
	ev := e.nextEvent()
	if ev.Kind != host.PluginRefused || manifest.CodeOf(ev.Err) != manifest.CodeBadChecksum {
		t.Fatalf("event = %+v, want refused %s", ev, manifest.CodeBadChecksum)
	}
	if got := e.h.Refusals()["echo"]; manifest.CodeOf(got) != manifest.CodeBadChecksum {
		t.Fatalf("Refusals()[echo] = %v", got)
	}
}

// An upgrade that moves the old copy aside before it renames the new one
// in (what an installer must do where the system cannot exchange two
// names in one step) leaves a moment with no folder. A host that checks
// in that moment must wait for a second check before it calls the plugin
// removed: the gap here is longer than one settle delay and shorter than
// two.
func TestAnUpgradeThatMovesTheOldCopyAsideIsNotARemoval(t *testing.T) {
	e := newEnv(t, nil)
	e.start()
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	if ev := e.nextEvent(); ev.Kind != host.PluginLoaded || ev.Plugin.Version != "1.0.0" {
		t.Fatalf("first event = %+v, want echo 1.0.0 loaded", ev)
	}
	writePlugin(t, e.plugins, ".installing-echo", buildConnector(t, "main.version=2.0.0"), e.pub,
		func(m *manifest.Manifest) { m.Version = "2.0.0" })
	if err := os.Rename(filepath.Join(e.plugins, "echo"), filepath.Join(e.plugins, ".replaced-echo")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(e.cfg.SettleDelay * 5 / 4)
	if err := os.Rename(filepath.Join(e.plugins, ".installing-echo"), filepath.Join(e.plugins, "echo")); err != nil {
		t.Fatal(err)
	}
	if ev := e.nextEvent(); ev.Kind != host.PluginUpgraded || ev.Plugin.Version != "2.0.0" {
		t.Fatalf("event after the swap = %+v (%v), want echo upgraded to 2.0.0", ev, ev.Err)
	}
}
