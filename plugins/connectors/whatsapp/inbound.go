package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"strconv"
	"strings"
	"time"

	"switchboard/plugins/sdk"
)

// The notification types hold only what the connector reads
// (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components);
// everything else is ignored, so a field Meta adds cannot make a
// notification unreadable.

type notification struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string      `json:"field"`
			Value changeValue `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type changeValue struct {
	Metadata struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []waMessage `json:"messages"`
	Statuses []waStatus  `json:"statuses"`
	Errors   []waError   `json:"errors"`
}

type waMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
	Voice    bool   `json:"voice"`
	Animated bool   `json:"animated"`
}

type waMessage struct {
	From      string `json:"from"`
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Type      string `json:"type"`
	Context   *struct {
		From      string `json:"from"`
		ID        string `json:"id"`
		Forwarded bool   `json:"forwarded"`
	} `json:"context"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *waMedia `json:"image"`
	Document *waMedia `json:"document"`
	Audio    *waMedia `json:"audio"`
	Video    *waMedia `json:"video"`
	Sticker  *waMedia `json:"sticker"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Name      string  `json:"name"`
		Address   string  `json:"address"`
	} `json:"location"`
	Contacts []struct {
		Name struct {
			FormattedName string `json:"formatted_name"`
		} `json:"name"`
		Phones []struct {
			Phone string `json:"phone"`
		} `json:"phones"`
	} `json:"contacts"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Button *struct {
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	System *struct {
		Body    string `json:"body"`
		NewWaID string `json:"new_wa_id"`
		Type    string `json:"type"`
	} `json:"system"`
	Errors []waError `json:"errors"`
}

type waStatus struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	Timestamp   string    `json:"timestamp"`
	RecipientID string    `json:"recipient_id"`
	Errors      []waError `json:"errors"`
}

type waError struct {
	Code      int    `json:"code"`
	Title     string `json:"title"`
	Message   string `json:"message"`
	ErrorData struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Now().UTC()
	}
	return time.Unix(n, 0).UTC()
}

// media returns the message's file, if it has one.
func (m *waMessage) media() *waMedia {
	for _, f := range []*waMedia{m.Image, m.Document, m.Audio, m.Video, m.Sticker} {
		if f != nil {
			return f
		}
	}
	return nil
}

// messageEvent turns a customer's message into an event; files are
// fetched into the host's blobs. A nil event with no error is a message
// the connector does not pass on.
func (c *connector) messageEvent(ctx context.Context, g *graph, h sdk.Host, m *waMessage, name string) (*sdk.Event, error) {
	from := sdk.Contact{ExternalID: m.From, DisplayName: name, Phone: "+" + m.From}
	ev := &sdk.Event{ChatID: m.From, OccurredAt: unixTime(m.Timestamp)}
	action := func(kind string, details map[string]string) (*sdk.Event, error) {
		ev.Action = &sdk.Action{Contact: from, Action: kind, Details: details}
		return ev, nil
	}
	msg := &sdk.Message{ExternalID: m.ID, From: from}
	if m.Context != nil && m.Context.ID != "" {
		msg.ReplyToExternalID = m.Context.ID
	}
	switch m.Type {
	case "text":
		if m.Text != nil {
			msg.Text = m.Text.Body
		}
	case "image", "document", "audio", "video", "sticker":
		f := m.media()
		if f == nil {
			return nil, fmt.Errorf("a %s message without its %s object", m.Type, m.Type)
		}
		msg.Text = f.Caption
		att, err := c.fetchMedia(ctx, g, h, m.Type, f)
		switch {
		case err == nil:
			msg.Attachments = []sdk.Attachment{att}
		case transient(err):
			return nil, err // Meta sends the notification again
		default:
			// WhatsApp refuses the file for good (gone, too large): the
			// message is kept, saying what is missing, rather than lost.
			c.log(ctx, sdk.LogWarn, "a customer's file could not be fetched; the message is stored without it",
				map[string]string{"type": m.Type, "code": codeOf(err)})
			msg.Text = strings.TrimLeft(msg.Text+"\n["+m.Type+" not available from WhatsApp]", "\n")
		}
	case "location":
		if l := m.Location; l != nil {
			parts := []string{}
			for _, s := range []string{l.Name, l.Address} {
				if s != "" {
					parts = append(parts, s)
				}
			}
			parts = append(parts, fmt.Sprintf("https://maps.google.com/?q=%.6f,%.6f", l.Latitude, l.Longitude))
			msg.Text = "📍 " + strings.Join(parts, "\n")
		}
	case "contacts":
		var lines []string
		for _, ct := range m.Contacts {
			line := ct.Name.FormattedName
			for _, p := range ct.Phones {
				line += " " + p.Phone
			}
			lines = append(lines, "👤 "+strings.TrimSpace(line))
		}
		msg.Text = strings.Join(lines, "\n")
	case "button":
		if m.Button != nil {
			msg.Text = m.Button.Text
		}
	case "interactive":
		if i := m.Interactive; i != nil {
			switch {
			case i.ButtonReply != nil:
				msg.Text = i.ButtonReply.Title
			case i.ListReply != nil:
				msg.Text = i.ListReply.Title
			}
		}
	case "reaction":
		if m.Reaction == nil {
			return nil, nil
		}
		return action("reaction", map[string]string{"message_id": m.Reaction.MessageID, "emoji": m.Reaction.Emoji})
	case "system":
		if m.System != nil && m.System.Type == "user_changed_number" {
			return action("changed_number", map[string]string{"new_wa_id": m.System.NewWaID})
		}
		return nil, nil
	default: // unsupported, unknown: WhatsApp keeps the content to itself
		details := map[string]string{"type": m.Type}
		if len(m.Errors) > 0 {
			details["code"] = strconv.Itoa(m.Errors[0].Code)
			details["title"] = m.Errors[0].Title
		}
		return action("unsupported_message", details)
	}
	if msg.Text == "" && len(msg.Attachments) == 0 {
		return nil, nil
	}
	ev.Message = msg
	return ev, nil
}

