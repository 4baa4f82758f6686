package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/plugins/sdk"
)

// sentRecord is what the connector keeps of an operator's message: the
// WhatsApp messages it became (a long text is split, every file is a
// message of its own), so a retried Send resumes instead of repeating.
type sentRecord struct {
	Chat  string   `json:"chat"`
	IDs   []string `json:"ids"`
	Parts int      `json:"parts"`
}

func loadRecord(ctx context.Context, h sdk.Host, key string) (sentRecord, bool, error) {
	raw, ok, err := h.StateGet(ctx, key)
	if err != nil || !ok {
		return sentRecord{}, false, err
	}
	var r sentRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return sentRecord{}, false, fmt.Errorf("sent record %s: %w", key, err)
	}
	return r, true, nil
}

var nonDigits = regexp.MustCompile(`[\s()+.-]`)

// normalisePhone turns "+7 (916) 123-45-67" into the digits WhatsApp
// calls a wa_id, or "" when it is no international number.
func normalisePhone(s string) string {
	d := nonDigits.ReplaceAllString(strings.TrimSpace(s), "")
	if len(d) < 8 || len(d) > 15 || strings.Trim(d, "0123456789") != "" || d[0] == '0' {
		return ""
	}
	return d
}

// chatOf is the customer an outbound message goes to: its chat, or the
// phone number of a dialog the operator starts.
func chatOf(m sdk.OutboundMessage) (string, error) {
	raw := m.ChatID
	if raw == "" {
		raw = m.Phone
	}
	if raw == "" {
		return "", &sdk.ChannelError{Code: "chat_unknown", Message: "a message needs a chat or a phone number"}
	}
	waID := normalisePhone(raw)
	if waID == "" {
		return "", &sdk.ChannelError{Code: "phone_invalid",
			Message: fmt.Sprintf("%q is not an international phone number (country code first, 8 to 15 digits)", raw)}
	}
	return waID, nil
}

// part is one WhatsApp message of an operator's message.
type part struct {
	text string
	att  *sdk.Attachment
}

// plan splits an operator's message: text in pieces of at most 4096
// characters; each file a message, the first carrying the text as its
// caption when it fits in 1024 and its kind takes captions.
func plan(text string, atts []sdk.Attachment) []part {
	var parts []part
	caption := ""
	if len(atts) > 0 && utf8.RuneCountInString(text) <= maxCaption && takesCaption(mediaKind(atts[0].MIMEType, atts[0].Size)) {
		caption, text = text, ""
	}
	for _, chunk := range splitText(text, maxTextRunes) {
		parts = append(parts, part{text: chunk})
	}
	for i := range atts {
		p := part{att: &atts[i]}
		if i == 0 {
			p.text = caption
		}
		parts = append(parts, p)
	}
	return parts
}

