package manifest

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// SignDir fills in the SHA-256 of every executable listed in dir's
// plugin.json, signs it with key and writes it back. It is what a publisher
// runs after building the binaries.
func SignDir(dir string, key ed25519.PrivateKey) (Manifest, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.Open(path)
	if err != nil {
		return Manifest{}, fmt.Errorf("sign %s: %w", dir, err)
	}
	// Checksums may still be blank; Parse would refuse them, so decode the
	// fields leniently and validate once they are filled in.
	m, err := parseUnchecked(f)
	f.Close()
	if err != nil {
		return Manifest{}, fmt.Errorf("sign %s: %w", dir, err)
	}
	for platform, e := range m.Executables {
		if err := checkRelative(e.Path); err != nil {
			return Manifest{}, fmt.Errorf("sign %s: executable for %s: %w", dir, platform, err)
		}
		sum, err := FileSHA256(filepath.Join(dir, filepath.Clean(e.Path)))
		if err != nil {
			return Manifest{}, fmt.Errorf("sign %s: %w", dir, err)
		}
		e.SHA256 = hex.EncodeToString(sum)
		m.Executables[platform] = e
	}
	if err := m.Validate(); err != nil {
		return Manifest{}, fmt.Errorf("sign %s: %w", dir, err)
	}
	Sign(&m, key)
	if err := os.WriteFile(path, m.Encode(), 0o644); err != nil {
		return Manifest{}, fmt.Errorf("sign %s: %w", dir, err)
	}
	return m, nil
}