// transient says a failure may pass: WhatsApp out of reach or asking to
// slow down, or the host's own trouble; anything the Graph API refused
// outright will not.
func transient(err error) bool {
	var ge *graphError
	if !errors.As(err, &ge) {
		return true
	}
	switch codeFor(ge) {
	case "channel_unreachable", "channel_unavailable", "rate_limited", "token_invalid":
		return true
	}
	return false
}

// maxMediaBytes is the largest file the Cloud API carries (documents).
const maxMediaBytes = 100 << 20

// fetchMedia downloads a customer's file (GET /<MEDIA_ID> for its URL,
// then the URL with the token) into a blob, checking its SHA-256.
func (c *connector) fetchMedia(ctx context.Context, g *graph, h sdk.Host, kind string, f *waMedia) (sdk.Attachment, error) {
	var meta struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
		SHA256   string `json:"sha256"`
	}
	if err := g.call(ctx, "media url", "GET", f.ID, nil, &meta); err != nil {
		return sdk.Attachment{}, err
	}
	var data []byte
	if err := g.call(ctx, "media download", "GET", meta.URL, nil, &data); err != nil {
		return sdk.Attachment{}, err
	}
	sum := sha256.Sum256(data)
	if want := firstOf(f.SHA256, meta.SHA256); want != "" && !strings.EqualFold(want, hex.EncodeToString(sum[:])) {
		return sdk.Attachment{}, &graphError{op: "media download", status: 200, Message: "the file's SHA-256 differs from the notification's"}
	}
	mt := firstOf(f.MimeType, meta.MimeType, "application/octet-stream")
	name := f.Filename
	if name == "" {
		name = kind + extFor(mt)
	}
	id, err := h.BlobPut(ctx, sdk.Blob{Name: name, MIMEType: mt, Data: data})
	if err != nil {
		return sdk.Attachment{}, fmt.Errorf("store %s: %w", kind, err)
	}
	return sdk.Attachment{Name: name, MIMEType: mt, Size: int64(len(data)), BlobID: id}, nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// extFor is a file extension for a MIME type ("; codecs=opus" aside).
func extFor(mt string) string {
	base, _, _ := strings.Cut(mt, ";")
	switch strings.TrimSpace(base) {
	case "image/jpeg":
		return ".jpg"
	case "audio/ogg":
		return ".ogg"
	case "audio/mpeg":
		return ".mp3"
	}
	if exts, _ := mime.ExtensionsByType(strings.TrimSpace(base)); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// statusEvent turns a status of an operator's message into a delivery
// event; statuses the connector does not know are skipped.
func statusEvent(s *waStatus) *sdk.Event {
	d := &sdk.Delivery{ExternalID: s.ID}
	switch s.Status {
	case "sent":
		d.State = sdk.DeliverySent
	case "delivered":
		d.State = sdk.DeliveryDelivered
	case "read", "played":
		d.State = sdk.DeliveryRead
	case "failed":
		d.State = sdk.DeliveryFailed
		d.Reason = "WhatsApp did not deliver the message"
		if len(s.Errors) > 0 {
			e := s.Errors[0]
			ge := &graphError{op: "delivery", Code: e.Code, Message: firstOf(e.Title, e.Message)}
			ge.Data.Details = e.ErrorData.Details
			d.Reason = channelError(ge).Error()
			if code := codeFor(ge); code != "" {
				d.Reason = code + ": " + strings.TrimPrefix(d.Reason, "channel: "+code+": ")
			}
		}
	default:
		return nil
	}
	return &sdk.Event{ChatID: s.RecipientID, OccurredAt: unixTime(s.Timestamp), Delivery: d}
}