// splitText cuts text into pieces of at most limit characters, at a line
// break or space where one is near.
func splitText(text string, limit int) []string {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	var out []string
	rs := []rune(text)
	for len(rs) > limit {
		cut := limit
		for i := limit; i > limit*3/4; i-- {
			if rs[i] == '\n' || rs[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(rs[:cut]))
		rs = rs[cut:]
	}
	return append(out, string(rs))
}

// mediaKind is the message type a file goes as, within the Cloud API's
// supported types and sizes: JPEG/PNG photos to 5 MB, audio and MP4/3GPP
// video to 16 MB, anything else as a document.
func mediaKind(mimeType string, size int64) string {
	base, _, _ := strings.Cut(mimeType, ";")
	switch base = strings.TrimSpace(base); {
	case (base == "image/jpeg" || base == "image/png") && size <= 5<<20:
		return "image"
	case (base == "audio/aac" || base == "audio/amr" || base == "audio/mpeg" || base == "audio/mp4" || base == "audio/ogg") && size <= 16<<20:
		return "audio"
	case (base == "video/mp4" || base == "video/3gpp") && size <= 16<<20:
		return "video"
	}
	return "document"
}

func takesCaption(kind string) bool { return kind != "audio" && kind != "sticker" }

// Send delivers an operator's message. Free text and files go only within
// the customer service window (24 hours from the customer's last
// message); outside it, or to start a dialog, only an approved template.
// It is idempotent on the key: a message sent before comes back with its
// id, one sent in part resumes after the parts that went out.
func (c *connector) Send(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	g, h, _, cfg, err := c.state()
	if err != nil {
		return sdk.SendResult{}, err
	}
	to, err := chatOf(m)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if m.IdempotencyKey == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "idempotency_key_missing", Message: "a message needs an idempotency key"}
	}
	text := m.Text
	if cfg.SignMessages && m.Template == nil && strings.TrimSpace(m.SenderName) != "" {
		text = strings.TrimLeft(strings.TrimRight(text, " \n")+"\n\n— "+strings.TrimSpace(m.SenderName), "\n")
	}
	var parts []part
	if m.Template != nil {
		if strings.TrimSpace(m.Template.Name) == "" || strings.TrimSpace(m.Template.Language) == "" {
			return sdk.SendResult{}, &sdk.ChannelError{Code: "template_invalid", Message: "a template needs its name and language code"}
		}
		if len(m.Attachments) > 0 {
			return sdk.SendResult{}, &sdk.ChannelError{Code: "template_invalid", Message: "files cannot go with a template; send them once the customer answers"}
		}
		parts = []part{{}}
	} else {
		switch {
		case strings.TrimSpace(text) == "" && len(m.Attachments) == 0:
			return sdk.SendResult{}, &sdk.ChannelError{Code: "message_empty", Message: "a message needs text or a file"}
		case len(m.Attachments) > maxAttachments:
			return sdk.SendResult{}, &sdk.ChannelError{Code: "too_many_attachments", Message: fmt.Sprintf("at most %d files per message", maxAttachments)}
		}
		parts = plan(text, m.Attachments)
	}
	unlock := c.sends.lock(m.IdempotencyKey)
	defer unlock()
	key := "sent/" + m.IdempotencyKey
	rec, found, err := loadRecord(ctx, h, key)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if found && len(rec.IDs) >= rec.Parts {
		return sdk.SendResult{ExternalID: rec.IDs[0], State: sdk.DeliverySent}, nil
	}
	if m.Template == nil {
		if err := c.checkWindow(ctx, h, to); err != nil {
			return sdk.SendResult{}, err
		}
	}
	if !found {
		rec = sentRecord{Chat: to, Parts: len(parts)}
	}
	replyTo := m.ReplyToExternalID
	for i := len(rec.IDs); i < len(parts) && i < rec.Parts; i++ {
		var id string
		if m.Template != nil {
			id, err = c.sendTemplate(ctx, g, to, m.Template)
		} else {
			id, err = c.sendPart(ctx, g, h, to, parts[i], replyTo)
		}
		c.setAPIErr(err)
		if err != nil {
			return sdk.SendResult{}, channelError(err)
		}
		replyTo = "" // the first part answers; the rest follow it
		rec.IDs = append(rec.IDs, id)
		raw, _ := json.Marshal(rec)
		if err := h.StatePut(ctx, key, raw); err != nil {
			return sdk.SendResult{}, fmt.Errorf("send: record the sent message: %w", err)
		}
	}
	return sdk.SendResult{ExternalID: rec.IDs[0], State: sdk.DeliverySent}, nil
}

// checkWindow refuses free-form messages outside the customer service
// window, before WhatsApp would fail them (131047) after the fact.
func (c *connector) checkWindow(ctx context.Context, h sdk.Host, waID string) error {
	last, err := lastMessage(ctx, h, waID)
	if err != nil {
		return err
	}
	if last.IsZero() {
		return &sdk.ChannelError{Code: "outside_service_window",
			Message: "this customer has not written to the business number yet; WhatsApp allows only an approved template to start a conversation"}
	}
	if since := time.Since(last); since > serviceWindow {
		return &sdk.ChannelError{Code: "outside_service_window",
			Message: fmt.Sprintf("the customer last wrote %s ago; WhatsApp allows free messages only within 24 hours of that, so send an approved template until they write again",
				since.Truncate(time.Hour))}
	}
	return nil
}

type sendResponse struct {
	Contacts []struct {
		WaID string `json:"wa_id"`
	} `json:"contacts"`
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
}

func (c *connector) post(ctx context.Context, g *graph, op string, body map[string]any) (string, error) {
	body["messaging_product"] = "whatsapp"
	body["recipient_type"] = "individual"
	var resp sendResponse
	if err := g.call(ctx, op, "POST", g.phoneID+"/messages", jsonBody(body), &resp); err != nil {
		return "", err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		return "", &graphError{op: op, status: 200, Message: "the answer names no message id"}
	}
	return resp.Messages[0].ID, nil
}

