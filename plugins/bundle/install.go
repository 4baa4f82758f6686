package bundle

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"switchboard/plugins/manifest"
)

// Installed tells what Install did.
type Installed struct {
	Manifest manifest.Manifest
	Dir      string // the plugin's folder in the plugins folder
	Replaced string // the version it replaced, "" for a new plugin
}

// Install verifies the plugin at src (an archive or a folder) and puts it
// into pluginsDir as the folder named by its id, replacing an older copy.
// It is written to a hidden staging folder inside pluginsDir — the host's
// watcher ignores hidden names — verified there, and renamed into place, so
// a host watching the folder sees the plugin whole or not at all.
func Install(src, pluginsDir string, trusted manifest.TrustedKeys, protocols []int, platform string) (Installed, error) {
	if fi, err := os.Stat(pluginsDir); err != nil || !fi.IsDir() {
		return Installed{}, fmt.Errorf("plugins folder %s does not exist (the app or server creates it on first start)", pluginsDir)
	}
	staging, err := os.MkdirTemp(pluginsDir, ".installing-")
	if err != nil {
		return Installed{}, err
	}
	defer os.RemoveAll(staging)
	if err := os.Chmod(staging, 0o755); err != nil { // MkdirTemp made it private
		return Installed{}, err
	}
	fi, err := os.Stat(src)
	if err != nil {
		return Installed{}, err
	}
	if fi.IsDir() {
		err = copyTree(src, staging)
	} else {
		err = Unpack(src, staging)
	}
	if err != nil {
		return Installed{}, err
	}
	m, err := Verify(staging, trusted, protocols, platform)
	if err != nil {
		return Installed{}, err
	}
	if other := folderHolding(pluginsDir, m.ID); other != "" && other != m.ID {
		return Installed{}, fmt.Errorf("folder %s of the plugins folder already holds plugin %s; remove it first, a host refuses two copies of one plugin",
			other, m.ID)
	}
	final := filepath.Join(pluginsDir, m.ID)
	res := Installed{Manifest: m, Dir: final}
	if old, err := Draft(final); err == nil {
		res.Replaced = old.Version
	}
	return res, swapIn(staging, final)
}

// swapIn puts staging in place of final. Where the system can exchange two
// names in one step (exchange), a host watching the plugins folder never
// finds final missing; elsewhere the installed copy is moved aside (to a
// hidden name) first, and a host settles that short gap (see
// plugins/host's watcher). The old copy is removed afterwards.
func swapIn(staging, final string) error {
	if _, err := os.Lstat(final); os.IsNotExist(err) {
		return os.Rename(staging, final)
	}
	if exchanged, err := exchange(staging, final); err != nil {
		return fmt.Errorf("put the new copy in place: %w", err)
	} else if exchanged {
		return os.RemoveAll(staging) // staging now holds the old copy
	}
	aside := filepath.Join(filepath.Dir(staging), ".replaced-"+strings.TrimPrefix(filepath.Base(staging), ".installing-"))
	if err := os.Rename(final, aside); err != nil {
		return fmt.Errorf("move the installed copy aside: %w", err)
	}
	if err := os.Rename(staging, final); err != nil {
		_ = os.Rename(aside, final)
		return fmt.Errorf("put the new copy in place: %w", err)
	}
	return os.RemoveAll(aside)
}

// folderHolding returns the name of the folder in pluginsDir whose
// plugin.json has the id, or "".
func folderHolding(pluginsDir, id string) string {
	entries, _ := os.ReadDir(pluginsDir)
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if m, err := Draft(filepath.Join(pluginsDir, e.Name())); err == nil && m.ID == id {
			return e.Name()
		}
	}
	return ""
}

// copyTree copies the plain files and folders of src into dst, keeping
// the executable bit, and refuses links and special files.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link; a plugin holds only plain files", path)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a plain file", path)
		}
		in, err := os.Open(path)
		if err != nil {
			return err
		}
		defer in.Close()
		fi, err := in.Stat()
		if err != nil {
			return err
		}
		out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm()|0o600)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		if err := out.Sync(); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
