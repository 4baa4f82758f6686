package app

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"switchboard/inbox"
)

// fileStore is the app's copy of attachments, in the data folder: files
// the operator attaches are copied here first (so an upload interrupted by
// a quit or a lost connection starts again from here, with the message
// waiting in the outbox), and files the server sends are cached here. Both
// are named by their SHA-256, which is also their id on the server.
type fileStore struct {
	dir string // DATA/files; partial files in DATA/files/tmp

	// mu guards staging.
	mu      sync.Mutex
	staging map[string]*stagedWrite
}

// stagedWrite is a file being copied in from the UI, piece by piece.
type stagedWrite struct {
	f          *os.File
	name, mime string
	size, done int64
}

// StagedFile is a file copied into the app, ready to attach.
type StagedFile struct {
	FileID string `json:"fileId"` // hex SHA-256
	Name   string `json:"name"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
}

func newFileStore(dataDir string) *fileStore {
	return &fileStore{dir: filepath.Join(dataDir, "files"), staging: map[string]*stagedWrite{}}
}

// path is where a file lives; "" for an id that is not one.
func (fs *fileStore) path(id string) string {
	if !inbox.ValidFileID(id) {
		return ""
	}
	return filepath.Join(fs.dir, id)
}

// has reports whether the file is here, and its size.
func (fs *fileStore) has(id string) (int64, bool) {
	p := fs.path(id)
	if p == "" {
		return 0, false
	}
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return 0, false
	}
	return st.Size(), true
}

func (fs *fileStore) open(id string) (*os.File, error) {
	p := fs.path(id)
	if p == "" {
		return nil, os.ErrNotExist
	}
	return os.Open(p)
}

// temp makes a partial file in the tmp folder.
func (fs *fileStore) temp() (*os.File, error) {
	dir := filepath.Join(fs.dir, "tmp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("files folder: %w", err)
	}
	return os.CreateTemp(dir, "part-*")
}

// keep names a complete partial file by its SHA-256 and moves it in. The
// same bytes kept twice are one file.
func (fs *fileStore) keep(f *os.File) (string, int64, error) {
	h := sha256.New()
	_, err := f.Seek(0, io.SeekStart)
	var n int64
	if err == nil {
		n, err = io.Copy(h, f)
	}
	if err == nil {
		err = f.Sync()
	}
	// Closed before the rename: Windows renames no open file.
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", 0, fmt.Errorf("keep %s: %w", f.Name(), err)
	}
	id := hex.EncodeToString(h.Sum(nil))
	if _, ok := fs.has(id); ok {
		os.Remove(f.Name()) // the same bytes are here already
		return id, n, nil
	}
	if err := os.Rename(f.Name(), filepath.Join(fs.dir, id)); err != nil {
		os.Remove(f.Name())
		return "", 0, fmt.Errorf("keep file %s: %w", id, err)
	}
	return id, n, nil
}

// begin starts copying a file in.
func (fs *fileStore) begin(name, mime string, size int64) (string, error) {
	f, err := fs.temp()
	if err != nil {
		return "", err
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	fs.mu.Lock()
	fs.staging[id] = &stagedWrite{f: f, name: name, mime: mime, size: size}
	fs.mu.Unlock()
	return id, nil
}

// errStageUnknown: a piece for a copy that was finished, cancelled or
// never begun.
var errStageUnknown = errors.New("no such file being attached")

// write appends a piece; the copy may not grow past its declared size.
func (fs *fileStore) write(stageID string, data []byte) error {
	fs.mu.Lock()
	sw := fs.staging[stageID]
	fs.mu.Unlock()
	if sw == nil {
		return errStageUnknown
	}
	if sw.done+int64(len(data)) > sw.size {
		fs.cancel(stageID)
		return fmt.Errorf("the file grew past its %d bytes", sw.size)
	}
	if _, err := sw.f.Write(data); err != nil {
		fs.cancel(stageID)
		return fmt.Errorf("copy the file in: %w", err)
	}
	sw.done += int64(len(data))
	return nil
}

// finish keeps a complete copy.
func (fs *fileStore) finish(stageID string) (StagedFile, error) {
	fs.mu.Lock()
	sw := fs.staging[stageID]
	delete(fs.staging, stageID)
	fs.mu.Unlock()
	if sw == nil {
		return StagedFile{}, errStageUnknown
	}
	if sw.done != sw.size {
		sw.f.Close()
		os.Remove(sw.f.Name())
		return StagedFile{}, fmt.Errorf("the file has %d of its %d bytes", sw.done, sw.size)
	}
	id, n, err := fs.keep(sw.f)
	if err != nil {
		return StagedFile{}, err
	}
	return StagedFile{FileID: id, Name: sw.name, MIME: inbox.BaseType(sw.mime), Size: n}, nil
}

// cancel drops a copy in progress.
func (fs *fileStore) cancel(stageID string) {
	fs.mu.Lock()
	sw := fs.staging[stageID]
	delete(fs.staging, stageID)
	fs.mu.Unlock()
	if sw != nil {
		sw.f.Close()
		os.Remove(sw.f.Name())
	}
}

// wipe removes every file: another operator signs in on this computer, or
// this one signs out.
func (fs *fileStore) wipe() error {
	fs.mu.Lock()
	for id, sw := range fs.staging {
		sw.f.Close()
		delete(fs.staging, id)
	}
	fs.mu.Unlock()
	entries, err := os.ReadDir(fs.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		if e.Name() == "tmp" || inbox.ValidFileID(e.Name()) || strings.HasPrefix(e.Name(), "part-") {
			errs = append(errs, os.RemoveAll(filepath.Join(fs.dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}
