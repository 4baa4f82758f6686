package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"switchboard/plugins/sdk"
)

// sentRecord is what the connector keeps of an operator's message: the
// Telegram messages it became (a long text is split, each attachment is a
// message of its own), so a retried Send resumes instead of repeating and
// Edit and Delete reach every part.
type sentRecord struct {
	Chat    string `json:"chat"`
	IDs     []int  `json:"ids"`
	Parts   int    `json:"parts"`
	Caption bool   `json:"caption"` // the first message carries the text as a caption
	At      int64  `json:"at"`
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

func saveRecord(ctx context.Context, h sdk.Host, r sentRecord, keys ...string) error {
	raw, _ := json.Marshal(r)
	for _, k := range keys {
		if err := h.StatePut(ctx, k, raw); err != nil {
			return err
		}
	}
	return nil
}

// part is one Telegram message of an operator's message.
type part struct {
	text string
	att  *sdk.Attachment
}

// plan splits an operator's message into Telegram messages: text in pieces
// of at most 4096 characters; each attachment a message, the first with
// the text as its caption when it fits in 1024.
func plan(text string, atts []sdk.Attachment) []part {
	var parts []part
	caption := ""
	if len(atts) > 0 && utf8.RuneCountInString(text) <= maxCaption {
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

// Send delivers an operator's message. It is idempotent on the key: a
// message sent before comes back with its id, one sent in part resumes
// after the parts that went out. The answer's state is "sent": a bot
// learns nothing of delivery or reading.
func (c *connector) Send(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	a, h, cfg, err := c.state()
	if err != nil {
		return sdk.SendResult{}, err
	}
	chatID, business, err := parseChat(m.ChatID)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if m.IdempotencyKey == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "idempotency_key_missing", Message: "a message needs an idempotency key"}
	}
	text := m.Text
	if cfg.SignMessages && strings.TrimSpace(m.SenderName) != "" {
		text = strings.TrimLeft(strings.TrimRight(text, " \n")+"\n\n— "+strings.TrimSpace(m.SenderName), "\n")
	}
	switch {
	case strings.TrimSpace(text) == "" && len(m.Attachments) == 0:
		return sdk.SendResult{}, &sdk.ChannelError{Code: "message_empty", Message: "a message needs text or an attachment"}
	case len(m.Attachments) > 10:
		return sdk.SendResult{}, &sdk.ChannelError{Code: "too_many_attachments", Message: "at most 10 attachments per message"}
	}
	unlock := c.sends.lock(m.IdempotencyKey)
	defer unlock()
	key := "sent/" + m.IdempotencyKey
	rec, found, err := loadRecord(ctx, h, key)
	if err != nil {
		return sdk.SendResult{}, err
	}
	parts := plan(text, m.Attachments)
	if !found {
		rec = sentRecord{Chat: m.ChatID, Parts: len(parts), At: time.Now().Unix()}
	}
	replyTo := 0
	if chat, id, err := parseMessage(m.ReplyToExternalID); err == nil && chat == m.ChatID {
		replyTo = id
	}
	for i := len(rec.IDs); i < len(parts) && i < rec.Parts; i++ {
		id, err := c.sendPart(ctx, a, h, chatID, business, parts[i], replyTo)
		if err != nil {
			return sdk.SendResult{}, channelError(err)
		}
		replyTo = 0 // the first part answers; the rest follow it
		rec.IDs = append(rec.IDs, id)
		if i == 0 {
			rec.Caption = parts[0].att != nil && parts[0].text != ""
		}
		if err := saveRecord(ctx, h, rec, key, "msg/"+messageRef(m.ChatID, rec.IDs[0])); err != nil {
			return sdk.SendResult{}, fmt.Errorf("send: record the sent message: %w", err)
		}
	}
	return sdk.SendResult{ExternalID: messageRef(m.ChatID, rec.IDs[0]), State: sdk.DeliverySent}, nil
}

// sendPart sends one Telegram message and returns its id.
func (c *connector) sendPart(ctx context.Context, a *api, h sdk.Host, chatID int64, business string, p part, replyTo int) (int, error) {
	var rp *models.ReplyParameters
	if replyTo != 0 {
		rp = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
	}
	var msg *models.Message
	if p.att == nil {
		err := a.call(ctx, "sendMessage", func(ctx context.Context) (err error) {
			msg, err = a.bot.SendMessage(ctx, &bot.SendMessageParams{BusinessConnectionID: business, ChatID: chatID, Text: p.text, ReplyParameters: rp})
			return err
		})
		if err != nil {
			return 0, err
		}
		return msg.ID, nil
	}
	att := *p.att
	var data []byte
	if att.BlobID != "" {
		b, err := h.BlobGet(ctx, att.BlobID)
		if err != nil {
			return 0, fmt.Errorf("send: attachment %s: %w", att.BlobID, err)
		}
		data = b.Data
		if att.Name == "" {
			att.Name = b.Name
		}
		if att.MIMEType == "" {
			att.MIMEType = b.MIMEType
		}
	} else if att.URL == "" {
		return 0, &sdk.ChannelError{Code: "attachment_missing", Message: "an attachment has neither content nor a URL"}
	}
	if len(data) > maxUpload {
		return 0, &sdk.ChannelError{Code: "attachment_too_large", Message: fmt.Sprintf("%d bytes; Telegram takes files up to 50 MB", len(data))}
	}
	if att.Name == "" {
		att.Name = "file" + extFor(att.MIMEType)
	}
	// input makes the file afresh for every attempt: a retried upload
	// must send the content again.
	input := func() models.InputFile {
		if data == nil {
			return &models.InputFileString{Data: att.URL}
		}
		return &models.InputFileUpload{Filename: att.Name, Data: bytes.NewReader(data)}
	}
	photo := (att.MIMEType == "image/jpeg" || att.MIMEType == "image/png") && len(data) <= maxPhotoBytes
	method := "sendDocument"
	if photo {
		method = "sendPhoto"
	}
	err := a.call(ctx, method, func(ctx context.Context) (err error) {
		if photo {
			msg, err = a.bot.SendPhoto(ctx, &bot.SendPhotoParams{BusinessConnectionID: business, ChatID: chatID, Photo: input(), Caption: p.text, ReplyParameters: rp})
		} else {
			msg, err = a.bot.SendDocument(ctx, &bot.SendDocumentParams{BusinessConnectionID: business, ChatID: chatID, Document: input(), Caption: p.text, ReplyParameters: rp})
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	return msg.ID, nil
}

// describes says whether err is the Bot API refusing with words containing s.
func describes(err error, s string) bool {
	var ae *apiError
	return errors.As(err, &ae) && strings.Contains(strings.ToLower(ae.desc), s)
}

// Edit changes the text of an operator's message (its caption when the
// text went with an attachment). Telegram lets a bot edit its messages at
// any time; the same text again is no change and no error.
func (c *connector) Edit(ctx context.Context, chatID, externalID, text string) error {
	a, h, _, err := c.state()
	if err != nil {
		return err
	}
	chat, msgID, err := parseMessage(externalID)
	if err != nil {
		return err
	}
	if chatID != "" && chatID != chat {
		return &sdk.ChannelError{Code: "message_unknown", Message: fmt.Sprintf("message %q is not in chat %q", externalID, chatID)}
	}
	id, business, _ := parseChat(chat)
	if strings.TrimSpace(text) == "" {
		return &sdk.ChannelError{Code: "message_empty", Message: "an edit cannot remove all the text; delete the message instead"}
	}
	rec, found, err := loadRecord(ctx, h, "msg/"+externalID)
	if err != nil {
		return err
	}
	limit := maxTextRunes
	if found && rec.Caption {
		limit = maxCaption
	}
	if utf8.RuneCountInString(text) > limit {
		return &sdk.ChannelError{Code: "message_too_long", Message: fmt.Sprintf("an edited message holds at most %d characters", limit)}
	}
	editText := func() error {
		return a.call(ctx, "editMessageText", func(ctx context.Context) error {
			_, err := a.bot.EditMessageText(ctx, &bot.EditMessageTextParams{BusinessConnectionID: business, ChatID: id, MessageID: msgID, Text: text})
			return err
		})
	}
	editCaption := func() error {
		return a.call(ctx, "editMessageCaption", func(ctx context.Context) error {
			_, err := a.bot.EditMessageCaption(ctx, &bot.EditMessageCaptionParams{BusinessConnectionID: business, ChatID: id, MessageID: msgID, Caption: text})
			return err
		})
	}
	if found && rec.Caption {
		err = editCaption()
	} else {
		err = editText()
		if !found && describes(err, "no text in the message") {
			err = editCaption()
		}
	}
	if describes(err, "message is not modified") {
		return nil
	}
	return channelError(err)
}

// Delete removes a message for everyone: within 48 hours of sending, as
// Telegram allows. A message already gone counts as deleted.
func (c *connector) Delete(ctx context.Context, chatID, externalID string) error {
	a, h, _, err := c.state()
	if err != nil {
		return err
	}
	chat, msgID, err := parseMessage(externalID)
	if err != nil {
		return err
	}
	if chatID != "" && chatID != chat {
		return &sdk.ChannelError{Code: "message_unknown", Message: fmt.Sprintf("message %q is not in chat %q", externalID, chatID)}
	}
	id, business, _ := parseChat(chat)
	ids := []int{msgID}
	rec, found, err := loadRecord(ctx, h, "msg/"+externalID)
	if err != nil {
		return err
	}
	if found {
		if time.Since(time.Unix(rec.At, 0)) >= deleteWindow {
			return &sdk.ChannelError{Code: "delete_window_passed", Message: "Telegram deletes messages only within 48 hours of sending"}
		}
		ids = rec.IDs
	}
	if business != "" {
		err := a.call(ctx, "deleteBusinessMessages", func(ctx context.Context) error {
			_, err := a.bot.DeleteBusinessMessages(ctx, &bot.DeleteBusinessMessagesParams{BusinessConnectionID: business, MessageIDs: ids})
			return err
		})
		if describes(err, "to delete not found") {
			return nil
		}
		return channelError(err)
	}
	for _, mid := range ids {
		err := a.call(ctx, "deleteMessage", func(ctx context.Context) error {
			_, err := a.bot.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: id, MessageID: mid})
			return err
		})
		if err != nil && !describes(err, "to delete not found") {
			return channelError(err)
		}
	}
	return nil
}

// SendTyping shows "typing…" in the customer's chat (sendChatAction), which
// Telegram keeps up for about five seconds; it shows the bot's or the
// business account's name, never the operator's.
func (c *connector) SendTyping(ctx context.Context, chatID, _ string) error {
	a, _, _, err := c.state()
	if err != nil {
		return err
	}
	id, business, err := parseChat(chatID)
	if err != nil {
		return err
	}
	err = a.call(ctx, "sendChatAction", func(ctx context.Context) error {
		_, err := a.bot.SendChatAction(ctx, &bot.SendChatActionParams{BusinessConnectionID: business, ChatID: id, Action: models.ChatActionTyping})
		return err
	})
	return channelError(err)
}
