package inbox

import (
	"encoding/json"
	"strings"
	"testing"
)

// uploads is a mem that knows uploaded files, as the server's transaction
// does: file id -> uploader -> size.
type uploads struct {
	*mem
	files map[string]map[string]int64
}

func (u *uploads) UploadedFile(fileID, operatorID string) (int64, bool, error) {
	size, ok := u.files[fileID][operatorID]
	return size, ok, nil
}

var (
	fileA = strings.Repeat("a", 64)
	fileB = strings.Repeat("b", 64)
	fileC = strings.Repeat("c", 64)
)

func attachmentsJSON(atts ...Attachment) string {
	b, _ := json.Marshal(atts)
	return string(b)
}

func TestSendWithAttachments(t *testing.T) {
	// The channel takes images and PDFs up to 1000 bytes, two per message.
	limits := Capabilities{Attachments: true, MaxAttachmentBytes: 1000, AttachmentTypes: []string{"image/*", "application/pdf"}, MaxAttachments: 2}
	photo := Attachment{BlobID: fileA, Name: "photo.jpg", MIME: "image/jpeg", Size: 900}
	invoice := Attachment{BlobID: fileB, Name: "invoice.pdf", MIME: "application/pdf; charset=binary", Size: 10}
	tests := []struct {
		name     string
		caps     Capabilities
		kind     MessageKind
		text     string
		atts     []Attachment
		uploaded map[string]map[string]int64 // nil: a reader that knows no uploads (the desktop)
		want     string
		wantArgs map[string]string
		check    func(t *testing.T, m *Message, d *Dialog)
	}{
		{name: "files within the channel's limits go out with ids and plain types", caps: limits, kind: MsgOutbound, atts: []Attachment{photo, invoice},
			check: func(t *testing.T, m *Message, d *Dialog) {
				if len(m.Attachments) != 2 || m.Attachments[0].ID != "m1-1" || m.Attachments[1].ID != "m1-2" || m.Attachments[1].MIME != "application/pdf" {
					t.Errorf("attachments = %+v, want ids m1-1, m1-2 and the PDF's type without parameters", m.Attachments)
				}
				if d.LastMessageText != "📎 photo.jpg, invoice.pdf" {
					t.Errorf("the dialog's preview = %q, want the file names", d.LastMessageText)
				}
			}},
		{name: "a channel without files refuses any", caps: Capabilities{}, kind: MsgOutbound, atts: []Attachment{photo}, want: "message.attachments_unsupported"},
		{name: "a file over the channel's size names the file and the limit", caps: limits, kind: MsgOutbound,
			atts: []Attachment{{BlobID: fileC, Name: "scan.pdf", MIME: "application/pdf", Size: 1001}},
			want: "message.attachment_too_large", wantArgs: map[string]string{"name": "scan.pdf", "max": "1000", "size": "1001"}},
		{name: "a type the channel does not take is refused", caps: limits, kind: MsgOutbound,
			atts: []Attachment{{BlobID: fileC, Name: "song.mp3", MIME: "audio/mpeg", Size: 5}},
			want: "message.attachment_type", wantArgs: map[string]string{"name": "song.mp3", "type": "audio/mpeg"}},
		{name: "more files than the channel takes at once are refused", caps: limits, kind: MsgOutbound,
			atts: []Attachment{photo, invoice, {BlobID: fileC, Name: "c.png", MIME: "image/png", Size: 1}}, want: "message.attachments_count", wantArgs: map[string]string{"max": "2"}},
		{name: "a comment carries files the channel would refuse: it never leaves the team", caps: Capabilities{}, kind: MsgComment,
			atts: []Attachment{{BlobID: fileC, Name: "big.zip", MIME: "application/zip", Size: 1 << 30}}},
		{name: "a file id that is not a SHA-256 is refused", caps: limits, kind: MsgOutbound,
			atts: []Attachment{{BlobID: "../../etc/passwd", Name: "x.png", MIME: "image/png", Size: 1}}, want: "message.attachment"},
		{name: "a name past 255 characters is refused", caps: limits, kind: MsgOutbound,
			atts: []Attachment{{BlobID: fileA, Name: strings.Repeat("я", 256), MIME: "image/png", Size: 1}}, want: "message.attachment"},
		{name: "a file the author did not upload is refused by the server", caps: limits, kind: MsgOutbound, atts: []Attachment{photo},
			uploaded: map[string]map[string]int64{fileA: {"oleg": 900}}, want: "message.attachment_unknown", wantArgs: map[string]string{"name": "photo.jpg"}},
		{name: "the server takes the stored size, not the claimed one", caps: limits, kind: MsgOutbound,
			atts: []Attachment{{BlobID: fileA, Name: "photo.jpg", MIME: "image/jpeg", Size: 1}}, uploaded: map[string]map[string]int64{fileA: {"anna": 5000}},
			want: "message.attachment_too_large", wantArgs: map[string]string{"name": "photo.jpg", "size": "5000", "max": "1000"}},
		{name: "text with an uploaded file goes out", caps: limits, kind: MsgOutbound, text: "Your invoice", atts: []Attachment{invoice},
			uploaded: map[string]map[string]int64{fileB: {"anna": 10}},
			check: func(t *testing.T, m *Message, d *Dialog) {
				if m.Attachments[0].Size != 10 || d.LastMessageText != "Your invoice" {
					t.Errorf("attachment %+v, preview %q", m.Attachments[0], d.LastMessageText)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, "anna")
			m.org.Channels["tg"].Capabilities = tc.caps
			var r Reader = m
			if tc.uploaded != nil {
				r = &uploads{mem: m, files: tc.uploaded}
			}
			payload, _ := json.Marshal(map[string]any{"messageId": "m1", "dialogId": id, "kind": tc.kind, "text": tc.text,
				"attachments": json.RawMessage(attachmentsJSON(tc.atts...))})
			cmd, err := DecodeCommand("message.send", payload)
			var o *Outcome
			if err == nil {
				o, err = cmd.Execute(r, m.env("anna", t0))
			}
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("message.send = %q (%v), want %q", got, err, tc.want)
			}
			if ref, ok := AsRefusal(err); ok {
				for k, v := range tc.wantArgs {
					if ref.Args[k] != v {
						t.Errorf("refusal arg %s = %q, want %q (args %v)", k, ref.Args[k], v, ref.Args)
					}
				}
			}
			if tc.check != nil && o != nil {
				tc.check(t, o.Messages[0], o.Dialogs[0])
			}
		})
	}
}

