package synctest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"switchboard/wire"
)

// fileRoutes serves the file API as the team server does: uploads named
// by their SHA-256, up to a limit (SetMaxFile), fetched back by id.
func (ts *Server) fileRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/files", ts.authed(ts.upload))
	mux.HandleFunc("GET /api/v1/files/{id}", ts.authed(ts.file))
}

func (ts *Server) upload(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	max := ts.maxFile
	ts.mu.Unlock()
	if max == 0 {
		max = 50 << 20
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, wire.Error{Code: "request.malformed", Message: "cut short"})
		return
	}
	if int64(len(data)) > max {
		writeJSON(w, http.StatusRequestEntityTooLarge, wire.Error{Code: "file.too_large", Message: "too large",
			Args: map[string]string{"max": strconv.FormatInt(max, 10)}})
		return
	}
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	ts.mu.Lock()
	if ts.files == nil {
		ts.files = map[string][]byte{}
	}
	ts.files[id] = data
	ts.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "size": len(data), "type": http.DetectContentType(data)})
}

func (ts *Server) file(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	data, ok := ts.files[r.PathValue("id")]
	ts.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, wire.Error{Code: "file.not_found", Message: "no such file"})
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(data)
}

// File returns an uploaded file's bytes.
func (ts *Server) File(id string) ([]byte, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	b, ok := ts.files[id]
	return b, ok
}

// PutFile stores a file as if some message carried it, for downloads.
func (ts *Server) PutFile(data []byte) string {
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.files == nil {
		ts.files = map[string][]byte{}
	}
	ts.files[id] = data
	return id
}

// SetMaxFile sets the largest upload it takes.
func (ts *Server) SetMaxFile(n int64) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.maxFile = n
}

// PutFileAs stores bytes under an id that need not be theirs: a server
// (or a man in the middle) sending other bytes than asked for.
func (ts *Server) PutFileAs(id string, data []byte) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.files == nil {
		ts.files = map[string][]byte{}
	}
	ts.files[id] = data
}

// unuploaded names a file a message.send carries that was never uploaded.
// The caller holds mu.
func (ts *Server) unuploaded(cmd wire.CommandEnvelope) (string, bool) {
	if cmd.Type != "message.send" {
		return "", false
	}
	var p struct {
		Attachments []struct {
			BlobID string `json:"blobId"`
			Name   string `json:"name"`
		} `json:"attachments"`
	}
	_ = json.Unmarshal(cmd.Payload, &p)
	for _, a := range p.Attachments {
		if _, ok := ts.files[a.BlobID]; !ok {
			return a.Name, true
		}
	}
	return "", false
}
