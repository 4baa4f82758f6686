package syncclient

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// tempDir is t.TempDir, except on Windows, where the tests also run under
// Wine (scripts/test.d/60-windows.sh): Wine 8 lacks the POSIX-semantics
// delete that os.RemoveAll uses there, and t.TempDir fails a test whose
// directory it cannot remove. On Windows the directory is removed as far
// as possible and a failure to remove it is only logged.
func tempDir(t *testing.T) string {
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
