package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// seedFiles is seed with the dialog on a channel that takes up to three
// files of 1000 bytes.
func seedFiles(ts *synctest.Server) {
	seed(ts)
	ts.Put(wire.KindChannel, "ch1", &inbox.Channel{ID: "ch1", Name: "Site", Kind: inbox.KindWebchat, LineID: "l1", State: inbox.ChannelActive,
		Capabilities: inbox.Capabilities{Attachments: true, MaxAttachmentBytes: 1000, MaxAttachments: 3, AttachmentTypes: []string{"image/*", "application/pdf"}}})
	ts.Put(wire.KindDialog, "d1", &inbox.Dialog{ID: "d1", ClientID: "c1", ChannelID: "ch1", LineID: "l1", Status: inbox.StatusUnassigned, QueuedAt: time.Now()})
}

// stage copies data into the app as the composer does, in small pieces.
func stage(t *testing.T, a *App, name, mime string, data []byte) StagedFile {
	t.Helper()
	id, err := a.Files.Begin(name, mime, int64(len(data)))
	if err != nil {
		t.Fatalf("Begin(%s): %v", name, err)
	}
	for off := 0; off < len(data); off += 97 {
		if err := a.Files.Append(id, base64.StdEncoding.EncodeToString(data[off:min(off+97, len(data))])); err != nil {
			t.Fatalf("Append(%s): %v", name, err)
		}
	}
	f, err := a.Files.Finish(id)
	if err != nil {
		t.Fatalf("Finish(%s): %v", name, err)
	}
	return f
}

func pending(t *testing.T, a *App) int {
	t.Helper()
	p, err := a.core.rp.Pending(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(p)
}

func TestAFileAttachedOfflineIsUploadedAfterARestartBeforeItsMessage(t *testing.T) {
	ts := synctest.New(t)
	seedFiles(ts)
	dir, tokens := t.TempDir(), &memTokens{}
	a, _ := startAppIn(t, dir, tokens)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	if err := a.Conversation.Take("d1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the take at the server", func() bool { return len(ts.Executed()) == 1 })
	dv, err := a.Conversation.Dialog("d1")
	if err != nil || !dv.Files.Accepts || dv.Files.MaxBytes != 1000 || dv.Files.MaxCount != 3 {
		t.Fatalf("the dialog's file limits = %+v, %v", dv.Files, err)
	}

	ts.SetDown(true)
	receipt := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("receipt "), 40)...)
	f := stage(t, a, "чек <b>1</b>.pdf", "application/pdf", receipt)
	if f.Size != int64(len(receipt)) || f.MIME != "application/pdf" {
		t.Fatalf("staged = %+v", f)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "files", f.FileID)); err != nil || !bytes.Equal(b, receipt) {
		t.Fatalf("the app's copy in its data folder = %d bytes, %v", len(b), err)
	}

	// Too large for the channel: refused before anything is queued,
	// naming the file and the limit.
	big := stage(t, a, "scan.pdf", "application/pdf", bytes.Repeat([]byte("x"), 1001))
	before := pending(t, a)
	_, err = a.Conversation.SendWithFiles("d1", "outbound", "", nil, "", []AttachmentInput{{FileID: big.FileID, Name: big.Name, MIME: big.MIME}})
	var ue *UIError
	if !asUI(err, &ue) || ue.Code != "message.attachment_too_large" || ue.Args["name"] != "scan.pdf" || ue.Args["max"] != "1000" {
		t.Fatalf("SendWithFiles of a file over the channel's limit = %v, want message.attachment_too_large naming scan.pdf and 1000", err)
	}
	if pending(t, a) != before {
		t.Fatal("a refused file queued a command")
	}
	// A comment is the team's own: the channel's limit does not apply.
	if _, err := a.Conversation.SendWithFiles("d1", "comment", "", nil, "", []AttachmentInput{{FileID: big.FileID, Name: big.Name, MIME: big.MIME}}); err != nil {
		t.Fatalf("a comment with the big file: %v", err)
	}

	id, err := a.Conversation.SendWithFiles("d1", "outbound", "Your receipt", nil, "", []AttachmentInput{{FileID: f.FileID, Name: f.Name, MIME: f.MIME}})
	if err != nil {
		t.Fatalf("SendWithFiles offline: %v", err)
	}
	h, _ := a.Conversation.History("d1", 0)
	last := h.Items[len(h.Items)-1].Message
	if last.ID != id || last.Delivery != "pending" || len(last.Attachments) != 1 || last.Attachments[0].Name != "чек <b>1</b>.pdf" ||
		last.Attachments[0].URL != "/files/"+f.FileID || last.Attachments[0].Image {
		t.Fatalf("the pending message = %+v", last)
	}
	a.core.stop() // the operator quits with the upload never done

	// The server refuses a message whose files it lacks (as the team
	// server does): every file must come first.
	b, evb := startAppIn(t, dir, tokens)
	ts.SetDown(false)
	waitFor(t, "both messages at the server", func() bool { return len(ts.Executed()) == 3 })
	if evb.find(EventCommandRejected, func(any) bool { return true }) {
		t.Errorf("a message was refused: it reached the server before its file")
	}
	if got, ok := ts.File(f.FileID); !ok || !bytes.Equal(got, receipt) {
		t.Errorf("the server holds %d bytes of the receipt, want %d", len(got), len(receipt))
	}
	waitFor(t, "an empty outbox", func() bool { return pending(t, b) == 0 })
}

