package fakebotapi

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// resolveChat finds the chat a call names by chat_id (a number or
// @username) and business_connection_id. Called with mu held.
func (s *Server) resolveChat(p params) (*chat, error) {
	business := p.str("business_connection_id")
	if business != "" {
		if _, ok := s.business[business]; !ok {
			return nil, badRequest("BUSINESS_CONNECTION_INVALID")
		}
	}
	raw := strings.TrimSpace(p.str("chat_id"))
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	if name, ok := strings.CutPrefix(raw, "@"); ok {
		for k, c := range s.chats {
			if k.business == business && strings.EqualFold(c.info.Username, name) {
				return c, nil
			}
		}
		return nil, badRequest("chat not found")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c := s.chats[chatKey{business, id}]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	return c, nil
}

// sendable is resolveChat for calls that post into the chat.
func (s *Server) sendable(p params) (*chat, error) {
	c, err := s.resolveChat(p)
	if err != nil {
		return nil, err
	}
	if c.blocked {
		return nil, &apiError{403, "Forbidden: bot was blocked by the user", 0}
	}
	return c, nil
}

// newBotMessage numbers the bot's next message in c. Called with mu held.
func (s *Server) newBotMessage(c *chat, p params) (*Message, error) {
	m := &Message{Chat: c.info, Date: s.now().Unix(), BusinessConnectionID: p.str("business_connection_id")}
	if m.BusinessConnectionID != "" {
		m.From = &User{ID: s.business[m.BusinessConnectionID], FirstName: "Business"}
	} else {
		bot := s.Bot
		m.From = &bot
	}
	var rp replyParameters
	if err := p.json("reply_parameters", &rp); err != nil {
		return nil, err
	}
	if rp.MessageID == 0 {
		id, err := p.int64("reply_to_message_id") // the older form
		if err != nil {
			return nil, err
		}
		rp.MessageID = int(id)
	}
	if rp.MessageID != 0 {
		r := c.msgs[rp.MessageID]
		if r == nil && !rp.AllowSendingWithoutReply {
			return nil, badRequest("message to be replied not found")
		}
		if r != nil {
			cp := *r
			cp.ReplyToMessage = nil
			m.ReplyToMessage = &cp
		}
	}
	c.next++
	m.MessageID = c.next
	return m, nil
}

func (s *Server) keep(c *chat, m *Message) Message {
	c.msgs[m.MessageID] = m
	c.byBot[m.MessageID] = true
	return *m
}

func (s *Server) sendMessage(p params) (any, error) {
	text := p.str("text")
	switch n := utf8.RuneCountInString(text); {
	case strings.TrimSpace(text) == "":
		return nil, badRequest("message text is empty")
	case n > maxTextLen:
		return nil, badRequest("message is too long")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.sendable(p)
	if err != nil {
		return nil, err
	}
	m, err := s.newBotMessage(c, p)
	if err != nil {
		return nil, err
	}
	m.Text = text
	return s.keep(c, m), nil
}

// sendFile is sendPhoto and sendDocument: the file comes as a multipart
// upload under the parameter's name, as attach://<part>, as a file_id
// already on the server, or as an HTTP URL the server fetches.
func (s *Server) sendFile(p params, kind string) (any, error) {
	caption := p.str("caption")
	if utf8.RuneCountInString(caption) > maxCaptionLen {
		return nil, badRequest("message caption is too long")
	}
	up, ok := p.uploads[kind]
	ref := p.str(kind)
	if part, isAttach := strings.CutPrefix(ref, "attach://"); !ok && isAttach {
		up, ok = p.uploads[part]
	}
	if !ok && (strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://")) {
		data, err := fetch(ref)
		if err != nil {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		up, ok = upload{name: ref[strings.LastIndexByte(ref, '/')+1:], data: data}, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !ok && ref != "" {
		f := s.files[ref]
		if f == nil {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		up, ok = upload{name: f.file.FilePath, data: f.data}, true
	}
	if !ok {
		return nil, badRequest("there is no " + kind + " in the request")
	}
	limit := maxFileUpload
	if kind == "photo" {
		limit = maxPhotoUpload
	}
	if len(up.data) > limit {
		return nil, &apiError{413, "Request Entity Too Large", 0}
	}
	if len(up.data) == 0 {
		return nil, badRequest("file must be non-empty")
	}
	c, err := s.sendable(p)
	if err != nil {
		return nil, err
	}
	m, err := s.newBotMessage(c, p)
	if err != nil {
		return nil, err
	}
	m.Caption = caption
	name := up.name
	if kind == "photo" {
		name = "photo.jpg"
	}
	f := s.addFileLocked(name, up.data)
	if kind == "photo" {
		m.Photo = []PhotoSize{{FileID: f.FileID, FileUniqueID: f.FileUniqueID, Width: 800, Height: 600, FileSize: f.FileSize}}
	} else {
		m.Document = &Document{FileID: f.FileID, FileUniqueID: f.FileUniqueID, FileName: up.name,
			MimeType: http.DetectContentType(up.data), FileSize: f.FileSize}
	}
	return s.keep(c, m), nil
}

func fetch(url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, io.ErrUnexpectedEOF
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxFileUpload+1))
}

// editMessage is editMessageText ("text") and editMessageCaption
// ("caption").
func (s *Server) editMessage(p params, field string) (any, error) {
	id, err := p.int64("message_id")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.sendable(p)
	if err != nil {
		return nil, err
	}
	m := c.msgs[int(id)]
	switch {
	case m == nil:
		return nil, badRequest("message to edit not found")
	case !c.byBot[int(id)]:
		return nil, badRequest("message can't be edited")
	}
	notModified := badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	if field == "text" {
		text := p.str("text")
		switch {
		case m.Text == "":
			return nil, badRequest("there is no text in the message to edit")
		case strings.TrimSpace(text) == "":
			return nil, badRequest("message text is empty")
		case utf8.RuneCountInString(text) > maxTextLen:
			return nil, badRequest("MESSAGE_TOO_LONG")
		case text == m.Text:
			return nil, notModified
		}
		m.Text = text
	} else {
		caption := p.str("caption")
		switch {
		case m.Photo == nil && m.Document == nil:
			return nil, badRequest("there is no caption in the message to edit")
		case utf8.RuneCountInString(caption) > maxCaptionLen:
			return nil, badRequest("message caption is too long")
		case caption == m.Caption:
			return nil, notModified
		}
		m.Caption = caption
	}
	m.EditDate = s.now().Unix()
	return *m, nil
}

// deleteMessage follows the reference's limits: a message can only be
// deleted if it was sent less than 48 hours ago; in private chats a bot may
// delete outgoing and incoming messages.
func (s *Server) deleteMessage(p params) (any, error) {
	id, err := p.int64("message_id")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.resolveChat(p)
	if err != nil {
		return nil, err
	}
	m := c.msgs[int(id)]
	if m == nil {
		return nil, badRequest("message to delete not found")
	}
	if s.now().Sub(time.Unix(m.Date, 0)) >= deleteWindow {
		return nil, badRequest("message can't be deleted for everyone")
	}
	delete(c.msgs, int(id))
	return true, nil
}

func (s *Server) deleteBusinessMessages(p params) (any, error) {
	var ids []int
	if err := p.json("message_ids", &ids); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, badRequest("message_ids is empty")
	}
	business := p.str("business_connection_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.business[business]; !ok {
		return nil, badRequest("BUSINESS_CONNECTION_INVALID")
	}
	for _, id := range ids {
		found := false
		for k, c := range s.chats {
			if k.business == business && c.msgs[id] != nil {
				delete(c.msgs, id)
				found = true
			}
		}
		if !found {
			return nil, badRequest("message to delete not found")
		}
	}
	return true, nil
}

func (s *Server) getFile(p params) (any, error) {
	id := p.str("file_id")
	if id == "" {
		return nil, badRequest("file_id is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[id]
	switch {
	case f == nil:
		return nil, badRequest("invalid file_id")
	case len(f.data) > maxDownload:
		return nil, badRequest("file is too big")
	}
	return f.file, nil
}

// download serves https://api.telegram.org/file/bot<token>/<file_path>.
func (s *Server) download(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	var data []byte
	found := false
	if token == s.Token {
		for _, f := range s.files {
			if f.file.FilePath == path && len(f.data) <= maxDownload {
				data, found = f.data, true
				break
			}
		}
	}
	s.mu.Unlock()
	if !found {
		writeError(w, &apiError{404, "Not Found", 0})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

func (s *Server) getUserProfilePhotos(p params) (any, error) {
	uid, err := p.int64("user_id")
	if err != nil {
		return nil, err
	}
	offset, err := p.int64("offset")
	if err != nil {
		return nil, err
	}
	limit, err := p.int64("limit")
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.avatars[uid]
	out := UserProfilePhotos{TotalCount: len(all), Photos: [][]PhotoSize{}}
	for i := int(offset); i < len(all) && len(out.Photos) < int(limit); i++ {
		out.Photos = append(out.Photos, all[i])
	}
	return out, nil
}

// chatActions are the actions sendChatAction takes
// (https://core.telegram.org/bots/api#sendchataction).
var chatActions = map[string]bool{"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true}

// sendChatAction shows the action in the chat for a few seconds: the fake
// checks the action and the chat, as Telegram does, and keeps nothing but
// the call.
func (s *Server) sendChatAction(p params) (any, error) {
	if !chatActions[p.str("action")] {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.sendable(p); err != nil {
		return nil, err
	}
	return true, nil
}
