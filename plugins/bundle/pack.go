package bundle

import (
	"archive/tar"
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"switchboard/plugins/manifest"
)

// Ext is the archive's file name extension.
const Ext = ".tar.gz"

// Pack makes the archive out from the plugin folder dir: plugin.json (id,
// name, version, publisher, protocol_versions; executables optional) and the
// executables built for each platform, plus any other files the plugin
// needs. An empty executables map is filled from the executables found in
// dir, each one's platform read from its header; a filled one is checked
// against the headers. Checksums are filled in; the archive is unsigned
// (see Sign). Hidden files are left out.
func Pack(dir, out string) (manifest.Manifest, error) {
	m, err := Draft(dir)
	if err != nil {
		return manifest.Manifest{}, err
	}
	files, err := listFiles(dir, out)
	if err != nil {
		return manifest.Manifest{}, err
	}
	if err := fillExecutables(&m, dir, files); err != nil {
		return manifest.Manifest{}, err
	}
	m.Signature = "" // the checksums may have changed; sign after packing
	if err := m.Validate(); err != nil {
		return manifest.Manifest{}, err
	}
	return m, writeArchive(out, dir, m, files)
}

// Draft reads dir's plugin.json as a publisher wrote it, without
// requiring what Pack and Sign fill in.
func Draft(dir string) (manifest.Manifest, error) {
	f, err := os.Open(filepath.Join(dir, manifest.FileName))
	if err != nil {
		if os.IsNotExist(err) {
			return manifest.Manifest{}, fmt.Errorf("%s has no %s: a plugin folder starts with one", dir, manifest.FileName)
		}
		return manifest.Manifest{}, err
	}
	defer f.Close()
	return manifest.Decode(f)
}

// listFiles returns the slash-separated paths of the files in dir that go
// into the archive: every regular file but plugin.json, hidden ones and
// skip (the archive being written, when it is inside dir).
func listFiles(dir, skip string) ([]string, error) {
	skipAbs := ""
	if skip != "" {
		skipAbs, _ = filepath.Abs(skip)
	}
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir() || rel == manifest.FileName:
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link; a plugin holds only plain files (copy the file in instead)", path)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a plain file", path)
		}
		if abs, _ := filepath.Abs(path); skipAbs != "" && (abs == skipAbs || abs == skipAbs+partSuffix) {
			return nil
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(files)
	return files, err
}

// fillExecutables finds or checks every platform's executable and fills in
// its checksum.
func fillExecutables(m *manifest.Manifest, dir string, files []string) error {
	if len(m.Executables) == 0 {
		m.Executables = map[string]manifest.Executable{}
		for _, f := range files {
			platform, err := sniff(filepath.Join(dir, filepath.FromSlash(f)))
			if err == errNotExecutable {
				continue
			} else if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			if other, ok := m.Executables[platform]; ok {
				return fmt.Errorf("two executables for %s: %s and %s; keep one per platform", platform, other.Path, f)
			}
			m.Executables[platform] = manifest.Executable{Path: f}
		}
		if len(m.Executables) == 0 {
			return fmt.Errorf("%s holds no executable: build one per platform into it first (GOOS=... GOARCH=... go build -o %s/...)", dir, dir)
		}
	}
	for platform, e := range m.Executables {
		if !filepath.IsLocal(e.Path) || strings.Contains(e.Path, `\`) {
			return &manifest.Error{Code: manifest.CodePathEscapes, Plugin: m.ID,
				Msg: fmt.Sprintf("executable for %s: path %q leaves the plugin folder", platform, e.Path)}
		}
		if !slices.Contains(files, e.Path) {
			return fmt.Errorf("executable for %s, %s, is not in %s", platform, e.Path, dir)
		}
		path := filepath.Join(dir, filepath.FromSlash(e.Path))
		got, err := sniff(path)
		if err != nil {
			return fmt.Errorf("executable for %s, %s, is %v", platform, e.Path, err)
		}
		if !sameFamily(got, platform) {
			return fmt.Errorf("executable for %s, %s, was built for %s; build it with GOOS and GOARCH of %s", platform, e.Path, got, platform)
		}
		sum, err := manifest.FileSHA256(path)
		if err != nil {
			return err
		}
		e.SHA256 = hex.EncodeToString(sum)
		m.Executables[platform] = e
	}
	return nil
}

// partSuffix marks an archive being written; it is renamed into place once
// complete, so nobody reads half an archive.
const partSuffix = ".part"

// writeArchive writes m as plugin.json and the files from dir under one
// folder named by the plugin's id. Entries are sorted and carry no times or
// owners, so the same input packs to the same bytes.
func writeArchive(out, dir string, m manifest.Manifest, files []string) (err error) {
	if !strings.HasSuffix(out, Ext) {
		return fmt.Errorf("archive %s: the name must end in %s", out, Ext)
	}
	f, err := os.Create(out + partSuffix)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(out + partSuffix)
		}
	}()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	executable := map[string]bool{}
	for _, e := range m.Executables {
		executable[e.Path] = true
	}
	epoch := time.Unix(0, 0)
	body := m.Encode()
	if err := tw.WriteHeader(&tar.Header{Name: m.ID + "/" + manifest.FileName, Mode: 0o644, Size: int64(len(body)),
		ModTime: epoch, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(body); err != nil {
		return err
	}
	for _, name := range files {
		if err := addFile(tw, filepath.Join(dir, filepath.FromSlash(name)), m.ID+"/"+name, executable[name], epoch); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(out+partSuffix, out)
}

func addFile(tw *tar.Writer, path, name string, executable bool, mtime time.Time) error {
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return err
	}
	mode := int64(0o644)
	if executable {
		mode = 0o755
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: fi.Size(), ModTime: mtime,
		Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	_, err = io.Copy(tw, src)
	return err
}
