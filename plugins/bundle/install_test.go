package bundle

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// On Linux an upgrade exchanges the two folders in one step: a host
// watching the plugins folder never finds the plugin's folder missing.
func TestSwapInNeverLeavesThePluginFolderMissing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux exchanges two names in one step")
	}
	dir := t.TempDir()
	final := filepath.Join(dir, "echo")
	write := func(folder, version string) {
		t.Helper()
		if err := os.MkdirAll(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(folder, "version"), []byte(version), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(final, "0")

	var missing atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := os.Lstat(final); err != nil {
				missing.Add(1)
			}
		}
	}()
	for i := 1; i <= 300; i++ {
		staging := filepath.Join(dir, ".installing-echo")
		write(staging, string(rune('0'+i%10)))
		if err := swapIn(staging, final); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(final, "version")); err != nil || string(b) != string(rune('0'+i%10)) {
			t.Fatalf("swap %d: final holds %q, %v", i, b, err)
		}
	}
	close(stop)
	wg.Wait()
	if n := missing.Load(); n > 0 {
		t.Errorf("the plugin folder was missing %d times during 300 upgrades", n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d entries after the upgrades, want only the plugin", len(entries))
	}
}
