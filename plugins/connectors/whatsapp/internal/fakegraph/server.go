// Package fakegraph is a local WhatsApp Cloud API (Graph API) server for
// tests, written from Meta's published reference
// (https://developers.facebook.com/docs/whatsapp/cloud-api): versioned URLs
// (/v21.0/<id>), bearer tokens, the {"error":{"message","type","code",
// "error_subcode","error_data","fbtrace_id"}} error object, and the nodes a
// support connector uses: GET /<PHONE_NUMBER_ID> (the token check),
// POST /<PHONE_NUMBER_ID>/messages (text, media, templates, reactions and
// read receipts), POST /<PHONE_NUMBER_ID>/media (multipart upload),
// GET /<MEDIA_ID> (the media URL) and the authenticated download.
//
// It also plays Meta's side of webhooks: Subscribe does the verification
// handshake (hub.mode, hub.verify_token, hub.challenge), and every
// notification is POSTed signed with X-Hub-Signature-256 (HMAC-SHA256 of
// the body with the app secret) and retried, as Meta does, until the
// endpoint answers 200. Tests play the customers (a user writes, sends a
// photo, reads a message), make the messages node answer rate-limit errors
// (130429, 131056), and read back what the business sent. Messages follow
// the platform's rules: free-form messages outside the 24-hour customer
// service window fail with 131047 in a status webhook, messages to numbers
// without WhatsApp fail with 131026, templates must exist and be approved.
package fakegraph

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Version is the Graph API version in the URLs.
const Version = "v21.0"

// Limits from the reference.
const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
	window        = 24 * time.Hour
)

// User is a WhatsApp user the tests play.
type User struct {
	WaID string
	Name string
	// last is when the user last wrote to the business: it opens the
	// 24-hour customer service window.
	last time.Time
}

// Sent is a message the business sent.
type Sent struct {
	ID       string
	To       string // wa_id
	Type     string // text, image, document, audio, video, sticker, template, reaction
	Text     string // text body or caption
	ReplyTo  string // context.message_id
	Media    []byte // an uploaded file's content
	MIMEType string
	Filename string
	Link     string
	Template string // name/language
	Params   []string
	Status   string // accepted, sent, delivered, read, failed
}

// Call is one request the server answered.
type Call struct {
	Method string
	Path   string
	Body   string // JSON requests only
	At     time.Time
	Status int
	Code   int // the error code answered, 0 on success
}

// Delivery is one webhook notification and what became of it.
type Delivery struct {
	Body     []byte
	Attempts int
	Status   int // the last answer; 200 once delivered
}

type media struct {
	data []byte
	mime string
	name string
}

// Template is a message template of the business account.
type Template struct {
	Name, Language, Status string // Status: APPROVED, PENDING, REJECTED, PAUSED, DISABLED
	Params                 int    // the body's {{n}} count
}

// Server is a running fake Cloud API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the versioned base to give a client instead of
	// https://graph.facebook.com/v21.0.
	URL           string
	Token         string
	AppSecret     string
	PhoneNumberID string
	DisplayPhone  string
	VerifiedName  string
	WABAID        string

	hs     *httptest.Server
	client *http.Client
	done   chan struct{}
	kick   chan struct{}

	// mu guards everything below.
	mu         sync.Mutex
	now        func() time.Time
	users      map[string]*User
	sent       []*Sent
	byID       map[string]*Sent
	media      map[string]*media
	templates  map[string]Template
	nextID     int
	throttle   []int // error codes the next POST /messages calls answer
	mediaFails int   // the next GET /<MEDIA_ID> calls answer error 2
	calls      []Call
	reads      []string
	callback   string
	queue      []*Delivery
	deliveries []*Delivery
	closed     bool
}

