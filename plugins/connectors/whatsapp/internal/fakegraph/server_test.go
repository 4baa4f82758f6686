package fakegraph

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// do calls the server as a client of the Cloud API would.
func do(t *testing.T, s *Server, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s answered %q, not JSON", method, path, raw)
	}
	return resp.StatusCode, out
}

func errorCode(out map[string]any) float64 {
	e, _ := out["error"].(map[string]any)
	if e == nil || e["fbtrace_id"] == nil || e["type"] == nil || e["message"] == nil {
		return -1 // not the reference's error object
	}
	c, _ := e["code"].(float64)
	return c
}

func TestTheServerAnswersInTheReferencesShapes(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddUser("16505551234", "Kerry")
	pn := "/" + s.PhoneNumberID
	text := `{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"hi"}}`
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code                            float64
	}{
		{"the phone number's node", "GET", pn, s.Token, "", 200, 0},
		{"a wrong token is OAuthException 190", "GET", pn, "EAAwrong", "", 401, 190},
		{"an unknown node is 100 with subcode 33", "GET", "/999999", s.Token, "", 400, 100},
		{"a text message", "POST", pn + "/messages", s.Token, text, 200, 0},
		{"a message without messaging_product", "POST", pn + "/messages", s.Token, `{"to":"1","type":"text","text":{"body":"x"}}`, 400, 100},
		{"a text past 4096 characters", "POST", pn + "/messages", s.Token,
			`{"messaging_product":"whatsapp","to":"16505551234","type":"text","text":{"body":"` + strings.Repeat("x", 4097) + `"}}`, 400, 100},
		{"a template that does not exist", "POST", pn + "/messages", s.Token,
			`{"messaging_product":"whatsapp","to":"16505551234","type":"template","template":{"name":"nope","language":{"code":"en_US"}}}`, 404, 132001},
		{"an image without id or link", "POST", pn + "/messages", s.Token, `{"messaging_product":"whatsapp","to":"16505551234","type":"image","image":{}}`, 400, 131008},
		{"a type the API does not know", "POST", pn + "/messages", s.Token, `{"messaging_product":"whatsapp","to":"16505551234","type":"hologram"}`, 400, 131051},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := do(t, s, tt.method, tt.path, tt.token, tt.body)
			if status != tt.status {
				t.Fatalf("status = %d %v, want %d", status, out, tt.status)
			}
			if tt.code != 0 && errorCode(out) != tt.code {
				t.Fatalf("error = %v, want code %v", out, tt.code)
			}
		})
	}
	_, out := do(t, s, "POST", pn+"/messages", s.Token, text)
	msgs, _ := out["messages"].([]any)
	contacts, _ := out["contacts"].([]any)
	if len(msgs) != 1 || len(contacts) != 1 || out["messaging_product"] != "whatsapp" {
		t.Fatalf("send answer = %v", out)
	}
	s.Throttle(130429)
	if status, out := do(t, s, "POST", pn+"/messages", s.Token, text); status != 400 || errorCode(out) != 130429 {
		t.Fatalf("throttled = %d %v", status, out)
	}
}

func TestNotificationsAreSignedAndRetriedUntil200(t *testing.T) {
	s := New()
	defer s.Close()
	var mu = make(chan struct{}, 1)
	attempts := 0
	var lastBody []byte
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "GET" {
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Hub-Signature-256") != Sign(s.AppSecret, body) {
			t.Errorf("signature %q does not match the body", r.Header.Get("X-Hub-Signature-256"))
		}
		mu <- struct{}{}
		attempts++
		lastBody = body
		ok := attempts >= 3
		<-mu
		if !ok {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer hook.Close()
	if err := s.Subscribe(hook.URL, "token"); err != nil {
		t.Fatal(err)
	}
	s.UserWrites("16505551234", "Kerry", "hello")
	deadline := time.Now().Add(10 * time.Second)
	for s.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	mu <- struct{}{}
	defer func() { <-mu }()
	if attempts != 3 || !bytes.Contains(lastBody, []byte(`"whatsapp_business_account"`)) {
		t.Fatalf("%d attempts, last body %s", attempts, lastBody)
	}
}
