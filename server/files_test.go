package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// upload posts raw bytes to /api/v1/files; chunked sends them without a
// Content-Length, as a stream whose size the server learns only by reading.
func (e *env) upload(token string, data []byte, chunked bool) (int, store.File, []byte) {
	e.t.Helper()
	var body io.Reader = bytes.NewReader(data)
	if chunked {
		body = io.MultiReader(bytes.NewReader(data)) // hides the length
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/files", body)
	req.Header.Set(wire.ProtocolHeader, "1")
	req.Header.Set("Content-Type", "application/octet-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("upload: %v", err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	var f store.File
	_ = json.Unmarshal(out, &f)
	return res.StatusCode, f, out
}

// fetch gets a file and returns the status, body and headers.
func (e *env) fetch(token, id string) (int, []byte, http.Header) {
	e.t.Helper()
	return e.callH("GET", "/api/v1/files/"+id, token, nil)
}

// webchatTakesFiles gives the demo's website chat the limits its connector
// would describe (no relay runs in these tests).
func (e *env) webchatTakesFiles(caps inbox.Capabilities) {
	e.t.Helper()
	err := e.st.Write(context.Background(), func(tx store.Tx) error {
		ch := *tx.Org().Channels["ch-webchat"]
		ch.Capabilities = caps
		_, err := tx.PutOrg(wire.KindChannel, ch.ID, &ch)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

func fileID(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)

func TestUploadAndFetchAFile(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		taras := e.login("taras@demo.switchboard")
		anna := e.login("anna@demo.switchboard")
		doc := []byte(`<html><script>alert(document.cookie)</script></html>`)
		code, f, body := e.upload(taras, doc, true)
		if code != http.StatusCreated || f.ID != fileID(doc) || f.Size != int64(len(doc)) {
			t.Fatalf("upload = %d %s, want 201 naming the file by its SHA-256", code, body)
		}
		// Its uploader may fetch it before any message carries it; nobody
		// else may, and they cannot tell it exists.
		code, got, h := e.fetch(taras, f.ID)
		if code != 200 || !bytes.Equal(got, doc) {
			t.Fatalf("the uploader's fetch = %d %q", code, got)
		}
		// HTML is served as a download the browser may neither sniff nor run.
		if h.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("headers of an HTML file: %v", h)
		}
		code, body = e.call("GET", "/api/v1/files/"+f.ID, anna, nil)
		wantError(t, "a colleague fetching an unsent upload", code, body, 404, "file.not_found")
		code, body = e.call("GET", "/api/v1/files/"+fileID([]byte("never")), taras, nil)
		wantError(t, "an unknown file", code, body, 404, "file.not_found")
		code, body = e.call("GET", "/api/v1/files/..%2f..%2fetc%2fpasswd", taras, nil)
		wantError(t, "a path for an id", code, body, 404, "file.not_found")
		code, body = e.call("GET", "/api/v1/files/"+f.ID, "", nil)
		wantError(t, "fetching without signing in", code, body, 401, "auth.required")
		code, _, body = e.upload("", doc, false)
		wantError(t, "uploading without signing in", code, body, 401, "auth.required")
	})
}

func TestAFileIsFetchedByThoseWhoSeeItsDialog(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.webchatTakesFiles(inbox.Capabilities{Attachments: true, MaxAttachmentBytes: 1 << 20, DeleteWindowSeconds: -1})
		taras := e.login("taras@demo.switchboard")
		anna := e.login("anna@demo.switchboard")
		sofia := e.login("sofia@demo.switchboard")
		_, photo, _ := e.upload(taras, pngBytes, false)
		_, memo, _ := e.upload(taras, []byte("private memo"), false)
		name := `"><img src=x onerror=alert(1)>/../фото.png`
		res := e.command(taras, "message.send", map[string]any{"messageId": "m-photo", "dialogId": "dl-demo-04", "kind": "outbound", "text": "",
			"attachments": []inbox.Attachment{{BlobID: photo.ID, Name: name, MIME: "image/png", Size: 1}}})
		if !res.OK {
			t.Fatalf("sending the photo = %+v", res)
		}
		res = e.command(taras, "message.send", map[string]any{"messageId": "m-memo", "dialogId": "dl-demo-04", "kind": "note", "text": "for me",
			"attachments": []inbox.Attachment{{BlobID: memo.ID, Name: "memo.txt", MIME: "text/plain", Size: 12}}})
		if !res.OK {
			t.Fatalf("the note with a file = %+v", res)
		}
		// The stored message has the file's true size.
		ms, _ := e.st.Messages(context.Background(), "dl-demo-04")
		for _, m := range ms {
			if m.ID == "m-photo" && (len(m.Attachments) != 1 || m.Attachments[0].Size != int64(len(pngBytes))) {
				t.Errorf("stored attachments = %+v, want the uploaded size %d", m.Attachments, len(pngBytes))
			}
		}
		// The supervisor of the dialog's line sees the photo, inline, under
		// a name made safe for a header; anna works other lines.
		code, got, h := e.fetch(sofia, photo.ID)
		if code != 200 || !bytes.Equal(got, pngBytes) {
			t.Fatalf("the supervisor's fetch = %d", code)
		}
		if h.Get("Content-Type") != "image/png" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers of a PNG: %v", h)
		}
		if d := h.Get("Content-Disposition"); strings.ContainsAny(strings.TrimPrefix(d, "inline; filename*=utf-8''"), `"/<>`) {
			t.Errorf("Content-Disposition %q carries characters of the hostile name", d)
		}
		code, body := e.call("GET", "/api/v1/files/"+photo.ID, anna, nil)
		wantError(t, "a file of a dialog out of sight", code, body, 404, "file.not_found")
		// A private note's file is its author's alone.
		if code, _, _ := e.fetch(taras, memo.ID); code != 200 {
			t.Errorf("the author fetching the note's file = %d", code)
		}
		code, body = e.call("GET", "/api/v1/files/"+memo.ID, sofia, nil)
		wantError(t, "someone else's note's file", code, body, 404, "file.not_found")

		// A file another operator uploaded cannot be attached: the id alone
		// is no proof of having the file.
		_, annas, _ := e.upload(anna, []byte("anna's file"), false)
		res = e.command(taras, "message.send", map[string]any{"messageId": "m-steal", "dialogId": "dl-demo-04", "kind": "outbound", "text": "",
			"attachments": []inbox.Attachment{{BlobID: annas.ID, Name: "a.txt", MIME: "text/plain", Size: 11}}})
		if res.OK || res.Code != "message.attachment_unknown" {
			t.Errorf("attaching a colleague's upload = %+v, want message.attachment_unknown", res)
		}
		// Deleting the message takes its file out of reach.
		if res := e.command(taras, "message.delete", map[string]any{"messageId": "m-photo"}); !res.OK {
			t.Fatalf("delete = %+v", res)
		}
		code, body = e.call("GET", "/api/v1/files/"+photo.ID, sofia, nil)
		wantError(t, "a deleted message's file", code, body, 404, "file.not_found")
	})
}

