package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"switchboard/plugins/sdk"
)

// What the chat takes in one message, either way: the limits Describe
// declares, so the operator's app refuses a bigger file before sending.
const (
	maxFileBytes    = 10 << 20
	maxFilesPerLine = 10
)

// lineFile is a file on a line of the chat, kept as a blob of the host.
type lineFile struct {
	ID   string `json:"id"` // the host's blob id
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// inlineTypes are images the page shows in place; anything else is a
// download link.
var inlineTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// filesOf turns an operator's attachments into the line's files, checking
// the chat's limits (the app checked them already; a plugin checks again).
func filesOf(atts []sdk.Attachment) ([]lineFile, error) {
	if len(atts) > maxFilesPerLine {
		return nil, &sdk.ChannelError{Code: "attachments_too_many", Message: fmt.Sprintf("%d files, the chat takes %d at once", len(atts), maxFilesPerLine)}
	}
	var out []lineFile
	for _, a := range atts {
		if a.BlobID == "" {
			return nil, &sdk.ChannelError{Code: "attachment_missing", Message: "the chat takes files as blobs, not " + a.URL}
		}
		if a.Size > maxFileBytes {
			return nil, &sdk.ChannelError{Code: "attachment_too_large", Message: fmt.Sprintf("%s is %d bytes, the chat takes %d", a.Name, a.Size, maxFileBytes)}
		}
		out = append(out, lineFile{ID: a.BlobID, Name: cleanName(a.Name), Type: baseType(a.MIMEType), Size: a.Size})
	}
	return out, nil
}

// cleanName keeps a file name to one line of printable text without path
// separators; the page shows it as text and offers it as the download's name.
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == '/', r == '\\':
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" {
		name = "file"
	}
	return name
}

func baseType(t string) string {
	mt, _, err := mime.ParseMediaType(t)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mt
}

// handleUpload takes a visitor's files (multipart/form-data: "file" parts
// and an optional "text"), stores each with the host and records one line.
func (c *connector) handleUpload(w http.ResponseWriter, r *http.Request) {
	id := visitorOf(w, r)
	h, _, err := c.state()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{"chat_unavailable", "the chat is not ready"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFilesPerLine*(maxFileBytes+64<<10)+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{"request_invalid", "send the files as multipart/form-data"})
		return
	}
	var text string
	var files []lineFile
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{"request_invalid", "the upload was cut short"})
			return
		}
		switch part.FormName() {
		case "text":
			b, _ := io.ReadAll(io.LimitReader(part, 64<<10))
			text = string(b)
		case "file":
			if len(files) == maxFilesPerLine {
				writeJSON(w, http.StatusRequestEntityTooLarge, apiError{"files_too_many", fmt.Sprintf("at most %d files at once", maxFilesPerLine)})
				return
			}
			data, err := io.ReadAll(io.LimitReader(part, maxFileBytes+1))
			if err != nil {
				writeJSON(w, http.StatusBadRequest, apiError{"request_invalid", "the upload was cut short"})
				return
			}
			if len(data) > maxFileBytes {
				writeJSON(w, http.StatusRequestEntityTooLarge, apiError{"file_too_large", fmt.Sprintf("%s is larger than %d MB", cleanName(part.FileName()), maxFileBytes>>20)})
				return
			}
			// Browsers send a quote in a file name as %22 (the HTML
			// standard's multipart encoding); the name was the visitor's.
			name := cleanName(strings.ReplaceAll(part.FileName(), "%22", `"`))
			typ := baseType(part.Header.Get("Content-Type"))
			blob, err := h.BlobPut(r.Context(), sdk.Blob{Name: name, MIMEType: typ, Data: data})
			if err != nil {
				writeJSON(w, http.StatusInternalServerError, apiError{"chat_unavailable", "try again"})
				return
			}
			files = append(files, lineFile{ID: blob, Name: name, Type: typ, Size: int64(len(data))})
		}
	}
	l, status, apiErr := c.visitorWrote(r.Context(), id, text, files)
	if apiErr != nil {
		writeJSON(w, status, apiErr)
		return
	}
	writeJSON(w, http.StatusCreated, l)
}

// handleFile serves a file of the visitor's own chat. Images the page
// shows come inline; everything else as a download the browser must not
// sniff or run.
func (c *connector) handleFile(w http.ResponseWriter, r *http.Request) {
	id := visitorOf(w, r)
	h, _, err := c.state()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, apiError{"chat_unavailable", "the chat is not ready"})
		return
	}
	f, ok, err := c.visitorFile(r.Context(), h, id, r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, apiError{"chat_unavailable", "try again"})
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{"file_unknown", "no such file in this chat"})
		return
	}
	blob, err := h.BlobGet(r.Context(), f.ID)
	if err != nil {
		writeJSON(w, http.StatusNotFound, apiError{"file_unknown", "the file is gone"})
		return
	}
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Content-Length", strconv.Itoa(len(blob.Data)))
	if sniffed := http.DetectContentType(blob.Data); inlineTypes[sniffed] {
		hd.Set("Content-Type", sniffed)
		hd.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": f.Name}))
	} else {
		hd.Set("Content-Type", "application/octet-stream")
		hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	}
	_, _ = io.Copy(w, bytes.NewReader(blob.Data))
}

// visitorFile finds a file on one of the visitor's own lines: a blob id
// alone opens nothing of another chat.
func (c *connector) visitorFile(ctx context.Context, h sdk.Host, visitorID, fileID string) (lineFile, bool, error) {
	c.mu.Lock()
	v, _, err := loadVisitor(ctx, h, visitorID)
	c.mu.Unlock()
	if err != nil {
		return lineFile{}, false, err
	}
	for _, l := range v.Lines {
		for _, f := range l.Files {
			if f.ID == fileID {
				return f, true, nil
			}
		}
	}
	return lineFile{}, false, nil
}
