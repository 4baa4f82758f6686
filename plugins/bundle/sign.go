package bundle

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"switchboard/plugins/manifest"
)

// Sign signs the plugin at path, an archive or a folder, with the
// publisher's key: it finds or checks the executables as Pack does, fills in
// their checksums, signs plugin.json and writes it back (an archive is
// rewritten whole and renamed into place). It refuses a manifest that names
// another publisher than the key's.
func Sign(path string, key manifest.PrivateKey) (manifest.Manifest, error) {
	dir, done, err := Open(path)
	if err != nil {
		return manifest.Manifest{}, err
	}
	defer done()
	m, err := Draft(dir)
	if err != nil {
		return manifest.Manifest{}, err
	}
	if m.Publisher != key.Publisher {
		return manifest.Manifest{}, fmt.Errorf("plugin.json names publisher %q, the key is %q's; sign with %s's key or correct the publisher",
			m.Publisher, key.Publisher, m.Publisher)
	}
	files, err := listFiles(dir, "")
	if err != nil {
		return manifest.Manifest{}, err
	}
	if err := fillExecutables(&m, dir, files); err != nil {
		return manifest.Manifest{}, err
	}
	if err := m.Validate(); err != nil {
		return manifest.Manifest{}, err
	}
	manifest.Sign(&m, key.Key)
	if dir != path {
		return m, writeArchive(path, dir, m, files)
	}
	return m, writeFileAtomic(filepath.Join(dir, manifest.FileName), m.Encode())
}

// writeFileAtomic replaces path through a .tmp file and a rename, which
// the host's watcher ignores until the rename.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Verify checks the plugin folder dir as a host trusting trusted would: the
// manifest is valid and signed by its publisher's key, it speaks one of the
// protocols, and every executable matches its checksum. With platform set
// (GOOS/GOARCH), the plugin must also have an executable for it.
func Verify(dir string, trusted manifest.TrustedKeys, protocols []int, platform string) (manifest.Manifest, error) {
	m, err := Draft(dir)
	if err == nil {
		err = m.Validate()
	}
	if err != nil {
		return manifest.Manifest{}, err
	}
	platforms := Platforms(m)
	if _, ok := m.Executables[platform]; platform != "" && !ok {
		platforms = append(platforms, platform) // for Load to refuse in its words
	}
	for _, p := range platforms {
		if _, err := manifest.Load(dir, trusted, protocols, p); err != nil {
			return m, err
		}
	}
	return m, nil
}

// Platforms lists the manifest's platforms in order.
func Platforms(m manifest.Manifest) []string {
	var out []string
	for p := range m.Executables {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
