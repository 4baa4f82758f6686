package fakebotapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// These tests hold the server to the reference's wording, with plain HTTP
// calls as curl would make them.

type answer struct {
	Status      int
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func call(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("%s: the answer is not JSON: %v", req.URL.Path, err)
	}
	a.Status = resp.StatusCode
	if a.OK == (a.ErrorCode != 0) || (!a.OK && a.ErrorCode != a.Status) {
		t.Fatalf("%s: envelope %+v does not follow the reference", req.URL.Path, a)
	}
	return a
}

func get(t *testing.T, s *Server, method string, q url.Values) answer {
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/bot"+s.Token+"/"+method+"?"+q.Encode(), nil)
	return call(t, req)
}

func postForm(t *testing.T, s *Server, method string, f url.Values) answer {
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/bot"+s.Token+"/"+method, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return call(t, req)
}

func postJSON(t *testing.T, s *Server, method string, body string) answer {
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/bot"+s.Token+"/"+method, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return call(t, req)
}

func TestRefusalsUseTheReferenceEnvelope(t *testing.T) {
	s := New()
	defer s.Close()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/bot123:wrong/getMe", nil)
	if a := call(t, req); a.ErrorCode != 401 || a.Description != "Unauthorized" {
		t.Errorf("a wrong token: %+v", a)
	}
	req, _ = http.NewRequest(http.MethodGet, s.URL+"/botnot-a-token/getMe", nil)
	if a := call(t, req); a.ErrorCode != 404 || a.Description != "Not Found" {
		t.Errorf("a malformed token: %+v", a)
	}
	if a := get(t, s, "noSuchMethod", nil); a.ErrorCode != 404 {
		t.Errorf("an unknown method: %+v", a)
	}
	if a := get(t, s, "GETME", nil); !a.OK {
		t.Errorf("method names are case-insensitive: %+v", a)
	}
	s.Flood("sendMessage", 7)
	if a := postJSON(t, s, "sendMessage", `{"chat_id":1,"text":"x"}`); a.ErrorCode != 429 || a.Parameters.RetryAfter != 7 ||
		a.Description != "Too Many Requests: retry after 7" {
		t.Errorf("flood control: %+v", a)
	}
	if a := postJSON(t, s, "sendMessage", `{"chat_id":1,"text":"x"}`); a.ErrorCode != 400 || a.Description != "Bad Request: chat not found" {
		t.Errorf("an unknown chat: %+v", a)
	}
}

func TestGetUpdatesConfirmsByOffset(t *testing.T) {
	s := New()
	defer s.Close()
	u := User{ID: 42, FirstName: "Ann"}
	id1, _ := s.UserWrites(u, "one", 0)
	id2, _ := s.UserWrites(u, "two", 0)
	var ups []struct {
		UpdateID int64 `json:"update_id"`
	}
	a := get(t, s, "getUpdates", nil)
	if json.Unmarshal(a.Result, &ups); len(ups) != 2 || ups[0].UpdateID != id1 {
		t.Fatalf("getUpdates = %s", a.Result)
	}
	// Asking again without a higher offset confirms nothing.
	if a := postForm(t, s, "getUpdates", url.Values{"offset": {"0"}}); json.Unmarshal(a.Result, &ups) != nil || len(ups) != 2 {
		t.Fatalf("unconfirmed updates were dropped: %s", a.Result)
	}
	a = postJSON(t, s, "getUpdates", `{"offset":`+jsonInt(id2)+`}`)
	if json.Unmarshal(a.Result, &ups); len(ups) != 1 || ups[0].UpdateID != id2 || s.Pending() != 1 {
		t.Fatalf("offset %d = %s, pending %d", id2, a.Result, s.Pending())
	}
	// A long poll returns as soon as an update arrives.
	go func() {
		time.Sleep(200 * time.Millisecond)
		s.UserWrites(u, "three", 0)
	}()
	began := time.Now()
	a = get(t, s, "getUpdates", url.Values{"offset": {jsonInt(id2 + 1)}, "timeout": {"20"}})
	if json.Unmarshal(a.Result, &ups); len(ups) != 1 || time.Since(began) > 10*time.Second {
		t.Fatalf("long poll = %s after %v", a.Result, time.Since(began))
	}
	// A second poller ends the first with 409.
	first := make(chan answer, 1)
	go func() {
		first <- get(t, s, "getUpdates", url.Values{"offset": {jsonInt(ups[0].UpdateID + 1)}, "timeout": {"20"}})
	}()
	time.Sleep(200 * time.Millisecond)
	if a := get(t, s, "getUpdates", url.Values{"offset": {jsonInt(ups[0].UpdateID + 1)}, "timeout": {"1"}}); !a.OK {
		t.Fatalf("the second poller got %+v", a)
	}
	if a := <-first; a.ErrorCode != 409 || !strings.HasPrefix(a.Description, "Conflict: terminated by other getUpdates request") {
		t.Fatalf("the first poller got %+v", a)
	}
}

func TestFilesGoUpAndComeDown(t *testing.T) {
	s := New()
	defer s.Close()
	s.UserWrites(User{ID: 42, FirstName: "Ann"}, "hi", 0)
	a := postJSON(t, s, "sendDocument", `{"chat_id":42,"document":"https://127.0.0.1:1/nowhere.pdf"}`)
	if a.ErrorCode != 400 {
		t.Fatalf("an unreachable URL: %+v", a)
	}
	f := s.AddFile("a.pdf", []byte("%PDF-1.4"))
	a = postJSON(t, s, "sendDocument", `{"chat_id":42,"document":"`+f.FileID+`","caption":"your invoice"}`)
	var m Message
	if json.Unmarshal(a.Result, &m); !a.OK || m.Document == nil || m.Caption != "your invoice" {
		t.Fatalf("sendDocument by file_id = %+v", a)
	}
	a = get(t, s, "getFile", url.Values{"file_id": {m.Document.FileID}})
	var file File
	if json.Unmarshal(a.Result, &file); file.FilePath == "" {
		t.Fatalf("getFile = %s", a.Result)
	}
	resp, err := http.Get(s.URL + "/file/bot" + s.Token + "/" + file.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "%PDF-1.4" {
		t.Fatalf("download = %q", body)
	}
	big := s.AddFile("big.bin", make([]byte, maxDownload+1))
	if a := get(t, s, "getFile", url.Values{"file_id": {big.FileID}}); a.Description != "Bad Request: file is too big" {
		t.Fatalf("getFile over 20 MB = %+v", a)
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