// New starts a server for one business phone number.
func New() *Server {
	s := &Server{
		Token:         "EAAJB3fake0graph0access0token0ZCZBq9ZCZAfsZD",
		AppSecret:     "9f2c3a1b7d6e5f40a1b2c3d4e5f60718",
		PhoneNumberID: "106540352242922",
		DisplayPhone:  "15550783881",
		VerifiedName:  "Shop Support",
		WABAID:        "102290129340398",
		now:           time.Now,
		users:         map[string]*User{},
		byID:          map[string]*Sent{},
		media:         map[string]*media{},
		templates:     map[string]Template{},
		client:        &http.Client{Timeout: 10 * time.Second},
		done:          make(chan struct{}),
		kick:          make(chan struct{}, 1),
	}
	s.AddTemplate(Template{Name: "hello_world", Language: "en_US", Status: "APPROVED"})
	s.hs = httptest.NewServer(s)
	s.URL = s.hs.URL + "/" + Version
	go s.deliverLoop()
	return s
}

// Close stops the server and its webhook deliveries.
func (s *Server) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
	s.hs.CloseClientConnections()
	s.hs.Close()
}

// AddUser makes waID a WhatsApp user; numbers never added are not on
// WhatsApp.
func (s *Server) AddUser(waID, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[waID] == nil {
		s.users[waID] = &User{WaID: waID, Name: name}
	}
}

// AddTemplate adds or replaces a message template.
func (s *Server) AddTemplate(t Template) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.templates[t.Name+"/"+t.Language] = t
}

// Backdate moves the user's last message d into the past, closing the
// customer service window once d passes 24 hours.
func (s *Server) Backdate(waID string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[waID]; u != nil {
		u.last = u.last.Add(-d)
	}
}

// Throttle makes the next POST /messages calls answer the error codes in
// turn: 130429 (throughput), 131056 (pair rate), 4 or 80007 (API rate).
func (s *Server) Throttle(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = append(s.throttle, codes...)
}

// Calls returns the requests whose path ends with suffix.
func (s *Server) Calls(suffix string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if strings.HasSuffix(c.Path, suffix) {
			out = append(out, c)
		}
	}
	return out
}

// SentTo returns what the business sent to waID, in order.
func (s *Server) SentTo(waID string) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sent
	for _, m := range s.sent {
		if m.To == waID {
			out = append(out, *m)
		}
	}
	return out
}

// Reads returns the message ids the business marked as read.
func (s *Server) Reads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reads...)
}

// Deliveries returns the webhook notifications so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Delivery, len(s.deliveries))
	for i, d := range s.deliveries {
		out[i] = *d
	}
	return out
}

// Pending is the number of notifications not yet answered with 200.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

func (s *Server) newWamid() string {
	s.nextID++
	return fmt.Sprintf("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI%016X", 0x5A7E000000+s.nextID)
}

// fbtrace is the trace id every error carries.
func fbtrace() string { return "AjQ8yK2wZ9mFqHx" + strconv.FormatInt(time.Now().UnixNano()%100000, 10) }

// graphError is an error object of the reference.
type graphError struct {
	status   int
	code     int
	subcode  int
	typ      string
	message  string
	details  string
	retryHdr string
}

func (e *graphError) body() []byte {
	obj := map[string]any{"message": e.message, "type": e.typ, "code": e.code, "fbtrace_id": fbtrace()}
	if e.subcode != 0 {
		obj["error_subcode"] = e.subcode
	}
	if e.details != "" {
		obj["error_data"] = map[string]string{"messaging_product": "whatsapp", "details": e.details}
	}
	b, _ := json.Marshal(map[string]any{"error": obj})
	return b
}

func invalidToken() *graphError {
	return &graphError{status: 401, code: 190, typ: "OAuthException", message: "Invalid OAuth access token - Cannot parse access token"}
}

func invalidParam(details string) *graphError {
	return &graphError{status: 400, code: 100, typ: "OAuthException", message: "(#100) Invalid parameter", details: details}
}

func missingParam(details string) *graphError {
	return &graphError{status: 400, code: 131008, typ: "OAuthException", message: "(#131008) Required parameter is missing", details: details}
}

