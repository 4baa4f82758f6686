// Package fakebotapi is a local Telegram Bot API server for tests, written
// from the published reference (https://core.telegram.org/bots/api): the
// same URLs (/bot<token>/<method>, /file/bot<token>/<path>), the four ways of
// passing parameters, the {"ok":true,"result":...} and
// {"ok":false,"error_code":...,"description":...,"parameters":{...}}
// envelopes, and the behaviour of the methods a support connector uses:
// getMe, getUpdates (offset confirms, timeout long-polls, a second poller
// ends the first with 409), sendMessage, sendPhoto, sendDocument (multipart
// uploads), editMessageText, editMessageCaption, deleteMessage (48 hours),
// deleteBusinessMessages, getFile and file downloads (20 MB), and
// getUserProfilePhotos, deleteWebhook, getWebhookInfo.
//
// Tests play the customers through its Go methods (a user writes, edits,
// blocks the bot), push the reference's sample updates, make a method
// answer 429 with retry_after, and read back what the bot sent.
package fakebotapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits from the reference.
const (
	maxTextLen     = 4096
	maxCaptionLen  = 1024
	maxDownload    = 20 << 20 // getFile
	maxPhotoUpload = 10 << 20
	maxFileUpload  = 50 << 20
	deleteWindow   = 48 * time.Hour
)

// apiError is a refusal in the reference's words.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string { return e.desc }

func badRequest(what string) *apiError { return &apiError{400, "Bad Request: " + what, 0} }

// Call is one request the server answered.
type Call struct {
	Method string
	Params map[string]string
	Files  map[string]string // parameter -> uploaded file name
	At     time.Time
	Status int
}

// chatKey names a chat: a business account's chats are apart from the
// bot's own, though both have the customer's user id.
type chatKey struct {
	business string
	id       int64
}

type chat struct {
	info Chat
	// next is the last message id used in the chat.
	next    int
	msgs    map[int]*Message
	byBot   map[int]bool
	blocked bool
}

type storedFile struct {
	file File
	data []byte
}

type queued struct {
	id   int64
	kind string
	raw  map[string]json.RawMessage
}

// Server is a running fake Bot API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base to give a client instead of https://api.telegram.org.
	URL string
	// Token is the one valid bot token.
	Token string
	// Bot is what getMe answers.
	Bot User

	hs *httptest.Server

	// mu guards everything below.
	mu         sync.Mutex
	now        func() time.Time
	wake       chan struct{} // closed and replaced when updates are queued
	updates    []queued
	nextUpdate int64
	confirmed  int64 // the last offset a getUpdates call confirmed
	offsets    []int64
	allowed    []string
	webhook    string
	pollGen    int
	chats      map[chatKey]*chat
	files      map[string]*storedFile
	nextFile   int
	avatars    map[int64][][]PhotoSize
	flood      map[string][]int
	calls      []Call
	business   map[string]int64 // connection id -> the business account's user id
}

// New starts a server for one bot.
func New() *Server {
	s := &Server{
		Token:      "123456789:AAE-fake_botapi-token-0123456789abc",
		Bot:        User{ID: 123456789, IsBot: true, FirstName: "Shop Support", Username: "shop_support_bot", CanJoinGroups: true},
		now:        time.Now,
		wake:       make(chan struct{}),
		nextUpdate: 700000000,
		chats:      map[chatKey]*chat{},
		files:      map[string]*storedFile{},
		avatars:    map[int64][][]PhotoSize{},
		flood:      map[string][]int{},
		business:   map[string]int64{},
	}
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.hs.CloseClientConnections()
	s.hs.Close()
}

var tokenShape = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.download(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	if !ok || !tokenShape.MatchString(token) {
		writeError(w, &apiError{404, "Not Found", 0})
		return
	}
	if token != s.Token {
		writeError(w, &apiError{401, "Unauthorized", 0})
		return
	}
	p, err := readParams(r)
	call := Call{Method: method, Params: p.values, Files: map[string]string{}, At: time.Now()}
	for k, u := range p.uploads {
		call.Files[k] = u.name
	}
	var result any
	if err == nil {
		result, err = s.dispatch(r, method, p)
	}
	call.Status = http.StatusOK
	if ae, ok := err.(*apiError); ok {
		call.Status = ae.code
	} else if err != nil {
		call.Status = http.StatusBadRequest
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, response{OK: true, Result: result})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	ae, ok := err.(*apiError)
	if !ok {
		ae = badRequest(err.Error())
	}
	resp := response{ErrorCode: ae.code, Description: ae.desc}
	if ae.retryAfter > 0 {
		resp.Parameters = &responseParameters{RetryAfter: ae.retryAfter}
	}
	writeJSON(w, ae.code, resp)
}