func TestAcceptsType(t *testing.T) {
	tests := []struct {
		types []string
		typ   string
		want  bool
	}{
		{nil, "application/x-anything", true},
		{[]string{"image/*"}, "image/png", true},
		{[]string{"image/*"}, "imagex/png", false},
		{[]string{"audio/ogg", "audio/webm"}, "audio/webm;codecs=opus", true},
		{[]string{"audio/ogg"}, "AUDIO/OGG", true},
		{[]string{"application/pdf"}, "", false},
	}
	for _, tc := range tests {
		c := Capabilities{Attachments: true, AttachmentTypes: tc.types}
		if got := c.AcceptsType(tc.typ); got != tc.want {
			t.Errorf("AcceptsType(%v, %q) = %v, want %v", tc.types, tc.typ, got, tc.want)
		}
	}
	if (Capabilities{}).AcceptsType("image/png") {
		t.Error("a channel without attachments accepts a type")
	}
}

func TestInboundAttachmentsGetIDsAndAPreview(t *testing.T) {
	m := newMem()
	o := m.must(t, "", t0, "inbound.message", `{"channelId":"tg","externalId":"x1","contact":{"externalId":"c9"},"text":"",`+
		`"attachments":[{"blobId":"`+fileA+`","name":"<img src=x onerror=alert(1)>.png","mime":"image/png","size":3}]}`)
	msg := o.Messages[0]
	if len(msg.Attachments) != 1 || msg.Attachments[0].ID != msg.ID+"-1" {
		t.Fatalf("inbound attachments = %+v, want one with id %s-1", msg.Attachments, msg.ID)
	}
	if got := o.Dialogs[0].LastMessageText; got != "📎 <img src=x onerror=alert(1)>.png" {
		t.Errorf("preview = %q", got)
	}
}
