package inbox

import (
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"
)

// MaxAttachments bounds the files of one message on any channel; a channel
// may allow fewer (Capabilities.MaxAttachments).
const MaxAttachments = 10

// MaxAttachmentNameRunes bounds an attachment's file name.
const MaxAttachmentNameRunes = 255

// FileReader is a Reader that also knows which files each operator
// uploaded: the server's transaction. Send then accepts only files their
// author uploaded, at their stored size. The desktop's replica cannot
// know, so it skips the check and the server makes it.
type FileReader interface {
	// UploadedFile reports whether operatorID uploaded the file and its
	// size in bytes.
	UploadedFile(fileID, operatorID string) (size int64, ok bool, err error)
}

// ValidFileID reports whether id is a file id: the lower-case hex SHA-256
// of the file's bytes.
func ValidFileID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range id {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// validAttachments checks the shape of a command's attachments.
func validAttachments(atts []Attachment) error {
	if len(atts) > MaxAttachments {
		return &Refusal{Code: "message.attachments_count", Message: fmt.Sprintf("A message holds at most %d files.", MaxAttachments),
			Args: map[string]string{"max": itoa(MaxAttachments)}}
	}
	for _, a := range atts {
		if !ValidFileID(a.BlobID) || strings.TrimSpace(a.Name) == "" || a.Size < 0 ||
			!utf8.ValidString(a.Name) || utf8.RuneCountInString(a.Name) > MaxAttachmentNameRunes || len(a.MIME) > 200 {
			return &Refusal{Code: "message.attachment", Message: "An attachment needs its uploaded file, a name and a size.", Args: map[string]string{"field": "attachments"}}
		}
	}
	return nil
}

// prepareAttachments gives a message's files their ids and, where the
// reader knows the uploads, checks the author uploaded each and takes its
// stored size.
func prepareAttachments(r Reader, messageID, authorID string, atts []Attachment) ([]Attachment, error) {
	if len(atts) == 0 {
		return nil, nil
	}
	out := make([]Attachment, len(atts))
	fr, _ := r.(FileReader)
	for i, a := range atts {
		a.ID = fmt.Sprintf("%s-%d", messageID, i+1)
		a.MIME = BaseType(a.MIME)
		if fr != nil {
			size, ok, err := fr.UploadedFile(a.BlobID, authorID)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, &Refusal{Code: "message.attachment_unknown", Message: "The file " + a.Name + " was not uploaded. Attach it again.",
					Args: map[string]string{"name": a.Name}}
			}
			a.Size = size
		}
		out[i] = a
	}
	return out, nil
}

// BaseType is a MIME type without its parameters, lower-case:
// "audio/webm;codecs=opus" -> "audio/webm". Anything unparsable is
// "application/octet-stream".
func BaseType(t string) string {
	if strings.TrimSpace(t) == "" {
		return "application/octet-stream"
	}
	mt, _, err := mime.ParseMediaType(t)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mt
}

// AcceptsType reports whether the channel takes files of MIME type t: any
// type when it lists none, else a listed type or pattern ("image/*").
func (c Capabilities) AcceptsType(t string) bool {
	if !c.Attachments {
		return false
	}
	if len(c.AttachmentTypes) == 0 {
		return true
	}
	t = BaseType(t)
	for _, p := range c.AttachmentTypes {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == t || p == "*/*" || (strings.HasSuffix(p, "/*") && strings.HasPrefix(t, strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}

// CheckAttachments refuses files the channel would not take: any file on
// a channel without attachments, more files than it allows in one
// message, a file over its size limit or of a type it does not take. The
// refusal names the file and the limit.
func (c Capabilities) CheckAttachments(atts []Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	if !c.Attachments {
		return Refuse("message.attachments_unsupported", "This channel does not take files.")
	}
	if c.MaxAttachments > 0 && len(atts) > c.MaxAttachments {
		return &Refusal{Code: "message.attachments_count", Message: fmt.Sprintf("This channel takes at most %d files in one message.", c.MaxAttachments),
			Args: map[string]string{"max": itoa(int64(c.MaxAttachments))}}
	}
	for _, a := range atts {
		if c.MaxAttachmentBytes > 0 && a.Size > c.MaxAttachmentBytes {
			return &Refusal{Code: "message.attachment_too_large",
				Message: fmt.Sprintf("The file %s is %d bytes; this channel takes files up to %d bytes.", a.Name, a.Size, c.MaxAttachmentBytes),
				Args:    map[string]string{"name": a.Name, "size": itoa(a.Size), "max": itoa(c.MaxAttachmentBytes)}}
		}
		if !c.AcceptsType(a.MIME) {
			return &Refusal{Code: "message.attachment_type",
				Message: fmt.Sprintf("This channel does not take files of type %s (%s).", BaseType(a.MIME), a.Name),
				Args:    map[string]string{"name": a.Name, "type": BaseType(a.MIME), "types": strings.Join(c.AttachmentTypes, ", ")}}
		}
	}
	return nil
}

// channelCapabilities is what a dialog's channel can do; nothing for a
// channel the org does not know.
func channelCapabilities(org *Org, channelID string) Capabilities {
	if ch := org.Channels[channelID]; ch != nil {
		return ch.Capabilities
	}
	return Capabilities{}
}

// MessagePreview is a dialog row's preview of a message: its text, or for
// files alone their names after a paperclip.
func MessagePreview(text string, atts []Attachment) string {
	if strings.TrimSpace(text) != "" || len(atts) == 0 {
		return preview(text)
	}
	names := make([]string, len(atts))
	for i, a := range atts {
		names[i] = a.Name
	}
	return preview("📎 " + strings.Join(names, ", "))
}
