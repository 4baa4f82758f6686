package fakevk

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/method/"):
		s.method(w, r)
	case strings.HasPrefix(r.URL.Path, "/lp/"):
		s.poll(w, r)
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		s.upload(w, r)
	case strings.HasPrefix(r.URL.Path, "/files/"):
		s.download(w, r)
	case strings.HasPrefix(r.URL.Path, "/static/"):
		s.mu.Lock()
		f := s.static[strings.TrimPrefix(r.URL.Path, "/static")]
		s.mu.Unlock()
		if f == nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f.mime)
		_, _ = w.Write(f.data)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// method answers /method/<name>: the reference's envelopes, always with
// HTTP 200.
func (s *Server) method(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/method/")
	if err := r.ParseForm(); err != nil {
		writeJSON(w, map[string]any{"error": map[string]any{"error_code": 8, "error_msg": "Invalid request: " + err.Error()}})
		return
	}
	params := map[string]string{}
	for k := range r.Form {
		params[k] = r.Form.Get(k)
	}
	res, verr := s.dispatch(name, params)
	call := Call{Method: name, Params: params, At: time.Now()}
	delete(call.Params, "access_token")
	if verr != nil {
		call.Error = verr.code
		rp := []map[string]string{{"key": "method", "value": name}, {"key": "oauth", "value": "1"}}
		for k, v := range params {
			if k != "access_token" {
				rp = append(rp, map[string]string{"key": k, "value": v})
			}
		}
		writeJSON(w, map[string]any{"error": map[string]any{"error_code": verr.code, "error_msg": verr.msg, "request_params": rp}})
	} else {
		writeJSON(w, map[string]any{"response": res})
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}

func (s *Server) dispatch(name string, p map[string]string) (any, *vkError) {
	if p["v"] == "" {
		return nil, fail(8, "")
	}
	if p["access_token"] != s.Token {
		return nil, fail(5, "")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttled[name] > 0 {
		s.throttled[name]--
		return nil, fail(6, "")
	}
	switch name {
	case "groups.getById":
		return map[string]any{"groups": []map[string]any{{"id": s.GroupID, "name": s.Name, "screen_name": "shop_support", "is_closed": 0, "type": "group"}},
			"profiles": []any{}}, nil
	case "groups.getLongPollServer":
		if p["group_id"] != strconv.FormatInt(s.GroupID, 10) {
			return nil, fail(100, "group_id is invalid")
		}
		if !s.longPoll {
			return nil, fail(15, "Long Poll API is disabled for this community")
		}
		return map[string]string{"key": s.key, "server": s.hs.URL + "/lp/" + strconv.FormatInt(s.GroupID, 10), "ts": strconv.FormatInt(s.nextSeq, 10)}, nil
	case "users.get":
		var out []*User
		for _, id := range strings.Split(p["user_ids"], ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
			if err != nil {
				return nil, fail(113, "Invalid user id")
			}
			u := *s.userLocked(n)
			if !strings.Contains(p["fields"], "photo_200") {
				u.Photo200 = ""
			}
			if !strings.Contains(p["fields"], "screen_name") {
				u.ScreenName = ""
			}
			out = append(out, &u)
		}
		return out, nil
	case "messages.send":
		return s.send(p)
	case "messages.edit":
		return s.edit(p)
	case "messages.delete":
		return s.delete(p)
	case "messages.markAsRead":
		return 1, nil
	case "messages.setActivity":
		return s.setActivity(p)
	case "photos.getMessagesUploadServer":
		return map[string]any{"album_id": -3, "upload_url": s.hs.URL + "/upload/photo", "user_id": 0, "group_id": s.GroupID}, nil
	case "photos.saveMessagesPhoto":
		return s.savePhoto(p)
	case "docs.getMessagesUploadServer":
		if p["peer_id"] == "" {
			return nil, fail(100, "peer_id is undefined")
		}
		return map[string]string{"upload_url": s.hs.URL + "/upload/doc"}, nil
	case "docs.save":
		return s.saveDoc(p)
	}
	return nil, &vkError{code: 3, msg: "Unknown method passed"}
}

func peerOf(p map[string]string) (int64, *vkError) {
	n, err := strconv.ParseInt(p["peer_id"], 10, 64)
	if err != nil || n == 0 {
		return 0, fail(100, "peer_id is undefined")
	}
	return n, nil
}

var attachmentPattern = regexp.MustCompile(`^(photo|doc)-?[0-9]+_[0-9]+(_[0-9a-f]+)?$`)

func (s *Server) send(p map[string]string) (any, *vkError) {
	peer, verr := peerOf(p)
	if verr != nil {
		return nil, verr
	}
	rid, err := strconv.ParseInt(p["random_id"], 10, 64)
	if err != nil || rid < -1<<31 || rid >= 1<<31 {
		return nil, fail(100, "random_id is a required int32")
	}
	u := s.users[peer]
	switch {
	case u == nil:
		return nil, fail(901, "")
	case u.Blocked:
		return nil, fail(900, "")
	case !u.Allowed:
		return nil, fail(901, "")
	}
	// random_id makes a repeated call answer the message it already sent.
	if rid != 0 {
		for _, m := range s.msgs {
			if m.PeerID == peer && m.Out == 1 && m.RandomID == rid {
				return m.ID, nil
			}
		}
	}
	text := p["message"]
	var atts []string
	if p["attachment"] != "" {
		atts = strings.Split(p["attachment"], ",")
	}
	if text == "" && len(atts) == 0 {
		return nil, fail(100, "message is empty or invalid")
	}
	if len([]rune(text)) > maxTextLen {
		return nil, fail(914, "")
	}
	if len(atts) > 10 {
		return nil, fail(100, "too many attachments")
	}
	for _, a := range atts {
		if !attachmentPattern.MatchString(a) || s.saved[a] == "" {
			return nil, fail(100, "attachment is invalid")
		}
	}
	var reply int64
	if p["reply_to"] != "" {
		reply, _ = strconv.ParseInt(p["reply_to"], 10, 64)
		if r := s.msgs[reply]; r == nil || r.PeerID != peer {
			return nil, fail(100, "reply_to is invalid")
		}
	}
	s.nextMsg++
	m := &Message{ID: s.nextMsg, Date: s.now().Unix(), PeerID: peer, FromID: -s.GroupID, Out: 1, Text: text, RandomID: rid,
		ReplyTo: reply, Attachments: atts, ConvMsgID: s.nextMsg}
	s.msgs[m.ID] = m
	obj := messageObject(m)
	s.pushLocked("message_reply", obj)
	return m.ID, nil
}

func (s *Server) own(p map[string]string, key string) (*Message, *vkError) {
	peer, verr := peerOf(p)
	if verr != nil {
		return nil, verr
	}
	id, _ := strconv.ParseInt(p[key], 10, 64)
	m := s.msgs[id]
	if m == nil || m.PeerID != peer || m.Deleted {
		return nil, fail(100, key+" is invalid")
	}
	if m.Out != 1 {
		return nil, &vkError{code: 920, msg: "Can't edit this kind of message"}
	}
	return m, nil
}

func (s *Server) edit(p map[string]string) (any, *vkError) {
	m, verr := s.own(p, "message_id")
	if verr != nil {
		return nil, verr
	}
	if s.now().Unix()-m.Date > int64(editWindow/time.Second) {
		return nil, fail(909, "")
	}
	if len([]rune(p["message"])) > maxTextLen {
		return nil, fail(914, "")
	}
	var atts []string
	if p["attachment"] != "" {
		atts = strings.Split(p["attachment"], ",")
	}
	if p["message"] == "" && len(atts) == 0 {
		return nil, fail(100, "message is empty")
	}
	m.Text, m.Attachments, m.UpdateTime = p["message"], atts, s.now().Unix()
	return 1, nil
}

func (s *Server) delete(p map[string]string) (any, *vkError) {
	if p["delete_for_all"] != "1" {
		return nil, fail(100, "a community deletes only for everybody")
	}
	out := map[string]int{}
	var ms []*Message
	for _, id := range strings.Split(p["message_ids"], ",") {
		m, verr := s.own(map[string]string{"peer_id": p["peer_id"], "message_id": id}, "message_id")
		if verr != nil {
			return nil, verr
		}
		if s.now().Unix()-m.Date > int64(deleteWindow/time.Second) {
			return nil, fail(924, "")
		}
		ms = append(ms, m)
	}
	for _, m := range ms {
		m.Deleted = true
		out[strconv.FormatInt(m.ID, 10)] = 1
	}
	return out, nil
}

// upload takes a multipart file at an upload URL, as VK's upload servers do.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	field := "file"
	if r.URL.Path == "/upload/photo" {
		field = "photo"
	}
	f, hdr, err := r.FormFile(field)
	if err != nil {
		writeJSON(w, map[string]any{"error": "ERR_UPLOAD_FILE_NOT_UPLOADED: file not uploaded", "error_descr": "no " + field + " field"})
		return
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextFile++
	id := strconv.Itoa(s.nextFile)
	s.files[id] = &file{data: data, name: hdr.Filename, mime: hdr.Header.Get("Content-Type")}
	if field == "photo" {
		writeJSON(w, map[string]any{"server": 856230, "photo": `[{"markers_restarted":true,"photo":"` + id + `:x","sizes":[],"kid":"2d8d2a8c"}]`, "hash": "h" + id})
		return
	}
	writeJSON(w, map[string]string{"file": id + "|0|0|856230|doc|" + hdr.Filename})
}

func (s *Server) savePhoto(p map[string]string) (any, *vkError) {
	var ph []struct {
		Photo string `json:"photo"`
	}
	if err := json.Unmarshal([]byte(p["photo"]), &ph); err != nil || len(ph) == 0 || p["hash"] == "" || p["server"] == "" {
		return nil, fail(100, "photo is undefined")
	}
	id, _, _ := strings.Cut(ph[0].Photo, ":")
	if s.files[id] == nil || p["hash"] != "h"+id {
		return nil, &vkError{code: 121, msg: "Invalid hash"}
	}
	pid := 457240000 + len(s.saved)
	key := fmt.Sprintf("%012x", 0x5eed00000000+pid)
	s.saved[fmt.Sprintf("photo-%d_%d_%s", s.GroupID, pid, key)] = id
	return []map[string]any{{"album_id": -3, "date": s.now().Unix(), "id": pid, "owner_id": -s.GroupID, "access_key": key,
		"sizes": []any{}, "text": "", "has_tags": false}}, nil
}

func (s *Server) saveDoc(p map[string]string) (any, *vkError) {
	id, _, _ := strings.Cut(p["file"], "|")
	if s.files[id] == nil {
		return nil, fail(100, "file is undefined")
	}
	did := 680000000 + len(s.saved)
	s.saved[fmt.Sprintf("doc-%d_%d", s.GroupID, did)] = id
	title := p["title"]
	if title == "" {
		title = s.files[id].name
	}
	return map[string]any{"type": "doc", "doc": map[string]any{"id": did, "owner_id": -s.GroupID, "title": title,
		"size": len(s.files[id].data), "ext": "pdf", "url": s.hs.URL + "/files/" + id + "/" + title}}, nil
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/files/"), "/")
	s.mu.Lock()
	f := s.files[id]
	s.mu.Unlock()
	if f == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.mime)
	_, _ = w.Write(f.data)
}

// poll answers the Bots Long Poll server: events after ts, waiting up to
// wait seconds for one; failed 1, 2 or 3 as the reference describes.
func (s *Server) poll(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wait, _ := strconv.Atoi(q.Get("wait"))
	wait = min(max(wait, 0), maxWait)
	deadline := time.After(time.Duration(wait) * time.Second)
	for {
		s.mu.Lock()
		switch {
		case s.lost:
			s.lost = false
			ts := s.nextSeq
			s.mu.Unlock()
			writeJSON(w, map[string]any{"failed": 1, "ts": strconv.FormatInt(ts, 10)})
			return
		case q.Get("key") != s.key:
			s.mu.Unlock()
			writeJSON(w, map[string]any{"failed": 2})
			return
		case s.lost3:
			s.lost3 = false
			s.keyGen++
			s.key = fmt.Sprintf("%040x", 0xa6f3c9d1+s.keyGen)
			s.mu.Unlock()
			writeJSON(w, map[string]any{"failed": 3})
			return
		}
		ts, err := strconv.ParseInt(q.Get("ts"), 10, 64)
		if err != nil || ts > s.nextSeq {
			s.mu.Unlock()
			writeJSON(w, map[string]any{"failed": 1, "ts": strconv.FormatInt(s.nextSeq, 10)})
			return
		}
		var updates []json.RawMessage
		for _, e := range s.events {
			if e.seq > ts && len(updates) < 100 {
				updates = append(updates, e.raw)
			}
		}
		if len(updates) > 0 && !s.held {
			next := ts + int64(len(updates))
			s.mu.Unlock()
			writeJSON(w, map[string]any{"ts": strconv.FormatInt(next, 10), "updates": updates})
			return
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			writeJSON(w, map[string]any{"ts": strconv.FormatInt(ts, 10), "updates": []any{}})
			return
		case <-r.Context().Done():
			return
		}
	}
}

// setActivity shows the community typing (or recording a voice message)
// in a conversation for about ten seconds
// (https://dev.vk.com/method/messages.setActivity): only where the user
// lets the community write.
func (s *Server) setActivity(p map[string]string) (any, *vkError) {
	peer, verr := peerOf(p)
	if verr != nil {
		return nil, verr
	}
	if t := p["type"]; t != "typing" && t != "audiomessage" {
		return nil, fail(100, "type is invalid")
	}
	u := s.users[peer]
	switch {
	case u == nil || !u.Allowed:
		return nil, fail(901, "")
	case u.Blocked:
		return nil, fail(900, "")
	}
	return 1, nil
}
