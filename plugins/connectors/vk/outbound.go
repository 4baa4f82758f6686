package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/plugins/sdk"
)

// sentRecord is what the connector keeps of an operator's message: the VK
// messages it became (a long text is split; the files go with the last
// piece), so a retried Send resumes, and Edit and Delete reach every part.
type sentRecord struct {
	Chat    int64    `json:"chat"`
	IDs     []int64  `json:"ids"`
	Parts   int      `json:"parts"`
	Atts    []string `json:"atts,omitempty"` // what the part with the files attached
	AttPart int      `json:"att_part"`
	At      int64    `json:"at"`
	Deleted bool     `json:"deleted,omitempty"`
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

// randomID is messages.send's random_id for a part of an operator's
// message: an int32 made from the host's idempotency key, so VK itself
// refuses to send the same part twice even if our record of it was lost.
func randomID(key string, part int) int64 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d", key, part)
	id := int64(h.Sum32() & 0x7fffffff)
	if id == 0 {
		id = 1
	}
	return id
}

// parsePeer reads a chat id: a VK user's id (private dialogs only).
func parsePeer(chat string) (int64, error) {
	n, err := strconv.ParseInt(chat, 10, 64)
	if err != nil || !private(n) || strconv.FormatInt(n, 10) != chat {
		return 0, &sdk.ChannelError{Code: "chat_unknown", Message: fmt.Sprintf("%q is not a VK dialog with a user", chat)}
	}
	return n, nil
}

func parseMessageID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return 0, &sdk.ChannelError{Code: "message_unknown", Message: fmt.Sprintf("%q is not a VK message id", id)}
	}
	return n, nil
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

// Send delivers an operator's message, idempotent on the key: a message
// sent before comes back with its id, one sent in part resumes after the
// parts that went out, and each part's random_id keeps VK from sending
// it twice.
func (c *connector) Send(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	a, h, cfg, err := c.state()
	if err != nil {
		return sdk.SendResult{}, err
	}
	peer, err := parsePeer(m.ChatID)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if m.IdempotencyKey == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "idempotency_key_missing", Message: "a message needs an idempotency key"}
	}
	if m.Template != nil {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "templates_unsupported", Message: "VK has no message templates; send the text"}
	}
	text := m.Text
	if cfg.SignMessages && strings.TrimSpace(m.SenderName) != "" {
		text = strings.TrimLeft(strings.TrimRight(text, " \n")+"\n\n— "+strings.TrimSpace(m.SenderName), "\n")
	}
	switch {
	case strings.TrimSpace(text) == "" && len(m.Attachments) == 0:
		return sdk.SendResult{}, &sdk.ChannelError{Code: "message_empty", Message: "a message needs text or a file"}
	case len(m.Attachments) > maxAttachments:
		return sdk.SendResult{}, &sdk.ChannelError{Code: "too_many_attachments", Message: fmt.Sprintf("at most %d files per message", maxAttachments)}
	}
	chunks := splitText(text, maxTextRunes)
	if len(chunks) == 0 {
		chunks = []string{""}
	}
	unlock := c.sends.lock(m.IdempotencyKey)
	defer unlock()
	key := "sent/" + m.IdempotencyKey
	rec, found, err := loadRecord(ctx, h, key)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if !found {
		rec = sentRecord{Chat: peer, Parts: len(chunks), AttPart: len(chunks) - 1, At: time.Now().Unix()}
	}
	for i := len(rec.IDs); i < rec.Parts && i < len(chunks); i++ {
		params := url.Values{"peer_id": {m.ChatID}, "random_id": {strconv.FormatInt(randomID(m.IdempotencyKey, i), 10)},
			"message": {chunks[i]}, "dont_parse_links": {"1"}}
		if i == 0 && m.ReplyToExternalID != "" {
			if _, err := parseMessageID(m.ReplyToExternalID); err == nil {
				params.Set("reply_to", m.ReplyToExternalID)
			}
		}
		if i == rec.AttPart && len(m.Attachments) > 0 {
			atts, err := c.uploadAll(ctx, a, h, peer, m.Attachments)
			if err != nil {
				return sdk.SendResult{}, channelError(err)
			}
			rec.Atts = atts
			params.Set("attachment", strings.Join(atts, ","))
		}
		var id int64
		if err := a.call(ctx, "messages.send", params, &id); err != nil {
			return sdk.SendResult{}, channelError(err)
		}
		rec.IDs = append(rec.IDs, id)
		if err := saveRecord(ctx, h, rec, key, "msg/"+strconv.FormatInt(rec.IDs[0], 10)); err != nil {
			return sdk.SendResult{}, fmt.Errorf("send: record the sent message: %w", err)
		}
	}
	return sdk.SendResult{ExternalID: strconv.FormatInt(rec.IDs[0], 10), State: sdk.DeliverySent}, nil
}