func unknownObject(id string) *graphError {
	return &graphError{status: 400, code: 100, subcode: 33, typ: "GraphMethodException",
		message: fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", id)}
}

// rateLimit answers one of the throttling codes.
func rateLimit(code int) *graphError {
	switch code {
	case 131056:
		return &graphError{status: 400, code: code, typ: "OAuthException", message: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
			details: "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."}
	case 4:
		return &graphError{status: 400, code: code, subcode: 2207051, typ: "OAuthException", message: "(#4) Application request limit reached"}
	case 80007:
		return &graphError{status: 400, code: code, typ: "OAuthException", message: "(#80007) Rate limit issues",
			details: "The WhatsApp Business Account has reached its rate limit."}
	}
	return &graphError{status: 400, code: 130429, typ: "OAuthException", message: "(#130429) Rate limit hit",
		details: "Cloud API message throughput has been reached."}
}

var versionPath = regexp.MustCompile(`^/v[0-9]+\.[0-9]+(/.*)$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/download/") {
		s.download(w, r)
		return
	}
	call := Call{Method: r.Method, Path: r.URL.Path, At: time.Now()}
	var body []byte
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 1<<20))
		call.Body = string(body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	result, gerr := s.route(r)
	if gerr != nil {
		call.Status, call.Code = gerr.status, gerr.code
		if gerr.status == 401 {
			w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+gerr.message+`"`)
		}
		if gerr.retryHdr != "" {
			w.Header().Set("Retry-After", gerr.retryHdr)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(gerr.status)
		_, _ = w.Write(gerr.body())
	} else {
		call.Status = 200
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(result)
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}

func (s *Server) route(r *http.Request) (any, *graphError) {
	m := versionPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		return nil, &graphError{status: 400, code: 2500, typ: "OAuthException", message: "Unknown path components: " + r.URL.Path}
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		if r.Header.Get("Authorization") == "" {
			return nil, &graphError{status: 400, code: 2500, typ: "OAuthException", message: "An active access token must be used to query information about the current user."}
		}
		return nil, invalidToken()
	}
	parts := strings.Split(strings.Trim(m[1], "/"), "/")
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet && parts[0] == s.PhoneNumberID:
		return map[string]any{"verified_name": s.VerifiedName, "display_phone_number": "+1 555-078-3881", "id": s.PhoneNumberID,
			"quality_rating": "GREEN", "code_verification_status": "VERIFIED"}, nil
	case len(parts) == 1 && r.Method == http.MethodGet:
		return s.mediaURL(parts[0])
	case len(parts) == 2 && parts[0] != s.PhoneNumberID:
		return nil, unknownObject(parts[0])
	case len(parts) == 2 && parts[1] == "messages" && r.Method == http.MethodPost:
		return s.messages(r)
	case len(parts) == 2 && parts[1] == "media" && r.Method == http.MethodPost:
		return s.upload(r)
	}
	return nil, unknownObject(parts[0])
}

// FailMedia makes the next n media URL look-ups answer 500 with code 2
// (service temporarily unavailable).
func (s *Server) FailMedia(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mediaFails += n
}

func (s *Server) mediaURL(id string) (any, *graphError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mediaFails > 0 {
		s.mediaFails--
		return nil, &graphError{status: 500, code: 2, typ: "OAuthException", message: "Service temporarily unavailable"}
	}
	md := s.media[id]
	if md == nil {
		return nil, unknownObject(id)
	}
	sum := sha256.Sum256(md.data)
	return map[string]any{"messaging_product": "whatsapp", "url": s.hs.URL + "/download/" + id + "?ext=1",
		"mime_type": md.mime, "sha256": hex.EncodeToString(sum[:]), "file_size": strconv.Itoa(len(md.data)), "id": id}, nil
}

// download serves a media URL: like Meta's, it wants the access token.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	md := s.media[strings.TrimPrefix(r.URL.Path, "/download/")]
	s.mu.Unlock()
	if md == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", md.mime)
	_, _ = w.Write(md.data)
}