func TestAFileOverTheLimitIsRefusedAndNothingKept(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.srv.cfg.MaxFileBytes = 3 << 20
		taras := e.login("taras@demo.switchboard")
		big := bytes.Repeat([]byte("x"), 3<<20+1)
		for _, chunked := range []bool{false, true} {
			code, _, body := e.upload(taras, big, chunked)
			wantError(t, "an upload over the limit", code, body, 413, "file.too_large")
			var we wire.Error
			_ = json.Unmarshal(body, &we)
			if we.Args["max"] != "3145728" {
				t.Errorf("the refusal's args = %v, want max 3145728", we.Args)
			}
		}
		if _, err := e.st.File(context.Background(), fileID(big)); err == nil {
			t.Error("a refused file was stored")
		}
		if code, _, body := e.upload(taras, big[:3<<20], true); code != 201 {
			t.Errorf("a file of exactly the limit = %d %s", code, body)
		}
	})
}

func TestTheChannelsLimitsRefuseAMessage(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		e.webchatTakesFiles(inbox.Capabilities{Attachments: true, MaxAttachmentBytes: 50, AttachmentTypes: []string{"image/*"}})
		taras := e.login("taras@demo.switchboard")
		_, f, _ := e.upload(taras, pngBytes, false) // 80 bytes
		_, txt, _ := e.upload(taras, []byte("notes"), false)
		send := func(id string, a inbox.Attachment) wire.CommandResult {
			return e.command(taras, "message.send", map[string]any{"messageId": id, "dialogId": "dl-demo-04", "kind": "outbound", "text": "",
				"attachments": []inbox.Attachment{a}})
		}
		// The desktop claims a small size; the server knows better.
		res := send("m-big", inbox.Attachment{BlobID: f.ID, Name: "p.png", MIME: "image/png", Size: 1})
		if res.OK || res.Code != "message.attachment_too_large" || res.Args["name"] != "p.png" || res.Args["max"] != "50" {
			t.Errorf("a file over the channel's limit = %+v, want message.attachment_too_large naming p.png and 50", res)
		}
		res = send("m-txt", inbox.Attachment{BlobID: txt.ID, Name: "notes.txt", MIME: "text/plain", Size: 5})
		if res.OK || res.Code != "message.attachment_type" || res.Args["name"] != "notes.txt" {
			t.Errorf("a type the channel does not take = %+v, want message.attachment_type naming notes.txt", res)
		}
		if q, _ := e.st.Dispatch(context.Background(), []string{"ch-webchat"}, 10); len(q) != 0 {
			t.Errorf("a refused message was queued for the channel")
		}
	})
}