func (s *Server) dispatch(r *http.Request, method string, p params) (any, error) {
	// Method names are case-insensitive.
	m := strings.ToLower(method)
	s.mu.Lock()
	if q := s.flood[m]; len(q) > 0 {
		after := q[0]
		s.flood[m] = q[1:]
		s.mu.Unlock()
		return nil, &apiError{429, fmt.Sprintf("Too Many Requests: retry after %d", after), after}
	}
	s.mu.Unlock()
	switch m {
	case "getme":
		return s.Bot, nil
	case "getupdates":
		return s.getUpdates(r, p)
	case "sendmessage":
		return s.sendMessage(p)
	case "sendphoto":
		return s.sendFile(p, "photo")
	case "senddocument":
		return s.sendFile(p, "document")
	case "editmessagetext":
		return s.editMessage(p, "text")
	case "editmessagecaption":
		return s.editMessage(p, "caption")
	case "deletemessage":
		return s.deleteMessage(p)
	case "deletebusinessmessages":
		return s.deleteBusinessMessages(p)
	case "sendchataction":
		return s.sendChatAction(p)
	case "getfile":
		return s.getFile(p)
	case "getuserprofilephotos":
		return s.getUserProfilePhotos(p)
	case "setwebhook":
		s.mu.Lock()
		s.webhook = p.str("url")
		s.mu.Unlock()
		return true, nil
	case "deletewebhook":
		s.mu.Lock()
		s.webhook = ""
		if p.str("drop_pending_updates") == "true" {
			s.updates = nil
		}
		s.mu.Unlock()
		return true, nil
	case "getwebhookinfo":
		s.mu.Lock()
		defer s.mu.Unlock()
		return WebhookInfo{URL: s.webhook, PendingUpdateCount: len(s.updates)}, nil
	}
	return nil, &apiError{404, "Not Found", 0}
}