func (s *Server) upload(r *http.Request) (any, *graphError) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return nil, invalidParam("the upload must be multipart/form-data")
	}
	if r.FormValue("messaging_product") != "whatsapp" {
		return nil, missingParam("messaging_product is required")
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, missingParam("file is required")
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	typ := r.FormValue("type")
	if typ == "" {
		typ = hdr.Header.Get("Content-Type")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strconv.FormatInt(int64(len(s.media))+1034567890123456, 10)
	s.media[id] = &media{data: data, mime: typ, name: hdr.Filename}
	return map[string]string{"id": id}, nil
}

// PutMedia stores a customer's file under id, as a webhook refers to it.
func (s *Server) PutMedia(id, mime string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.media[id] = &media{data: data, mime: mime}
}

type mediaObject struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type sendRequest struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
	Context          *struct {
		MessageID string `json:"message_id"`
	} `json:"context"`
	Text *struct {
		Body       string `json:"body"`
		PreviewURL bool   `json:"preview_url"`
	} `json:"text"`
	Image    *mediaObject `json:"image"`
	Document *mediaObject `json:"document"`
	Audio    *mediaObject `json:"audio"`
	Video    *mediaObject `json:"video"`
	Sticker  *mediaObject `json:"sticker"`
	Template *struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

var digits = regexp.MustCompile(`[^0-9]`)

func (s *Server) messages(r *http.Request) (any, *graphError) {
	var req sendRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return nil, invalidParam("the body must be JSON")
	}
	if req.MessagingProduct != "whatsapp" {
		return nil, invalidParam("messaging_product must be whatsapp")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Status == "read" {
		if s.byID[req.MessageID] == nil && !strings.HasPrefix(req.MessageID, "wamid.") {
			return nil, invalidParam("Invalid message_id")
		}
		s.reads = append(s.reads, req.MessageID)
		return map[string]bool{"success": true}, nil
	}
	if len(s.throttle) > 0 {
		code := s.throttle[0]
		s.throttle = s.throttle[1:]
		return nil, rateLimit(code)
	}
	if req.To == "" {
		return nil, missingParam("to is required")
	}
	waID := digits.ReplaceAllString(req.To, "")
	m := &Sent{To: waID, Type: req.Type, Status: "accepted"}
	if req.Context != nil {
		m.ReplyTo = req.Context.MessageID
	}
	if gerr := s.fill(m, &req); gerr != nil {
		return nil, gerr
	}
	m.ID = s.newWamid()
	s.sent = append(s.sent, m)
	s.byID[m.ID] = m
	resp := map[string]any{"messaging_product": "whatsapp",
		"contacts": []map[string]string{{"input": req.To, "wa_id": waID}}}
	msg := map[string]string{"id": m.ID}
	if m.Type == "template" {
		msg["message_status"] = "accepted"
	}
	resp["messages"] = []map[string]string{msg}
	// What becomes of the message arrives by webhook, as on the platform.
	u := s.users[waID]
	switch {
	case u == nil:
		s.statusLocked(m, "failed", 131026, "Message undeliverable", "Message Undeliverable.")
	case m.Type != "template" && (u.last.IsZero() || s.now().Sub(u.last) > window):
		s.statusLocked(m, "failed", 131047, "Re-engagement message",
			"Message failed to send because more than 24 hours have passed since the customer last replied to this number.")
	default:
		s.statusLocked(m, "sent", 0, "", "")
		s.statusLocked(m, "delivered", 0, "", "")
	}
	return resp, nil
}

// fill checks a message's type object against the reference.
func (s *Server) fill(m *Sent, req *sendRequest) *graphError {
	obj := map[string]*mediaObject{"image": req.Image, "document": req.Document, "audio": req.Audio, "video": req.Video, "sticker": req.Sticker}
	switch req.Type {
	case "", "text":
		m.Type = "text"
		if req.Text == nil || req.Text.Body == "" {
			return missingParam("text['body'] is required")
		}
		if len([]rune(req.Text.Body)) > maxTextLen {
			return invalidParam("Param text['body'] must be at most 4096 characters long.")
		}
		m.Text = req.Text.Body
	case "image", "document", "audio", "video", "sticker":
		o := obj[req.Type]
		if o == nil || (o.ID == "") == (o.Link == "") {
			return missingParam(req.Type + " needs exactly one of id or link")
		}
		if o.Caption != "" && (req.Type == "audio" || req.Type == "sticker") {
			return invalidParam("Param " + req.Type + "['caption'] is not allowed")
		}
		if len([]rune(o.Caption)) > maxCaptionLen {
			return invalidParam("Param " + req.Type + "['caption'] must be at most 1024 characters long.")
		}
		m.Text, m.Filename, m.Link = o.Caption, o.Filename, o.Link
		if o.ID != "" {
			md := s.media[o.ID]
			if md == nil {
				return &graphError{status: 400, code: 131053, typ: "OAuthException", message: "(#131053) Media upload error",
					details: "Unable to find media with id " + o.ID}
			}
			m.Media, m.MIMEType = md.data, md.mime
		}
	case "template":
		t := req.Template
		if t == nil || t.Name == "" || t.Language.Code == "" {
			return missingParam("template name and language are required")
		}
		tpl, ok := s.templates[t.Name+"/"+t.Language.Code]
		if !ok || tpl.Status == "PENDING" || tpl.Status == "REJECTED" {
			return &graphError{status: 404, code: 132001, typ: "OAuthException", message: "(#132001) Template name does not exist in the translation",
				details: fmt.Sprintf("template name (%s) does not exist in %s", t.Name, t.Language.Code)}
		}
		switch tpl.Status {
		case "PAUSED":
			return &graphError{status: 400, code: 132015, typ: "OAuthException", message: "(#132015) Template is Paused", details: "Template is paused due to low quality so it cannot be sent in a template message."}
		case "DISABLED":
			return &graphError{status: 400, code: 132016, typ: "OAuthException", message: "(#132016) Template is Disabled", details: "Template has been paused too many times due to low quality and is now permanently disabled."}
		}
		for _, c := range t.Components {
			if c.Type == "body" {
				for _, p := range c.Parameters {
					m.Params = append(m.Params, p.Text)
				}
			}
		}
		if len(m.Params) != tpl.Params {
			return &graphError{status: 400, code: 132000, typ: "OAuthException", message: "(#132000) Number of parameters does not match the expected number of params",
				details: fmt.Sprintf("body: number of localizable_params (%d) does not match the expected number of params (%d)", len(m.Params), tpl.Params)}
		}
		m.Template = t.Name + "/" + t.Language.Code
	default:
		return &graphError{status: 400, code: 131051, typ: "OAuthException", message: "(#131051) Unsupported message type", details: "Message type is not currently supported."}
	}
	return nil
}

// UserReads makes the customer read a message: a read status webhook.
func (s *Server) UserReads(wamid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.byID[wamid]; m != nil {
		s.statusLocked(m, "read", 0, "", "")
	}
}

func (s *Server) statusLocked(m *Sent, status string, code int, title, details string) {
	m.Status = status
	st := map[string]any{"id": m.ID, "status": status, "timestamp": strconv.FormatInt(s.now().Unix(), 10), "recipient_id": m.To}
	if code != 0 {
		st["errors"] = []map[string]any{{"code": code, "title": title, "message": title,
			"error_data": map[string]string{"details": details},
			"href":       "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}}
	} else {
		st["conversation"] = map[string]any{"id": "c0ffee" + m.To, "origin": map[string]string{"type": "service"}}
		st["pricing"] = map[string]any{"billable": true, "pricing_model": "CBP", "category": "service"}
	}
	s.notifyLocked(map[string]any{"statuses": []any{st}})
}

// notifyLocked queues a messages-field notification around value.
func (s *Server) notifyLocked(value map[string]any) {
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]string{"display_phone_number": s.DisplayPhone, "phone_number_id": s.PhoneNumberID}
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": s.WABAID, "changes": []any{map[string]any{"value": value, "field": "messages"}}}}})
	s.queueLocked(body)
}

func (s *Server) queueLocked(body []byte) {
	d := &Delivery{Body: body}
	s.queue = append(s.queue, d)
	s.deliveries = append(s.deliveries, d)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// UserWrites makes a user write text to the business and returns the
// message's wamid. A user not added before is added.
func (s *Server) UserWrites(waID, name, text string) string {
	return s.userMessage(waID, name, "", map[string]any{"type": "text", "text": map[string]string{"body": text}})
}

// UserReplies makes a user reply to a message (theirs or the business's).
func (s *Server) UserReplies(waID, name, text, to string) string {
	return s.userMessage(waID, name, to, map[string]any{"type": "text", "text": map[string]string{"body": text}})
}

// UserSendsMedia makes a user send a file (kind: image, document, audio,
// video, sticker) with an optional caption.
func (s *Server) UserSendsMedia(waID, name, kind, mime, filename, caption string, data []byte) string {
	s.mu.Lock()
	id := strconv.FormatInt(int64(len(s.media))+2034567890123456, 10)
	s.media[id] = &media{data: data, mime: mime, name: filename}
	s.mu.Unlock()
	sum := sha256.Sum256(data)
	obj := map[string]any{"id": id, "mime_type": mime, "sha256": hex.EncodeToString(sum[:])}
	if caption != "" {
		obj["caption"] = caption
	}
	if filename != "" {
		obj["filename"] = filename
	}
	if kind == "audio" {
		obj["voice"] = true
	}
	return s.userMessage(waID, name, "", map[string]any{"type": kind, kind: obj})
}

func (s *Server) userMessage(waID, name, replyTo string, msg map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[waID]
	if u == nil {
		u = &User{WaID: waID, Name: name}
		s.users[waID] = u
	}
	u.last = s.now()
	id := s.newWamid()
	msg["from"], msg["id"], msg["timestamp"] = waID, id, strconv.FormatInt(u.last.Unix(), 10)
	if replyTo != "" {
		msg["context"] = map[string]string{"from": s.DisplayPhone, "id": replyTo}
	}
	s.notifyLocked(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]string{"name": u.Name}, "wa_id": waID}},
		"messages": []any{msg},
	})
	return id
}