// uploadAll uploads the files of a message: JPEG, PNG and GIF pictures
// as photos, anything else as documents. It returns messages.send's
// attachment strings.
func (c *connector) uploadAll(ctx context.Context, a *api, h sdk.Host, peer int64, atts []sdk.Attachment) ([]string, error) {
	var out []string
	for _, att := range atts {
		if att.BlobID == "" {
			return nil, &sdk.ChannelError{Code: "attachment_missing", Message: "VK takes files, not links; attach the file itself"}
		}
		b, err := h.BlobGet(ctx, att.BlobID)
		if err != nil {
			return nil, fmt.Errorf("send: attachment %s: %w", att.BlobID, err)
		}
		if len(b.Data) > maxUpload {
			return nil, &sdk.ChannelError{Code: "attachment_too_large", Message: fmt.Sprintf("%d bytes; the connector sends files up to 50 MB", len(b.Data))}
		}
		name, mt := firstOf(att.Name, b.Name, "file"), firstOf(att.MIMEType, b.MIMEType, "application/octet-stream")
		var s string
		switch mt {
		case "image/jpeg", "image/png", "image/gif":
			s, err = c.uploadPhoto(ctx, a, peer, name, mt, b.Data)
		default:
			s, err = c.uploadDoc(ctx, a, peer, name, mt, b.Data)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func (c *connector) uploadPhoto(ctx context.Context, a *api, peer int64, name, mt string, data []byte) (string, error) {
	var srv struct {
		UploadURL string `json:"upload_url"`
	}
	if err := a.call(ctx, "photos.getMessagesUploadServer", url.Values{"peer_id": {strconv.FormatInt(peer, 10)}}, &srv); err != nil {
		return "", err
	}
	var up struct {
		Server json.Number `json:"server"`
		Photo  string      `json:"photo"`
		Hash   string      `json:"hash"`
	}
	if err := a.upload(ctx, srv.UploadURL, "photo", name, mt, data, &up); err != nil {
		return "", err
	}
	var saved []struct {
		ID        int64  `json:"id"`
		OwnerID   int64  `json:"owner_id"`
		AccessKey string `json:"access_key"`
	}
	if err := a.call(ctx, "photos.saveMessagesPhoto", url.Values{"photo": {up.Photo}, "server": {up.Server.String()}, "hash": {up.Hash}}, &saved); err != nil {
		return "", err
	}
	if len(saved) == 0 {
		return "", &apiError{method: "photos.saveMessagesPhoto", status: 200, Msg: "no photo in the answer"}
	}
	s := fmt.Sprintf("photo%d_%d", saved[0].OwnerID, saved[0].ID)
	if saved[0].AccessKey != "" {
		s += "_" + saved[0].AccessKey
	}
	return s, nil
}

func (c *connector) uploadDoc(ctx context.Context, a *api, peer int64, name, mt string, data []byte) (string, error) {
	var srv struct {
		UploadURL string `json:"upload_url"`
	}
	if err := a.call(ctx, "docs.getMessagesUploadServer", url.Values{"type": {"doc"}, "peer_id": {strconv.FormatInt(peer, 10)}}, &srv); err != nil {
		return "", err
	}
	var up struct {
		File string `json:"file"`
	}
	if err := a.upload(ctx, srv.UploadURL, "file", name, mt, data, &up); err != nil {
		return "", err
	}
	var saved struct {
		Doc struct {
			ID      int64 `json:"id"`
			OwnerID int64 `json:"owner_id"`
		} `json:"doc"`
	}
	if err := a.call(ctx, "docs.save", url.Values{"file": {up.File}, "title": {name}}, &saved); err != nil {
		return "", err
	}
	return fmt.Sprintf("doc%d_%d", saved.Doc.OwnerID, saved.Doc.ID), nil
}

// Edit changes the text of an operator's message within 24 hours of
// sending (its files stay).
func (c *connector) Edit(ctx context.Context, chatID, externalID, text string) error {
	a, h, _, err := c.state()
	if err != nil {
		return err
	}
	peer, err := parsePeer(chatID)
	if err != nil {
		return err
	}
	if _, err := parseMessageID(externalID); err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return &sdk.ChannelError{Code: "message_empty", Message: "an edit cannot remove all the text; delete the message instead"}
	}
	if utf8.RuneCountInString(text) > maxTextRunes {
		return &sdk.ChannelError{Code: "message_too_long", Message: fmt.Sprintf("a VK message holds at most %d characters", maxTextRunes)}
	}
	rec, found, err := loadRecord(ctx, h, "msg/"+externalID)
	if err != nil {
		return err
	}
	params := url.Values{"peer_id": {strconv.FormatInt(peer, 10)}, "message_id": {externalID}, "message": {text},
		"keep_forward_messages": {"1"}, "keep_snippets": {"1"}, "dont_parse_links": {"1"}}
	if found {
		if rec.Chat != peer {
			return &sdk.ChannelError{Code: "message_unknown", Message: fmt.Sprintf("message %s is not in chat %s", externalID, chatID)}
		}
		if time.Since(time.Unix(rec.At, 0)) >= editWindow {
			return &sdk.ChannelError{Code: "edit_window_passed", Message: hints["edit_window_passed"]}
		}
		if rec.AttPart == 0 && len(rec.Atts) > 0 {
			params.Set("attachment", strings.Join(rec.Atts, ","))
		}
	}
	return channelError(a.call(ctx, "messages.edit", params, nil))
}

// Delete removes an operator's message for everyone, within 24 hours of
// sending. A message deleted before counts as deleted.
func (c *connector) Delete(ctx context.Context, chatID, externalID string) error {
	a, h, _, err := c.state()
	if err != nil {
		return err
	}
	peer, err := parsePeer(chatID)
	if err != nil {
		return err
	}
	if _, err := parseMessageID(externalID); err != nil {
		return err
	}
	key := "msg/" + externalID
	rec, found, err := loadRecord(ctx, h, key)
	if err != nil {
		return err
	}
	ids := []string{externalID}
	if found {
		if rec.Chat != peer {
			return &sdk.ChannelError{Code: "message_unknown", Message: fmt.Sprintf("message %s is not in chat %s", externalID, chatID)}
		}
		if rec.Deleted {
			return nil
		}
		if time.Since(time.Unix(rec.At, 0)) >= deleteWindow {
			return &sdk.ChannelError{Code: "delete_window_passed", Message: hints["delete_window_passed"]}
		}
		ids = ids[:0]
		for _, id := range rec.IDs {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
	}
	err = a.call(ctx, "messages.delete", url.Values{"peer_id": {chatID}, "message_ids": {strings.Join(ids, ",")}, "delete_for_all": {"1"}}, nil)
	if err != nil {
		return channelError(err)
	}
	if found {
		rec.Deleted = true
		return saveRecord(ctx, h, rec, key)
	}
	return nil
}

// MarkRead marks the customer's messages read up to one.
func (c *connector) MarkRead(ctx context.Context, chatID, upTo string) error {
	a, _, _, err := c.state()
	if err != nil {
		return err
	}
	if _, err := parsePeer(chatID); err != nil {
		return err
	}
	if _, err := parseMessageID(upTo); err != nil {
		return err
	}
	return channelError(a.call(ctx, "messages.markAsRead", url.Values{"peer_id": {chatID}, "start_message_id": {upTo}}, nil))
}

// SendTyping shows the community typing in the customer's conversation
// (messages.setActivity), which VK keeps up for about ten seconds; it shows
// the community's name, never the operator's.
func (c *connector) SendTyping(ctx context.Context, chatID, _ string) error {
	a, _, _, err := c.state()
	if err != nil {
		return err
	}
	if _, err := parsePeer(chatID); err != nil {
		return err
	}
	return channelError(a.call(ctx, "messages.setActivity", url.Values{"peer_id": {chatID}, "type": {"typing"},
		"group_id": {strconv.FormatInt(a.groupID, 10)}}, nil))
}
