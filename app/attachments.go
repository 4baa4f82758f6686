package app

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// AttachmentInput is a file the composer attaches: one the app holds
// (Files.Finish), with the name and type to send it under.
type AttachmentInput struct {
	FileID string `json:"fileId"`
	Name   string `json:"name"`
	MIME   string `json:"mime"`
}

// AttachmentView is a file on a message. URL serves it to the window
// (FileHandler); Image says it is shown in place, Audio that it plays.
type AttachmentView struct {
	ID     string `json:"id"`
	FileID string `json:"fileId"`
	Name   string `json:"name"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
	URL    string `json:"url"`
	Image  bool   `json:"image"`
	Audio  bool   `json:"audio"`
}

// FileLimits is what the dialog's channel takes in a reply, for the
// composer to check before anything is sent.
type FileLimits struct {
	Accepts  bool     `json:"accepts"`
	MaxBytes int64    `json:"maxBytes"` // 0: no channel limit
	Types    []string `json:"types"`    // empty: any
	MaxCount int      `json:"maxCount"` // 0: no channel limit
	Audio    bool     `json:"audio"`    // voice messages
}

func fileLimits(c inbox.Capabilities) FileLimits {
	types := c.AttachmentTypes
	if types == nil {
		types = []string{}
	}
	return FileLimits{Accepts: c.Attachments, MaxBytes: c.MaxAttachmentBytes, Types: types, MaxCount: c.MaxAttachments, Audio: c.Audio}
}

func attachmentViews(atts []inbox.Attachment) []AttachmentView {
	out := make([]AttachmentView, 0, len(atts))
	for _, a := range atts {
		mt := inbox.BaseType(a.MIME)
		out = append(out, AttachmentView{ID: a.ID, FileID: a.BlobID, Name: a.Name, MIME: mt, Size: a.Size,
			URL:   "/files/" + a.BlobID,
			Image: mt == "image/png" || mt == "image/jpeg" || mt == "image/gif" || mt == "image/webp",
			Audio: strings.HasPrefix(mt, "audio/")})
	}
	return out
}

// attachments checks the composer's files: each held here, named, and,
// for a reply, within the channel's limits (refused with the file and the
// limit named, before anything is queued).
func (s *Conversation) attachments(ctx context.Context, rp *replica.Replica, d *inbox.Dialog, k inbox.MessageKind, msgID string, files []AttachmentInput) ([]inbox.Attachment, error) {
	if len(files) == 0 {
		return nil, nil
	}
	if len(files) > inbox.MaxAttachments {
		e := uiError("message.attachments_count", "", nil)
		e.Args = map[string]string{"max": fmt.Sprint(inbox.MaxAttachments)}
		return nil, e
	}
	atts := make([]inbox.Attachment, 0, len(files))
	for i, f := range files {
		name := strings.TrimSpace(f.Name)
		size, ok := s.c.files.has(f.FileID)
		if !ok {
			e := uiError(CodeFileMissing, "", nil)
			e.Args = map[string]string{"name": name}
			return nil, e
		}
		if name == "" || utf8.RuneCountInString(name) > inbox.MaxAttachmentNameRunes {
			return nil, uiError(CodeBadInput, "a file needs a name of up to 255 characters", nil)
		}
		atts = append(atts, inbox.Attachment{ID: fmt.Sprintf("%s-%d", msgID, i+1), BlobID: f.FileID, Name: name,
			MIME: inbox.BaseType(f.MIME), Size: size})
	}
	if k != inbox.MsgOutbound {
		return atts, nil // the team's own: no channel limits
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return nil, toUI(err)
	}
	var caps inbox.Capabilities
	if ch := org.Channels[d.ChannelID]; ch != nil {
		caps = ch.Capabilities
	}
	if err := caps.CheckAttachments(atts); err != nil {
		ref, _ := inbox.AsRefusal(err)
		e := uiError(ref.Code, ref.Message, nil)
		e.Args = ref.Args
		return nil, e
	}
	return atts, nil
}