// getUpdates follows https://core.telegram.org/bots/api#getupdates: an
// update is confirmed as soon as getUpdates is called with an offset higher
// than its update_id; a negative offset keeps only the last updates; the
// call waits up to timeout seconds for an update; a newer call ends a
// waiting one with 409.
func (s *Server) getUpdates(r *http.Request, p params) (any, error) {
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
	timeout, err := p.int64("timeout")
	if err != nil {
		return nil, err
	}
	var allowed []string
	if err := p.json("allowed_updates", &allowed); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.webhook != "" {
		s.mu.Unlock()
		return nil, &apiError{409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first", 0}
	}
	if p.has("allowed_updates") {
		s.allowed = allowed
	}
	s.offsets = append(s.offsets, offset)
	switch {
	case offset > 0:
		s.confirmed = max(s.confirmed, offset)
		kept := s.updates[:0]
		for _, u := range s.updates {
			if u.id >= offset {
				kept = append(kept, u)
			}
		}
		s.updates = kept
	case offset < 0 && int(-offset) < len(s.updates):
		s.updates = s.updates[len(s.updates)-int(-offset):]
	}
	s.pollGen++
	gen := s.pollGen
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		out := s.deliverable(int(limit))
		if len(out) > 0 || timeout <= 0 {
			s.mu.Unlock()
			return out, nil
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-r.Context().Done():
			return nil, r.Context().Err()
		case <-deadline.C:
			timeout = 0
		case <-wake:
		case <-time.After(50 * time.Millisecond): // notice a newer poller
		}
		s.mu.Lock()
		if s.pollGen != gen {
			s.mu.Unlock()
			return nil, &apiError{409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", 0}
		}
	}
}

// deliverable returns the queued updates of the allowed kinds; updates of
// other kinds are dropped, as the real server never queues them. Called
// with mu held.
func (s *Server) deliverable(limit int) []map[string]json.RawMessage {
	var out []map[string]json.RawMessage
	kept := s.updates[:0]
	for _, u := range s.updates {
		if len(s.allowed) > 0 && !slices.Contains(s.allowed, u.kind) {
			continue
		}
		kept = append(kept, u)
		if len(out) < limit {
			out = append(out, u.raw)
		}
	}
	s.updates = kept
	return out
}

// Push queues an update (JSON of https://core.telegram.org/bots/api#update)
// under the next update_id and returns that id. Messages it carries join
// their chat, so the bot can reply to, edit and delete them.
func (s *Server) Push(update []byte) int64 {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(update, &raw); err != nil {
		panic("fakebotapi: Push: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdate++
	id := s.nextUpdate
	raw["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
	kind := ""
	for k := range raw {
		if k != "update_id" {
			kind = k
		}
	}
	for _, k := range []string{"message", "business_message"} {
		if m, ok := raw[k]; ok {
			var msg Message
			if json.Unmarshal(m, &msg) == nil {
				c := s.chatLocked(msg.BusinessConnectionID, msg.Chat)
				c.msgs[msg.MessageID] = &msg
				c.next = max(c.next, msg.MessageID)
			}
		}
	}
	s.updates = append(s.updates, queued{id: id, kind: kind, raw: raw})
	close(s.wake)
	s.wake = make(chan struct{})
	return id
}

func (s *Server) chatLocked(business string, info Chat) *chat {
	k := chatKey{business, info.ID}
	c := s.chats[k]
	if c == nil {
		if info.Type == "" {
			info.Type = "private"
		}
		c = &chat{info: info, msgs: map[int]*Message{}, byBot: map[int]bool{}}
		s.chats[k] = c
	}
	return c
}

func privateChat(u User) Chat {
	return Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

func (s *Server) pushMessage(kind string, m Message) int64 {
	b, _ := json.Marshal(map[string]any{kind: m})
	return s.Push(b)
}

// newUserMessage numbers a new message of u in their private chat (with
// the bot, or with a business account when business is set).
func (s *Server) newUserMessage(business string, u User) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chatLocked(business, privateChat(u))
	c.next++
	return Message{MessageID: c.next, BusinessConnectionID: business, From: &u, Chat: c.info, Date: s.now().Unix()}
}

// UserWrites makes u write text to the bot; replyTo, when not 0, is the
// message they answer. It returns the update id and the message.
func (s *Server) UserWrites(u User, text string, replyTo int) (int64, Message) {
	m := s.newUserMessage("", u)
	m.Text = text
	if replyTo != 0 {
		s.mu.Lock()
		if r := s.chats[chatKey{"", u.ID}].msgs[replyTo]; r != nil {
			cp := *r
			cp.ReplyToMessage = nil
			m.ReplyToMessage = &cp
		}
		s.mu.Unlock()
	}
	return s.pushMessage("message", m), m
}

// UserSendsPhoto makes u send a photo: the reference's array of sizes, the
// last the largest, each a file getFile can fetch.
func (s *Server) UserSendsPhoto(u User, caption string, full []byte) (int64, Message) {
	m := s.newUserMessage("", u)
	m.Caption = caption
	thumb := s.AddFile("thumb.jpg", full[:min(len(full), 64)])
	big := s.AddFile("photo.jpg", full)
	m.Photo = []PhotoSize{
		{FileID: thumb.FileID, FileUniqueID: thumb.FileUniqueID, Width: 90, Height: 90, FileSize: thumb.FileSize},
		{FileID: big.FileID, FileUniqueID: big.FileUniqueID, Width: 1280, Height: 960, FileSize: big.FileSize},
	}
	return s.pushMessage("message", m), m
}

// BusinessUserWrites makes u write to the business account behind a
// business connection.
func (s *Server) BusinessUserWrites(business string, u User, text string) (int64, Message) {
	m := s.newUserMessage(business, u)
	m.Text = text
	return s.pushMessage("business_message", m), m
}

// BusinessUserDeletes makes u delete messages of their chat with the
// business account (deleted_business_messages).
func (s *Server) BusinessUserDeletes(business string, u User, messageIDs ...int) int64 {
	s.mu.Lock()
	if c := s.chats[chatKey{business, u.ID}]; c != nil {
		for _, id := range messageIDs {
			delete(c.msgs, id)
		}
	}
	s.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"deleted_business_messages": map[string]any{
		"business_connection_id": business, "chat": privateChat(u), "message_ids": messageIDs}})
	return s.Push(b)
}

// UserEdits makes u change the text of their message.
func (s *Server) UserEdits(u User, messageID int, text string) int64 {
	s.mu.Lock()
	c := s.chats[chatKey{"", u.ID}]
	var m Message
	if c != nil && c.msgs[messageID] != nil {
		m = *c.msgs[messageID]
	} else {
		m = Message{MessageID: messageID, From: &u, Chat: privateChat(u), Date: s.now().Unix()}
	}
	m.Text, m.EditDate = text, s.now().Unix()
	s.mu.Unlock()
	return s.pushMessage("edited_message", m)
}

// BlockBot makes the user block the bot: sending to them fails with 403.
func (s *Server) BlockBot(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatKey{"", userID}]; c != nil {
		c.blocked = true
	}
}

// AddFile stores a file getFile can find and returns it (without a path:
// getFile assigns one).
func (s *Server) AddFile(name string, data []byte) File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked(name, data)
}

