package bundle

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Limits of what Unpack takes from an archive, far above any real plugin,
// so a hostile archive cannot fill the disk.
const (
	maxFiles = 10_000
	maxBytes = 2 << 30
)

// Unpack extracts the plugin archive into dest, an existing empty folder:
// the files of the archive's one top folder land directly in dest. It takes
// only plain files and folders, every one inside that top folder, and
// refuses the archive otherwise.
func Unpack(archive, dest string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s is not a %s plugin archive: %v", archive, Ext, err)
	}
	tr := tar.NewReader(zr)
	var top string
	budget := int64(maxBytes)
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s is damaged: %v", archive, err)
		}
		if n == maxFiles {
			return fmt.Errorf("%s has more than %d entries; no plugin is that big", archive, maxFiles)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		rel, err := entryPath(hdr.Name, &top)
		if err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if rel != "" {
				if err := os.MkdirAll(filepath.Join(dest, rel), 0o755); err != nil {
					return err
				}
			}
			continue
		case tar.TypeReg:
		case tar.TypeSymlink, tar.TypeLink:
			return fmt.Errorf("%s: entry %q is a link; a plugin archive holds only plain files and folders", archive, hdr.Name)
		default:
			return fmt.Errorf("%s: entry %q is not a plain file or folder", archive, hdr.Name)
		}
		if rel == "" {
			return fmt.Errorf("%s: entry %q is not inside a folder; a plugin archive holds one folder named after the plugin", archive, hdr.Name)
		}
		if budget -= hdr.Size; budget < 0 {
			return fmt.Errorf("%s unpacks to more than %d bytes; no plugin is that big", archive, int64(maxBytes))
		}
		if err := writeEntry(filepath.Join(dest, rel), tr, hdr); err != nil {
			return fmt.Errorf("%s: %w", archive, err)
		}
	}
	if top == "" {
		return fmt.Errorf("%s is empty", archive)
	}
	return nil
}

// entryPath checks an entry's name and returns it relative to the archive's
// top folder, which the first entry sets.
func entryPath(name string, top *string) (string, error) {
	clean := strings.TrimSuffix(name, "/")
	if strings.Contains(clean, `\`) || !filepath.IsLocal(filepath.FromSlash(clean)) || clean != filepath.ToSlash(filepath.Clean(clean)) {
		return "", fmt.Errorf("entry %q leaves the plugin's folder or is not a plain path", name)
	}
	first, rest, _ := strings.Cut(clean, "/")
	if *top == "" {
		*top = first
	} else if first != *top {
		return "", fmt.Errorf("entries %q and %q are in different folders; a plugin archive holds one folder", *top, name)
	}
	return filepath.FromSlash(rest), nil
}

func writeEntry(path string, r io.Reader, hdr *tar.Header) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if hdr.Mode&0o111 != 0 {
		mode = 0o755
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("entry %q appears twice", hdr.Name)
	} else if err != nil {
		return err
	}
	if _, err := io.CopyN(f, r, hdr.Size); err != nil {
		f.Close()
		return fmt.Errorf("entry %q: %v", hdr.Name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Open gives the plugin folder at path: path itself when it is a folder,
// or a temporary folder the archive was unpacked into; done removes it.
func Open(path string) (dir string, done func(), err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", nil, err
	}
	if fi.IsDir() {
		return path, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "switchboard-plugin-")
	if err != nil {
		return "", nil, err
	}
	if err := Unpack(path, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", nil, err
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
}
