// Package fakevk is a local VK API server for tests, written from the
// published reference (https://dev.vk.com/ru/reference, "Bots Long Poll
// API" and the method pages): method calls at /method/<name> with
// form or query parameters, access_token and v; the {"response":...} and
// {"error":{"error_code","error_msg","request_params"}} envelopes; the
// Bots Long Poll server (groups.getLongPollServer, then
// <server>?act=a_check&key=&ts=&wait=, with the failed 1/2/3 answers);
// and the methods a support connector uses: groups.getById, users.get,
// messages.send (random_id de-duplicates), messages.edit and
// messages.delete (24 hours), messages.markAsRead, and the photo and
// document upload chains (photos.getMessagesUploadServer → upload →
// photos.saveMessagesPhoto; docs.getMessagesUploadServer → upload →
// docs.save).
//
// Tests play the customers through its Go methods (a user writes, sends a
// photo, edits, reads, allows or denies messages), push the reference's
// sample updates, make methods answer error 6 (too many requests per
// second), expire the long poll key or lose its history, and read back
// what the community sent.
package fakevk

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Limits from the reference.
const (
	maxTextLen   = 4096
	editWindow   = 24 * time.Hour
	deleteWindow = 24 * time.Hour
	maxWait      = 90
)

// User is a VK user the tests play.
type User struct {
	ID         int64  `json:"id"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	ScreenName string `json:"screen_name,omitempty"`
	Photo200   string `json:"photo_200,omitempty"`
	// Allowed says the user allowed the community to write to them
	// (they wrote first or pressed "Allow messages").
	Allowed bool `json:"-"`
	Blocked bool `json:"-"` // the user is in the community's blacklist
}

// Message is a message in a community's dialog.
type Message struct {
	ID          int64    `json:"id"`
	Date        int64    `json:"date"`
	PeerID      int64    `json:"peer_id"`
	FromID      int64    `json:"from_id"`
	Out         int      `json:"out"`
	Text        string   `json:"text"`
	RandomID    int64    `json:"random_id"`
	ReplyTo     int64    `json:"-"`
	Attachments []string `json:"-"` // as messages.send takes them: photo<owner>_<id>_<key>
	UpdateTime  int64    `json:"update_time,omitempty"`
	Deleted     bool     `json:"-"`
	ConvMsgID   int64    `json:"conversation_message_id"`
}

// Call is one request the server answered.
type Call struct {
	Method string
	Params map[string]string
	At     time.Time
	Error  int // error_code, 0 on success
}

type file struct {
	data []byte
	name string
	mime string
}

type event struct {
	seq int64
	raw json.RawMessage
}

// Server is a running fake VK API. Its methods are safe for concurrent use.
type Server struct {
	// URL replaces https://api.vk.com/method.
	URL     string
	Token   string
	GroupID int64
	Name    string

	hs *httptest.Server

	// mu guards everything below.
	mu        sync.Mutex
	now       func() time.Time
	wake      chan struct{}
	held      bool // Hold: polls wait as if nothing happened
	users     map[int64]*User
	msgs      map[int64]*Message
	nextMsg   int64
	events    []event
	nextSeq   int64 // the number of the last event
	key       string
	keyGen    int
	lost      bool // the next poll answers failed 1
	lost3     bool // the next poll answers failed 3
	files     map[string]*file
	static    map[string]*file // path -> file, for the samples' URLs
	nextFile  int
	saved     map[string]string // photo/doc attachment string -> file id
	throttled map[string]int
	calls     []Call
	longPoll  bool
}

// New starts a server for one community.
func New() *Server {
	s := &Server{
		Token:     "vk1.a.fake-community-token-0123456789abcdefghijklmnopqrstuvwxyz",
		GroupID:   229876543,
		Name:      "Shop Support",
		now:       time.Now,
		wake:      make(chan struct{}),
		users:     map[int64]*User{},
		msgs:      map[int64]*Message{},
		files:     map[string]*file{},
		static:    map[string]*file{},
		saved:     map[string]string{},
		throttled: map[string]int{},
		nextSeq:   41,
		key:       "a6f3c9d1e2b4f5a60718293a4b5c6d7e8f901234",
		longPoll:  true,
	}
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL + "/method"
	return s
}

// Close stops the server.
func (s *Server) Close() {
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// AddUser adds a user; photo, when given, is served as their photo_200.
func (s *Server) AddUser(u User, photo []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if photo != nil {
		u.Photo200 = s.putFileLocked(photo, "photo_200.jpg", "image/jpeg")
	}
	cp := u
	s.users[u.ID] = &cp
}

// putFileLocked stores a file and returns its download URL.
func (s *Server) putFileLocked(data []byte, name, mime string) string {
	s.nextFile++
	id := strconv.Itoa(s.nextFile)
	s.files[id] = &file{data: data, name: name, mime: mime}
	return s.hs.URL + "/files/" + id + "/" + name
}

// StaticBase is the address that stands in for VK's file servers
// (https://sun9-74.userapi.com and the like) in the samples.
func (s *Server) StaticBase() string { return s.hs.URL + "/static" }

// ServeStatic serves data at StaticBase()+path.
func (s *Server) ServeStatic(path, mime string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.static[path] = &file{data: data, mime: mime}
}

// Throttle makes the next n calls of method answer error 6.
func (s *Server) Throttle(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttled[method] += n
}

// ExpireKey makes the long poll key stale: the next poll answers failed 2.
func (s *Server) ExpireKey() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keyGen++
	s.key = fmt.Sprintf("%040x", 0xa6f3c9d1+s.keyGen)
	s.kickLocked()
}

// LoseHistory makes the next poll answer failed 1 (history outdated).
func (s *Server) LoseHistory() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost = true
	s.kickLocked()
}

// LoseInformation makes the next poll answer failed 3.
func (s *Server) LoseInformation() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost3 = true
	s.kickLocked()
}

// DisableLongPoll turns the community's Bots Long Poll API off.
func (s *Server) DisableLongPoll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.longPoll = false
}

// Calls returns the calls of method.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns the community's messages to peer that are not deleted.
func (s *Server) Sent(peer int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if m.PeerID == peer && m.Out == 1 && !m.Deleted {
			cp := *m
			cp.Attachments = append([]string(nil), m.Attachments...)
			out = append(out, cp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Message returns a message by id.
func (s *Server) Message(id int64) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	if m == nil || m.Deleted {
		return Message{}, false
	}
	return *m, true
}

// Backdate moves a message's date d into the past.
func (s *Server) Backdate(id int64, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.msgs[id]; m != nil {
		m.Date -= int64(d / time.Second)
	}
}

// FileData returns the content behind an attachment string the
// community sent (photo<owner>_<id>_<key> or doc<owner>_<id>).
func (s *Server) FileData(att string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files[s.saved[att]]; f != nil {
		return f.data
	}
	return nil
}

// LastEvent is the number of the newest event.
func (s *Server) LastEvent() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextSeq
}

// Hold makes long polls wait as if nothing happened until Release, so that
// several events written meanwhile reach the connector in one answer, as
// they do from VK when they come close together.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = true
}

// Release ends Hold: a waiting poll answers with everything written since.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.held = false
	s.kickLocked()
}

func (s *Server) kickLocked() {
	close(s.wake)
	s.wake = make(chan struct{})
}

// pushLocked appends an event of the given type with object.
func (s *Server) pushLocked(typ string, object any) int64 {
	s.nextSeq++
	raw, _ := json.Marshal(map[string]any{"type": typ, "object": object, "group_id": s.GroupID,
		"event_id": fmt.Sprintf("%040x", 0xe0e0+s.nextSeq), "v": "5.199"})
	s.events = append(s.events, event{seq: s.nextSeq, raw: raw})
	s.kickLocked()
	return s.nextSeq
}

// Push appends a raw update (a sample from the reference); its group_id
// is set to the community's.
func (s *Server) Push(update []byte) int64 {
	var u map[string]any
	if err := json.Unmarshal(update, &u); err != nil {
		panic("fakevk: a pushed update is not JSON: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextSeq++
	u["group_id"] = s.GroupID
	raw, _ := json.Marshal(u)
	s.events = append(s.events, event{seq: s.nextSeq, raw: raw})
	s.kickLocked()
	return s.nextSeq
}

func clientInfo() map[string]any {
	return map[string]any{"button_actions": []string{"text", "vkpay", "open_app", "location", "open_link", "callback", "intent_subscribe", "intent_unsubscribe"},
		"keyboard": true, "inline_keyboard": true, "carousel": true, "lang_id": 0}
}

func (s *Server) userLocked(id int64) *User {
	u := s.users[id]
	if u == nil {
		u = &User{ID: id, FirstName: "User", LastName: strconv.FormatInt(id, 10)}
		s.users[id] = u
	}
	return u
}

// newMessageLocked stores a user's message and its message_new event.
func (s *Server) newMessageLocked(from int64, text string, replyTo int64, atts []map[string]any) *Message {
	u := s.userLocked(from)
	u.Allowed = true
	s.nextMsg++
	m := &Message{ID: s.nextMsg, Date: s.now().Unix(), PeerID: from, FromID: from, Text: text, ConvMsgID: s.nextMsg}
	s.msgs[m.ID] = m
	obj := messageObject(m)
	if atts == nil {
		atts = []map[string]any{}
	}
	obj["attachments"] = atts
	if r := s.msgs[replyTo]; r != nil {
		obj["reply_message"] = messageObject(r)
	}
	s.pushLocked("message_new", map[string]any{"message": obj, "client_info": clientInfo()})
	return m
}

func messageObject(m *Message) map[string]any {
	return map[string]any{"date": m.Date, "from_id": m.FromID, "id": m.ID, "out": m.Out, "peer_id": m.PeerID,
		"text": m.Text, "conversation_message_id": m.ConvMsgID, "fwd_messages": []any{}, "important": false,
		"random_id": m.RandomID, "attachments": []any{}, "is_hidden": false}
}

// UserWrites makes a user write to the community; it returns the event's
// number and the message.
func (s *Server) UserWrites(from int64, text string) (int64, Message) {
	return s.UserReplies(from, text, 0)
}

// UserReplies makes a user answer a message of the dialog.
func (s *Server) UserReplies(from int64, text string, replyTo int64) (int64, Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.newMessageLocked(from, text, replyTo, nil)
	return s.nextSeq, *m
}

// UserSendsPhoto makes a user send a photo (VK gives it in several sizes).
func (s *Server) UserSendsPhoto(from int64, caption string, data []byte) (int64, Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	small := s.putFileLocked(data[:min(len(data), 16)], "s.jpg", "image/jpeg")
	big := s.putFileLocked(data, "w.jpg", "image/jpeg")
	photo := map[string]any{"album_id": -3, "date": s.now().Unix(), "id": 457239017 + s.nextFile, "owner_id": from, "access_key": "5f2e1c7b9a0d3e4f21",
		"sizes": []map[string]any{{"height": 75, "type": "s", "width": 75, "url": small}, {"height": 1280, "type": "w", "width": 960, "url": big}},
		"text":  "", "has_tags": false}
	m := s.newMessageLocked(from, caption, 0, []map[string]any{{"type": "photo", "photo": photo}})
	return s.nextSeq, *m
}

// UserSendsDoc makes a user send a document.
func (s *Server) UserSendsDoc(from int64, title, ext string, data []byte) (int64, Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	url := s.putFileLocked(data, title, "application/octet-stream")
	doc := map[string]any{"id": 678901234 + s.nextFile, "owner_id": from, "title": title, "size": len(data), "ext": ext, "date": s.now().Unix(),
		"type": 1, "url": url, "access_key": "9c2b7a1e0f3d"}
	m := s.newMessageLocked(from, "", 0, []map[string]any{{"type": "doc", "doc": doc}})
	return s.nextSeq, *m
}

// UserEdits makes a user edit their message: a message_edit event.
func (s *Server) UserEdits(id int64, text string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	m.Text, m.UpdateTime = text, s.now().Unix()
	obj := messageObject(m)
	obj["update_time"] = m.UpdateTime
	return s.pushLocked("message_edit", obj)
}

// UserReads makes a user read the dialog up to a message: message_read.
func (s *Server) UserReads(peer, upTo int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pushLocked("message_read", map[string]any{"from_id": peer, "peer_id": peer, "read_message_id": upTo, "conversation_message_id": upTo})
}

// UserDenies makes a user forbid messages from the community.
func (s *Server) UserDenies(id int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(id).Allowed = false
	return s.pushLocked("message_deny", map[string]any{"user_id": id})
}

// UserAllows makes a user allow messages, with the key of the widget.
func (s *Server) UserAllows(id int64, key string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(id).Allowed = true
	return s.pushLocked("message_allow", map[string]any{"user_id": id, "key": key})
}

// Block puts a user on the community's blacklist.
func (s *Server) Block(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userLocked(id).Blocked = true
}

// vkError is an error object of the reference.
type vkError struct {
	code int
	msg  string
}

var errorTexts = map[int]string{
	5:   "User authorization failed: invalid access_token (4).",
	6:   "Too many requests per second",
	8:   "Invalid request: v (version) is required",
	10:  "Internal server error",
	15:  "Access denied",
	27:  "Group authorization failed: method is unavailable with group auth.",
	100: "One of the parameters specified was missing or invalid",
	900: "Can't send messages for users from blacklist",
	901: "Can't send messages for users without permission",
	909: "Can't edit this message, because it's too old",
	914: "Message is too long",
	924: "Can't delete this message for everybody",
}

func fail(code int, detail string) *vkError {
	msg := errorTexts[code]
	if detail != "" {
		msg += ": " + detail
	}
	return &vkError{code: code, msg: msg}
}
