package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
)

// upload posts files (name -> type, bytes) with text as the page does.
func (c *customer) upload(text string, files ...[3]string) (int, []byte) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("text", text)
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+f[0]+`"`)
		h.Set("Content-Type", f[1])
		w, _ := mw.CreatePart(h)
		_, _ = w.Write([]byte(f[2]))
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/api/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *customer) get(path string) (int, []byte, http.Header) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

var png = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x00", 40)

func TestFilesTravelBothWaysThroughTheChat(t *testing.T) {
	in := &inbox{got: make(chan host.InboundEvent, 100)}
	h, addr := hostWithWebchat(t, in.deliver)
	visitor := newCustomer(t, addr)
	visitor.do("POST", "/api/session", map[string]string{"name": "Оксана"})
	in.next(t, "profile")

	hostile := `<img src=x onerror=alert(1)>.html`
	code, body := visitor.upload("Фото чека", [3]string{"чек.png", "image/png", png}, [3]string{hostile, "text/html", "<script>alert(1)</script>"})
	if code != http.StatusCreated {
		t.Fatalf("upload = %d %s", code, body)
	}
	ev := in.next(t, "message")
	atts := ev.Message.Attachments
	if ev.Message.Text != "Фото чека" || len(atts) != 2 || atts[0].Name != "чек.png" || atts[0].MIMEType != "image/png" ||
		atts[0].Size != int64(len(png)) || atts[0].BlobID == "" || atts[1].Name != hostile {
		t.Fatalf("inbound message = %+v, want the text and both files with blob ids", ev.Message)
	}
	// The visitor sees their own files: the image inline, the HTML as a
	// download that is never sniffed or run.
	code, got, hd := visitor.get("/api/files/" + atts[0].BlobID)
	if code != 200 || string(got) != png || hd.Get("Content-Type") != "image/png" || hd.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the visitor's image = %d %s %v", code, hd.Get("Content-Type"), hd)
	}
	code, _, hd = visitor.get("/api/files/" + atts[1].BlobID)
	if code != 200 || hd.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(hd.Get("Content-Disposition"), "attachment") {
		t.Errorf("the visitor's HTML file = %d %v, want a download", code, hd)
	}
	// Another visitor cannot open them by id.
	if code, _, _ := newCustomer(t, addr).get("/api/files/" + atts[0].BlobID); code != http.StatusNotFound {
		t.Errorf("another visitor fetching the file = %d, want 404", code)
	}

	// The operator sends a file back (the blob the host already keeps).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := h.Send(ctx, "site", sdk.OutboundMessage{IdempotencyKey: "r1", ChatID: ev.ChatID, SenderName: "Support",
		Attachments: []sdk.Attachment{{Name: "ответ.png", MIMEType: "image/png", Size: int64(len(png)), BlobID: atts[0].BlobID}}})
	if err != nil {
		t.Fatalf("Send with a file: %v", err)
	}
	hist := visitor.history()
	last := hist[len(hist)-1]
	if last.From != "operator" || len(last.Files) != 1 || last.Files[0].Name != "ответ.png" {
		t.Fatalf("the visitor's last line = %+v, want the operator's file", last)
	}
	if code, got, _ := visitor.get("/api/files/" + last.Files[0].ID); code != 200 || string(got) != png {
		t.Errorf("the operator's file at the visitor = %d, %d bytes", code, len(got))
	}
	// A file over the chat's limit is refused by the plugin too.
	_, err = h.Send(ctx, "site", sdk.OutboundMessage{IdempotencyKey: "r2", ChatID: ev.ChatID,
		Attachments: []sdk.Attachment{{Name: "big.bin", Size: maxFileBytes + 1, BlobID: atts[0].BlobID}}})
	var ce *sdk.ChannelError
	if !errors.As(err, &ce) || ce.Code != "attachment_too_large" {
		t.Errorf("Send of a file over the limit = %v, want attachment_too_large", err)
	}
}

func TestAVisitorsFileOverTheLimitIsRefused(t *testing.T) {
	in := &inbox{got: make(chan host.InboundEvent, 100)}
	_, addr := hostWithWebchat(t, in.deliver)
	visitor := newCustomer(t, addr)
	code, body := visitor.upload("", [3]string{"big.bin", "application/octet-stream", strings.Repeat("x", maxFileBytes+1)})
	var e apiError
	_ = json.Unmarshal(body, &e)
	if code != http.StatusRequestEntityTooLarge || e.Code != "file_too_large" {
		t.Fatalf("upload over the limit = %d %s", code, body)
	}
	if code, body := visitor.upload("   "); code != http.StatusBadRequest {
		t.Errorf("an upload with neither text nor files = %d %s", code, body)
	}
}

func TestDescribeDeclaresTheChatsFileLimits(t *testing.T) {
	d, _ := newConnector().Describe(context.Background())
	if a := d.Capabilities.Attachments; a == nil || a.MaxBytes != maxFileBytes || a.MaxPerMessage != maxFilesPerLine {
		t.Errorf("attachments = %+v, want %d bytes and %d files", a, maxFileBytes, maxFilesPerLine)
	}
}
