// Package testdir gives tests a temporary directory that also works under
// Wine, where the Windows tests run (scripts/test.d/60-windows.sh).
package testdir

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// New is t.TempDir, except on Windows: Wine 8 lacks the POSIX-semantics
// delete that os.RemoveAll uses there, and t.TempDir fails a test whose
// directory it cannot remove. On Windows the directory is removed as far
// as possible and a failure to remove it is only logged.
func New(t testing.TB) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", strings.NewReplacer("/", "_", "\\", "_", ":", "_").Replace(t.Name()))
	if err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("temp dir left behind: %v", err)
		}
	})
	return dir
}
