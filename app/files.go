package app

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"switchboard/inbox"
)

// Files attaches files to messages and hands out received ones. The UI
// copies a picked, dropped, pasted or recorded file in with Begin, Append
// (base64 pieces) and Finish; the upload starts at once and reports
// files:progress events. Received files are shown through Handler and
// kept with Save.
type Files struct{ c *core }

// maxStagedBytes bounds a file the app copies in; the channel's and the
// server's limits are smaller and checked on their own.
const maxStagedBytes = 1 << 30

// Begin starts copying a file of size bytes into the app; it returns the
// copy's id for Append and Finish.
func (s *Files) Begin(name, mimeType string, size int64) (string, error) {
	if _, _, err := s.c.signedIn(context.Background()); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > inbox.MaxAttachmentNameRunes || size < 0 || size > maxStagedBytes {
		return "", uiError(CodeBadInput, "a file needs a name of up to 255 characters and a size", nil)
	}
	id, err := s.c.files.begin(name, mimeType, size)
	return id, toUI(err)
}

// Append adds the next piece (base64) of a file being copied in.
func (s *Files) Append(stageID, piece string) error {
	b, err := base64.StdEncoding.DecodeString(piece)
	if err != nil {
		s.c.files.cancel(stageID)
		return uiError(CodeBadInput, "a piece of the file is not base64", err)
	}
	if err := s.c.files.write(stageID, b); err != nil {
		return uiError(CodeBadInput, err.Error(), err)
	}
	return nil
}

// Finish keeps the copy under its SHA-256 and starts uploading it.
func (s *Files) Finish(stageID string) (StagedFile, error) {
	f, err := s.c.files.finish(stageID)
	if err != nil {
		return StagedFile{}, uiError(CodeBadInput, err.Error(), err)
	}
	s.Upload(f.FileID)
	return f, nil
}

// Cancel drops a copy in progress.
func (s *Files) Cancel(stageID string) { s.c.files.cancel(stageID) }

// Upload (re)starts a file's upload in the background; progress comes as
// files:progress events. Offline, the message's push uploads it later.
func (s *Files) Upload(fileID string) {
	s.c.mu.Lock()
	cl := s.c.sync
	s.c.mu.Unlock()
	if cl == nil {
		return
	}
	go func() { _ = s.c.uploads.ensure(context.Background(), cl, fileID) }()
}

// Save asks where to save a received file (the system's dialog) and
// copies it there; false when the operator cancelled.
func (s *Files) Save(fileID, name string) (bool, error) {
	ctx := context.Background()
	if _, _, err := s.c.signedIn(ctx); err != nil {
		return false, err
	}
	if err := s.c.fetchFile(ctx, fileID); err != nil {
		return false, toUI(err)
	}
	if s.c.saveDialog == nil {
		return false, uiError(CodeInternal, "no save dialog", nil)
	}
	dest, err := s.c.saveDialog(safeFileName(name), "")
	if err != nil || dest == "" {
		return false, toUI(err)
	}
	src, err := s.c.files.open(fileID)
	if err != nil {
		return false, toUI(err)
	}
	defer src.Close()
	out, err := os.Create(dest)
	if err != nil {
		return false, toUI(err)
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		return false, toUI(err)
	}
	return true, toUI(out.Close())
}

// safeFileName keeps a name a file system takes: no separators, control
// characters or characters Windows refuses, and no leading dots.
func safeFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if name == "" {
		return "file"
	}
	return name
}

// downloads makes concurrent requests for one file share one download.
type downloads struct {
	mu       sync.Mutex
	inflight map[string]*uploadJob
}

// fetchFile brings a file into the app's copy from the server, checking
// its bytes are the ones its id names.
func (c *core) fetchFile(ctx context.Context, id string) error {
	if !inbox.ValidFileID(id) {
		return uiError(CodeNotFound, "", nil)
	}
	if _, ok := c.files.has(id); ok {
		return nil
	}
	c.downloads.mu.Lock()
	job := c.downloads.inflight[id]
	if job == nil {
		job = &uploadJob{done: make(chan struct{})}
		c.downloads.inflight[id] = job
		go func() {
			job.err = c.download(id)
			c.downloads.mu.Lock()
			delete(c.downloads.inflight, id)
			c.downloads.mu.Unlock()
			close(job.done)
		}()
	}
	c.downloads.mu.Unlock()
	select {
	case <-job.done:
		return job.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *core) download(id string) error {
	c.mu.Lock()
	cl := c.sync
	c.mu.Unlock()
	if cl == nil {
		return uiError(CodeSignedOut, "", nil)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	body, _, err := cl.OpenFile(ctx, id)
	if err != nil {
		return err
	}
	defer body.Close()
	tmp, err := c.files.temp()
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), body); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("download %s: %w", id, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != id {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("download %s: the server sent other bytes (%s)", id, got)
	}
	_, _, err = c.files.keep(tmp)
	return err
}

// FileHandler serves the app's files to the window at /files/{id}: from
// the copy here, fetched from the server on first sight (the server
// decides who may have it). Images and sound play in place; anything else
// is served as a download the webview neither sniffs nor runs.
func (c *core) FileHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := strings.CutPrefix(r.URL.Path, "/files/")
		if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) || !inbox.ValidFileID(id) {
			http.NotFound(w, r)
			return
		}
		if err := c.fetchFile(r.Context(), id); err != nil {
			status := http.StatusBadGateway
			var ue *UIError
			if errors.As(err, &ue) && (ue.Code == CodeNotFound || ue.Code == CodeSignedOut) || strings.Contains(err.Error(), "file.not_found") {
				status = http.StatusNotFound
			}
			http.Error(w, "file unavailable", status)
			return
		}
		f, err := c.files.open(id)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			http.NotFound(w, r)
			return
		}
		head := make([]byte, 512)
		n, _ := io.ReadFull(f, head)
		sniffed := http.DetectContentType(head[:n])
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
		hd.Set("Cache-Control", "private, max-age=31536000, immutable")
		if inPlace(sniffed) {
			hd.Set("Content-Type", sniffed)
		} else {
			hd.Set("Content-Type", "application/octet-stream")
			name := safeFileName(r.URL.Query().Get("name"))
			hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		}
		// ServeContent answers Range requests: audio seeks with them.
		http.ServeContent(w, r, "", st.ModTime(), f)
	})
}

// inPlace reports whether a sniffed type is shown or played in place:
// images that decode without running anything, and sound.
func inPlace(t string) bool {
	switch t {
	case "image/png", "image/jpeg", "image/gif", "image/webp", "video/webm", "video/mp4", "application/ogg", "audio/mpeg", "audio/wave", "audio/ogg", "audio/aiff", "audio/midi":
		return true
	}
	return false
}