func (s *Server) addFileLocked(name string, data []byte) File {
	s.nextFile++
	f := File{FileID: fmt.Sprintf("BQACAgIAAxkBAAI%06d", s.nextFile), FileUniqueID: fmt.Sprintf("AgAD%06d", s.nextFile), FileSize: len(data)}
	dir := "documents"
	if strings.HasSuffix(name, ".jpg") {
		dir = "photos"
	}
	f.FilePath = fmt.Sprintf("%s/file_%d%s", dir, s.nextFile, extOf(name))
	s.files[f.FileID] = &storedFile{file: f, data: data}
	f.FilePath = ""
	return f
}

// AddFileWithID stores a file under the ids a fixture names.
func (s *Server) AddFileWithID(fileID, uniqueID, name string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextFile++
	s.files[fileID] = &storedFile{data: data, file: File{FileID: fileID, FileUniqueID: uniqueID, FileSize: len(data),
		FilePath: fmt.Sprintf("documents/file_%d%s", s.nextFile, extOf(name))}}
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// SetAvatar gives a user a profile photo.
func (s *Server) SetAvatar(userID int64, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.addFileLocked("avatar.jpg", data)
	s.avatars[userID] = append([][]PhotoSize{{{FileID: f.FileID, FileUniqueID: f.FileUniqueID, Width: 160, Height: 160, FileSize: f.FileSize}}}, s.avatars[userID]...)
}

// AddBusinessConnection connects the bot to a Telegram Business account.
func (s *Server) AddBusinessConnection(id string, owner User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.business[id] = owner.ID
}

// Flood makes the next calls of method answer 429 with these retry_after
// values, one call each.
func (s *Server) Flood(method string, retryAfter ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := strings.ToLower(method)
	s.flood[m] = append(s.flood[m], retryAfter...)
}

// SetWebhook sets a webhook, as another program using the token might.
func (s *Server) SetWebhook(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = url
}

// Backdate moves a message's date into the past.
func (s *Server) Backdate(chatID int64, messageID int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatKey{"", chatID}]; c != nil && c.msgs[messageID] != nil {
		c.msgs[messageID].Date -= int64(d / time.Second)
	}
}

// BotMessages returns what the bot sent to a chat (of a business
// connection, or "" for the bot's own chats) and has not deleted, in order.
func (s *Server) BotMessages(business string, chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatKey{business, chatID}]
	if c == nil {
		return nil
	}
	var out []Message
	for id := 1; id <= c.next; id++ {
		if m := c.msgs[id]; m != nil && c.byBot[id] {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns a message of a chat, false once deleted.
func (s *Server) Message(business string, chatID int64, messageID int) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatKey{business, chatID}]; c != nil && c.msgs[messageID] != nil {
		return *c.msgs[messageID], true
	}
	return Message{}, false
}

// FileData returns the content of a file by id.
func (s *Server) FileData(fileID string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[fileID]; f != nil {
		return f.data
	}
	return nil
}

// Calls returns the answered calls of a method (any case), in order.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// Pending says how many updates are queued and not confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Confirmed returns the highest offset a getUpdates call has passed: every
// update below it is gone from the server.
func (s *Server) Confirmed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmed
}

// Offsets returns the offset of every getUpdates call, in order.
func (s *Server) Offsets() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.offsets)
}
