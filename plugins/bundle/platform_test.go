package bundle

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSniffReadsThePlatformAnExecutableWasBuiltFor(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sniff(self); err != nil || got != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("sniff(this test binary) = %q, %v; want %s/%s", got, err, runtime.GOOS, runtime.GOARCH)
	}
	text := filepath.Join(t.TempDir(), "README")
	os.WriteFile(text, []byte("not a program\n"), 0o644)
	if _, err := sniff(text); err != errNotExecutable {
		t.Errorf("sniff(a text file) = %v, want %v", err, errNotExecutable)
	}
}

func TestSameFamily(t *testing.T) {
	tests := []struct {
		got, want string
		same      bool
	}{
		{"linux/amd64", "linux/amd64", true},
		{"linux/amd64", "freebsd/amd64", true}, // ELF rarely says which system
		{"linux/amd64", "linux/arm64", false},
		{"linux/amd64", "windows/amd64", false},
		{"darwin/arm64", "darwin/arm64", true},
		{"windows/arm64", "darwin/arm64", false},
	}
	for _, tt := range tests {
		if got := sameFamily(tt.got, tt.want); got != tt.same {
			t.Errorf("sameFamily(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.same)
		}
	}
}
