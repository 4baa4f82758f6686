package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"switchboard/inbox"
	"switchboard/server/store"
)

// DefaultMaxFileBytes is the largest file the server takes unless
// configured otherwise.
const DefaultMaxFileBytes = 50 << 20

// uploadFile is POST /api/v1/files: the body is the file's bytes,
// streamed into the store. The answer names the file by its SHA-256; a
// message.send then attaches it by that id.
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request, op string) error {
	max := s.cfg.MaxFileBytes
	if r.ContentLength > max {
		return tooLarge(max)
	}
	f, err := s.st.PutFile(r.Context(), r.Body, max, op)
	if errors.Is(err, store.ErrTooLarge) {
		return tooLarge(max)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, f)
	return nil
}

func tooLarge(max int64) error {
	e := errorf(http.StatusRequestEntityTooLarge, "file.too_large", "The file is larger than %d bytes, the most this server takes.", max)
	e.Body.Args = map[string]string{"max": strconv.FormatInt(max, 10)}
	return e
}

// inlineImages are the types shown in place: images browsers decode
// without running anything. The type is sniffed from the bytes, never taken
// from the uploader.
var inlineImages = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// getFile is GET /api/v1/files/{id}: a file of a message in a dialog the
// operator sees, or one the operator uploaded. Anything else is answered
// as if the file did not exist. Only safe image types are served inline;
// everything else comes as a download the browser must not sniff or run.
func (s *Server) getFile(w http.ResponseWriter, r *http.Request, op string) error {
	id := r.PathValue("id")
	notFound := errorf(http.StatusNotFound, "file.not_found", "There is no file %s, or it is not yours to see.", id)
	if !inbox.ValidFileID(id) {
		return notFound
	}
	name, ok, err := s.fileFor(r.Context(), op, id)
	if err != nil {
		return err
	}
	if !ok {
		return notFound
	}
	f, err := s.st.File(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	if err != nil {
		return err
	}
	if r.Header.Get("If-None-Match") == `"`+f.ID+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	rc, err := s.st.OpenFile(r.Context(), id)
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=31536000, immutable")
	h.Set("ETag", `"`+f.ID+`"`)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	if inlineImages[f.Type] {
		h.Set("Content-Type", f.Type)
		h.Set("Content-Disposition", disposition("inline", name))
	} else {
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", disposition("attachment", name))
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	if _, err := io.Copy(w, rc); err != nil {
		s.log.Warn("serve file", "file", id, "error", err)
	}
	return nil
}

// fileFor decides whether op may fetch the file and under which name: the
// name a visible message gives it, or the id for one op uploaded itself.
func (s *Server) fileFor(ctx context.Context, op, id string) (string, bool, error) {
	org, err := s.st.Org(ctx)
	if err != nil {
		return "", false, err
	}
	msgs, err := s.st.FileMessages(ctx, id, 200)
	if err != nil {
		return "", false, err
	}
	for _, m := range msgs {
		if !org.SeesMessage(op, m) {
			continue
		}
		d, err := s.st.Dialog(ctx, m.DialogID)
		if err != nil || !org.SeesDialog(op, d) {
			continue
		}
		for _, a := range m.Attachments {
			if a.BlobID == id { // a deleted message no longer lists it
				return a.Name, true, nil
			}
		}
	}
	ok, err := s.st.Uploaded(ctx, id, op)
	return id, ok, err
}

// disposition builds a Content-Disposition whose file name is safe to put
// in a header and to save under: no control characters, quotes or path
// separators; non-ASCII names are encoded (RFC 2231).
func disposition(kind, name string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == '/', r == '\\', r == '"':
			return '_'
		}
		return r
	}, name)
	clean = strings.TrimLeft(clean, ".")
	if clean == "" {
		clean = "file"
	}
	if v := mime.FormatMediaType(kind, map[string]string{"filename": clean}); v != "" {
		return v
	}
	return kind
}

// purgeUploads drops, hourly, the chunks of uploads that died a day ago.
func (s *Server) purgeUploads(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := s.st.PurgeStaleUploads(ctx, s.cfg.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			s.log.Warn("purge unfinished uploads", "error", fmt.Sprint(err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
