package hosting

import (
	"context"
	"time"

	"switchboard/inbox"
	"switchboard/plugins/sdk"
)

// capabilitiesOf turns what a connector describes into what the channel
// entity keeps, so desktops check edit windows and attachment limits
// offline, before anything is sent.
func capabilitiesOf(c sdk.Capabilities) inbox.Capabilities {
	window := func(d time.Duration) int64 {
		switch {
		case d < 0:
			return -1
		case d == 0:
			return 0
		}
		return max(1, int64(d/time.Second))
	}
	out := inbox.Capabilities{
		EditWindowSeconds: window(c.EditWindow), DeleteWindowSeconds: window(c.DeleteWindow),
		ReplyTo: c.ReplyTo, Typing: c.Typing, ReadReceipts: c.ReadReceipts,
		StartByPhone: c.StartByPhone, EmailThreading: c.EmailThreading,
	}
	if a := c.Attachments; a != nil {
		out.Attachments = true
		out.MaxAttachmentBytes = a.MaxBytes
		if a.MaxBytes <= 0 || a.MaxBytes > sdk.MaxBlobBytes {
			out.MaxAttachmentBytes = sdk.MaxBlobBytes // what a plugin can read
		}
		out.AttachmentTypes = append([]string(nil), a.MIMETypes...)
		out.MaxAttachments = a.MaxPerMessage
		// Voice messages recorded in the app come as WebM or Ogg (Opus) or
		// MP4 (AAC), whatever the webview's recorder makes.
		for _, t := range []string{"audio/webm", "audio/ogg", "audio/mp4"} {
			out.Audio = out.Audio || out.AcceptsType(t)
		}
	}
	return out
}

// recordCapabilities keeps the channel entity's capabilities in step with
// what its running plugin describes, so every desktop knows, offline too,
// whether and how long a sent message may be edited or deleted there.
func (r *Runner) recordCapabilities(ctx context.Context, channelID string) {
	conn, err := r.h.Connector(channelID)
	if err != nil {
		return // not up yet or stopped again; the next start records them
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	desc, err := conn.Describe(ctx)
	if err != nil {
		r.log.Warn("describe running channel", "channel", channelID, "error", err)
		return
	}
	if err := r.cfg.Team.Capabilities(ctx, channelID, capabilitiesOf(desc.Capabilities)); err != nil {
		r.log.Error("record channel capabilities", "channel", channelID, "error", err)
	}
}

// templateOf is the operator's chosen template as the plugin takes it.
func templateOf(t *inbox.ChannelTemplate) *sdk.Template {
	if t == nil {
		return nil
	}
	return &sdk.Template{Name: t.Name, Language: t.Language, Params: append([]string(nil), t.Params...)}
}