func TestAFileTooLargeForTheServerRejectsItsMessage(t *testing.T) {
	ts := synctest.New(t)
	seedFiles(ts)
	ts.SetMaxFile(100)
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the dialog", func() bool { c, _ := a.Inbox.Counts(); return c["unassigned"] == 1 })
	f := stage(t, a, "photo.png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 300)...))
	waitFor(t, "the upload's failure", func() bool {
		return ev.find(EventFileProgress, func(d any) bool {
			p := d.(FileProgress)
			return p.FileID == f.FileID && p.State == UploadFailed && p.Code == CodeFileTooLarge && p.Args["max"] == "100"
		})
	})
	if _, err := a.Conversation.SendWithFiles("d1", "outbound", "", nil, "", []AttachmentInput{{FileID: f.FileID, Name: f.Name, MIME: f.MIME}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the message rejected here", func() bool {
		return ev.find(EventCommandRejected, func(d any) bool {
			r := d.(CommandRejected)
			return r.Code == CodeFileTooLarge && r.Args["name"] == "photo.png" && r.Args["max"] == "100"
		})
	})
	if len(ts.Executed()) != 0 {
		t.Errorf("the server ran %v", ts.Executed())
	}
	h, _ := a.Conversation.History("d1", 0)
	if len(h.Items) != 0 {
		t.Errorf("the rejected message is still shown: %+v", h.Items)
	}
}

func TestReceivedFilesAreFetchedCheckedAndServedSafely(t *testing.T) {
	ts := synctest.New(t)
	seedFiles(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	html := []byte("<html><script>alert(1)</script></html>")
	pngID, htmlID := ts.PutFile(png), ts.PutFile(html)
	h := a.FileHandler()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	rec := get("/files/" + pngID)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), png) || rec.Header().Get("Content-Type") != "image/png" ||
		rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("the PNG = %d %v", rec.Code, rec.Header())
	}
	rec = get("/files/" + htmlID + "?name=" + "..%2F..%2Fevil%22.html")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/octet-stream" ||
		!strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") || strings.Contains(rec.Header().Get("Content-Disposition"), "/") ||
		!strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("the HTML file = %d %v, want a sandboxed download under a safe name", rec.Code, rec.Header())
	}
	// Cached in the data folder: served with the server down.
	ts.SetDown(true)
	if rec := get("/files/" + pngID); rec.Code != 200 {
		t.Errorf("the cached PNG with the server down = %d", rec.Code)
	}
	ts.SetDown(false)
	// Bytes that are not the ones the id names are never kept or shown.
	forged := strings.Repeat("ab", 32)
	ts.PutFileAs(forged, []byte("not what you asked for"))
	if rec := get("/files/" + forged); rec.Code == 200 {
		t.Errorf("a file whose bytes do not match its id was served")
	}
	if _, ok := a.core.files.has(forged); ok {
		t.Error("a forged file was kept")
	}
	for _, p := range []string{"/files/../replica.db", "/files/" + strings.Repeat("z", 64), "/other"} {
		if rec := get(p); rec.Code != 404 {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	// Signing out takes the files with the replica.
	if err := a.Session.Logout(); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.core.files.has(pngID); ok {
		t.Error("the files stayed after signing out")
	}
}

func TestStagingRefusesPiecesPastTheDeclaredSize(t *testing.T) {
	ts := synctest.New(t)
	seedFiles(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	id, err := a.Files.Begin("a.txt", "text/plain", 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Files.Append(id, base64.StdEncoding.EncodeToString([]byte("four"))); codeOf(err) != CodeBadInput {
		t.Errorf("a piece past the size = %v, want %s", err, CodeBadInput)
	}
	if _, err := a.Files.Finish(id); err == nil {
		t.Error("a copy refused midway could still be finished")
	}
	if _, err := a.Files.Begin("", "text/plain", 3); codeOf(err) != CodeBadInput {
		t.Errorf("a file without a name = %v", err)
	}
	if _, err := a.Conversation.SendWithFiles("d1", "comment", "", nil, "", []AttachmentInput{{FileID: strings.Repeat("0", 64), Name: "x"}}); codeOf(err) != CodeFileMissing {
		t.Errorf("sending a file the app does not hold = %v, want %s", err, CodeFileMissing)
	}
}

func asUI(err error, ue **UIError) bool {
	e, ok := err.(*UIError)
	if ok {
		*ue = e
	}
	return ok
}