// Post queues a raw notification (a documented sample payload), signed
// and retried like any other.
func (s *Server) Post(body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queueLocked(append([]byte(nil), body...))
}

// Sign is the X-Hub-Signature-256 header value for body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Subscribe sets the webhook callback as the App Dashboard does: Meta
// calls it with hub.mode=subscribe, the verify token and a challenge, and
// accepts it only if the challenge comes back. Notifications go to it from
// then on.
func (s *Server) Subscribe(callback, verifyToken string) error {
	challenge := strconv.FormatInt(time.Now().UnixNano()%1_000_000_000, 10)
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {verifyToken}, "hub.challenge": {challenge}}
	resp, err := s.client.Get(callback + "?" + q.Encode())
	if err != nil {
		return fmt.Errorf("the callback URL could not be reached: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK || string(b) != challenge {
		return fmt.Errorf("the callback URL or verify token couldn't be validated (%d %q)", resp.StatusCode, b)
	}
	s.mu.Lock()
	s.callback = callback
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return nil
}

// retryDelay is how long a failed notification waits before the next try;
// Meta backs off over hours, the tests' server over fractions of a second.
func retryDelay(attempt int) time.Duration {
	return min(time.Duration(attempt)*100*time.Millisecond, time.Second)
}

// deliverLoop posts queued notifications in order, each until answered
// with 200.
func (s *Server) deliverLoop() {
	for {
		s.mu.Lock()
		var d *Delivery
		if len(s.queue) > 0 && s.callback != "" {
			d = s.queue[0]
		}
		callback := s.callback
		s.mu.Unlock()
		if d == nil {
			select {
			case <-s.done:
				return
			case <-s.kick:
			}
			continue
		}
		status := s.post(callback, d.Body)
		s.mu.Lock()
		d.Attempts++
		d.Status = status
		if status == http.StatusOK {
			s.queue = s.queue[1:]
		}
		attempts := d.Attempts
		s.mu.Unlock()
		if status != http.StatusOK {
			select {
			case <-s.done:
				return
			case <-time.After(retryDelay(attempts)):
			}
		}
	}
}

func (s *Server) post(callback string, body []byte) int {
	req, err := http.NewRequest(http.MethodPost, callback, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set("X-Hub-Signature-256", Sign(s.AppSecret, body))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