func (c *connector) sendTemplate(ctx context.Context, g *graph, to string, t *sdk.Template) (string, error) {
	tpl := map[string]any{"name": t.Name, "language": map[string]string{"code": t.Language}}
	if len(t.Params) > 0 {
		params := make([]map[string]string, len(t.Params))
		for i, p := range t.Params {
			params[i] = map[string]string{"type": "text", "text": p}
		}
		tpl["components"] = []map[string]any{{"type": "body", "parameters": params}}
	}
	return c.post(ctx, g, "send template", map[string]any{"to": to, "type": "template", "template": tpl})
}

// sendPart sends one WhatsApp message: text, or a file uploaded to the
// /media node first (or passed by link).
func (c *connector) sendPart(ctx context.Context, g *graph, h sdk.Host, to string, p part, replyTo string) (string, error) {
	body := map[string]any{"to": to}
	if replyTo != "" {
		body["context"] = map[string]string{"message_id": replyTo}
	}
	if p.att == nil {
		body["type"] = "text"
		body["text"] = map[string]any{"body": p.text, "preview_url": false}
		return c.post(ctx, g, "send text", body)
	}
	att := *p.att
	obj := map[string]any{}
	if att.BlobID != "" {
		b, err := h.BlobGet(ctx, att.BlobID)
		if err != nil {
			return "", fmt.Errorf("send: attachment %s: %w", att.BlobID, err)
		}
		att.Name, att.MIMEType, att.Size = firstOf(att.Name, b.Name), firstOf(att.MIMEType, b.MIMEType, "application/octet-stream"), int64(len(b.Data))
		if att.Size > maxMediaBytes {
			return "", &sdk.ChannelError{Code: "attachment_too_large", Message: fmt.Sprintf("%d bytes; WhatsApp takes files up to 100 MB", att.Size)}
		}
		if att.Name == "" {
			att.Name = "file" + extFor(att.MIMEType)
		}
		var up struct {
			ID string `json:"id"`
		}
		fields := map[string]string{"messaging_product": "whatsapp", "type": att.MIMEType}
		if err := g.call(ctx, "upload media", "POST", g.phoneID+"/media", fileBody(fields, att.Name, att.MIMEType, b.Data), &up); err != nil {
			return "", err
		}
		obj["id"] = up.ID
	} else if att.URL != "" {
		obj["link"] = att.URL
	} else {
		return "", &sdk.ChannelError{Code: "attachment_missing", Message: "an attachment has neither content nor a URL"}
	}
	kind := mediaKind(att.MIMEType, att.Size)
	if p.text != "" && takesCaption(kind) {
		obj["caption"] = p.text
	}
	if kind == "document" && att.Name != "" {
		obj["filename"] = att.Name
	}
	body["type"] = kind
	body[kind] = obj
	return c.post(ctx, g, "send "+kind, body)
}

// MarkRead tells the customer their message was read (the blue ticks);
// WhatsApp marks every earlier message of the chat read with it.
func (c *connector) MarkRead(ctx context.Context, chatID, upTo string) error {
	g, _, _, _, err := c.state()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(upTo, "wamid.") {
		return &sdk.ChannelError{Code: "message_unknown", Message: fmt.Sprintf("%q is not a WhatsApp message id", upTo)}
	}
	err = g.call(ctx, "mark read", "POST", g.phoneID+"/messages",
		jsonBody(map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": upTo}), nil)
	c.setAPIErr(err)
	return channelError(err)
}

// CheckContact says whether a dialog can be started with a phone number.
// The Cloud API has no look-up of numbers (the On-Premises API's
// /contacts is gone): a number is taken as reachable unless a message to
// it has failed with 131026 (not on WhatsApp) since the customer last
// wrote. The chat id is the number as WhatsApp writes it.
func (c *connector) CheckContact(ctx context.Context, q sdk.ContactQuery) (sdk.ContactResult, error) {
	_, h, _, _, err := c.state()
	if err != nil {
		return sdk.ContactResult{}, err
	}
	waID := normalisePhone(q.Phone)
	if waID == "" {
		return sdk.ContactResult{}, &sdk.ChannelError{Code: "phone_invalid",
			Message: fmt.Sprintf("%q is not an international phone number (country code first, 8 to 15 digits)", q.Phone)}
	}
	_, undeliverable, err := h.StateGet(ctx, "undeliverable/"+waID)
	if err != nil {
		return sdk.ContactResult{}, err
	}
	return sdk.ContactResult{Reachable: !undeliverable, ChatID: waID}, nil
}
