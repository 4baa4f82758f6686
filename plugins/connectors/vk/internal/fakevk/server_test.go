package fakevk

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

func call(t *testing.T, s *Server, method string, params url.Values) map[string]any {
	t.Helper()
	resp, err := http.PostForm(s.URL+"/"+method, params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s answered HTTP %d; the API answers errors with 200", method, resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func errorCode(out map[string]any) float64 {
	e, _ := out["error"].(map[string]any)
	if e == nil || e["error_msg"] == nil || e["request_params"] == nil {
		return -1
	}
	return e["error_code"].(float64)
}

func TestTheServerAnswersInTheReferencesEnvelopes(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddUser(User{ID: 42, FirstName: "A", LastName: "B"}, nil)
	auth := func(extra url.Values) url.Values {
		v := url.Values{"access_token": {s.Token}, "v": {"5.199"}}
		for k, x := range extra {
			v[k] = x
		}
		return v
	}
	tests := []struct {
		name   string
		method string
		params url.Values
		code   float64
	}{
		{"no version is error 8", "groups.getById", url.Values{"access_token": {s.Token}}, 8},
		{"a wrong token is error 5", "groups.getById", url.Values{"access_token": {"x"}, "v": {"5.199"}}, 5},
		{"an unknown method is error 3", "messages.fly", auth(nil), 3},
		{"a user who never wrote is error 901", "messages.send", auth(url.Values{"peer_id": {"42"}, "random_id": {"1"}, "message": {"hi"}}), 901},
		{"random_id must be an int32", "messages.send", auth(url.Values{"peer_id": {"42"}, "random_id": {"99999999999"}, "message": {"hi"}}), 100},
		{"the community's own long poll server", "groups.getLongPollServer", auth(url.Values{"group_id": {strconv.FormatInt(s.GroupID, 10)}}), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := call(t, s, tt.method, tt.params)
			if tt.code == 0 {
				if out["response"] == nil {
					t.Fatalf("answer = %v, want a response", out)
				}
				return
			}
			if got := errorCode(out); got != tt.code {
				t.Fatalf("answer = %v, want error %v", out, tt.code)
			}
		})
	}
	s.UserWrites(42, "hello")
	send := auth(url.Values{"peer_id": {"42"}, "random_id": {"7"}, "message": {"answer"}})
	first, again := call(t, s, "messages.send", send), call(t, s, "messages.send", send)
	if first["response"] == nil || first["response"] != again["response"] || len(s.Sent(42)) != 1 {
		t.Fatalf("the same random_id twice = %v, %v; %d messages", first, again, len(s.Sent(42)))
	}
}

func TestTheLongPollAnswersFailedAsTheReferenceSays(t *testing.T) {
	s := New()
	defer s.Close()
	poll := func(key, ts string) map[string]any {
		resp, err := http.Get(s.hs.URL + "/lp/1?" + url.Values{"act": {"a_check"}, "key": {key}, "ts": {ts}, "wait": {"0"}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return out
	}
	ts := strconv.FormatInt(s.LastEvent(), 10)
	s.UserWrites(5, "a")
	s.UserWrites(5, "b")
	if out := poll(s.key, ts); len(out["updates"].([]any)) != 2 || out["ts"] != strconv.FormatInt(s.LastEvent(), 10) {
		t.Fatalf("poll = %v", out)
	}
	if out := poll(s.key, ts); len(out["updates"].([]any)) != 2 {
		t.Fatalf("asking from the same ts again = %v, want the same updates", out)
	}
	if out := poll("stale", ts); out["failed"] != 2.0 {
		t.Fatalf("a stale key = %v, want failed 2", out)
	}
	s.LoseHistory()
	if out := poll(s.key, ts); out["failed"] != 1.0 || out["ts"] == nil {
		t.Fatalf("lost history = %v, want failed 1 with a ts", out)
	}
	s.LoseInformation()
	if out := poll(s.key, ts); out["failed"] != 3.0 {
		t.Fatalf("lost information = %v, want failed 3", out)
	}
}
