package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// LoadTrusted reads a trusted publishers file for a host that may run
// with no plugins: a missing file trusts no one (every plugin is refused,
// with that reason), where ReadTrusted calls it an error.
func LoadTrusted(path string) (TrustedKeys, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return TrustedKeys{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	keys, err := ParseTrusted(f)
	if err != nil {
		return nil, fmt.Errorf("trusted publishers %s: %w", path, err)
	}
	return keys, nil
}
