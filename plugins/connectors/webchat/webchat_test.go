package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"switchboard/plugins/conformance"
	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

func buildWebchat(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "webchat")
	if b, err := exec.Command("go", "build", "-o", out, "switchboard/plugins/connectors/webchat").CombinedOutput(); err != nil {
		t.Fatalf("build webchat: %v\n%s", err, b)
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// customer is a visitor of the chat with their own cookie jar.
type customer struct {
	t    *testing.T
	base string
	http *http.Client
}

func newCustomer(t *testing.T, addr string) *customer {
	jar, _ := cookiejar.New(nil)
	return &customer{t: t, base: "http://" + addr, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (c *customer) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

func (c *customer) history() []line {
	c.t.Helper()
	code, body := c.do("GET", "/api/history", nil)
	if code != http.StatusOK {
		c.t.Fatalf("GET /api/history = %d %s", code, body)
	}
	var h struct{ Lines []line }
	if err := json.Unmarshal(body, &h); err != nil {
		c.t.Fatal(err)
	}
	return h.Lines
}

func TestWebchatPassesTheConformanceKit(t *testing.T) {
	addr := freeAddr(t)
	visitor := newCustomer(t, addr)
	conformance.Run(t, buildWebchat(t), conformance.Options{
		Settings:    fmt.Appendf(nil, `{"listen":%q}`, addr),
		BadSettings: []byte(`{"listen":"nowhere"}`),
		Inbound: func(ctx context.Context, n int) error {
			for i := range n {
				if code, body := visitor.do("POST", "/api/messages", map[string]string{"text": fmt.Sprint("hello ", i)}); code != http.StatusCreated {
					return fmt.Errorf("POST /api/messages = %d %s", code, body)
				}
			}
			return nil
		},
		Delivered: func(ctx context.Context, chatID, text string) error {
			for _, l := range visitor.history() {
				if l.From == "operator" && l.Text == text {
					return nil
				}
			}
			return fmt.Errorf("%q is not in the visitor's history", text)
		},
	})
}

// hostWithWebchat installs the signed webchat plugin into a real host.
func hostWithWebchat(t *testing.T, deliver func(context.Context, string, host.InboundEvent) error) (*host.Host, string) {
	t.Helper()
	root := t.TempDir()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	dir := filepath.Join(root, "plugins", "webchat")
	os.MkdirAll(dir, 0o755)
	bin := buildWebchat(t)
	b, _ := os.ReadFile(bin)
	os.WriteFile(filepath.Join(dir, "webchat"), b, 0o755)
	sum, _ := manifest.FileSHA256(bin)
	m := manifest.Manifest{ID: "webchat", Name: "Website chat", Version: version, Publisher: "switchboard",
		ProtocolVersions: []int{1}, Executables: map[string]manifest.Executable{
			manifest.Platform(runtime.GOOS, runtime.GOARCH): {Path: "webchat", SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, key)
	os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644)
	h, err := host.New(host.Config{PluginsDir: filepath.Join(root, "plugins"), DataDir: filepath.Join(root, "data"),
		Trusted: manifest.TrustedKeys{"switchboard": {pub}}, Deliver: deliver})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	addr := freeAddr(t)
	if err := h.AddChannel(context.Background(), host.Channel{ID: "site", PluginID: "webchat",
		Settings: fmt.Appendf(nil, `{"listen":%q,"title":"Shop"}`, addr)}); err != nil {
		t.Fatal(err)
	}
	return h, addr
}

type inbox struct {
	mu  sync.Mutex
	evs []host.InboundEvent
	got chan host.InboundEvent
}

func (b *inbox) deliver(_ context.Context, _ string, ev host.InboundEvent) error {
	b.mu.Lock()
	b.evs = append(b.evs, ev)
	b.mu.Unlock()
	b.got <- ev
	return nil
}

func (b *inbox) next(t *testing.T, kind string) host.InboundEvent {
	t.Helper()
	for {
		select {
		case ev := <-b.got:
			if (kind == "message" && ev.Message != nil) || (kind == "profile" && ev.Profile != nil) || (kind == "typing" && ev.Typing != nil) {
				return ev
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no %s event", kind)
		}
	}
}

func TestAVisitorAndAnOperatorTalkThroughTheHost(t *testing.T) {
	in := &inbox{got: make(chan host.InboundEvent, 100)}
	h, addr := hostWithWebchat(t, in.deliver)
	visitor := newCustomer(t, addr)

	if code, body := visitor.do("POST", "/api/session", map[string]string{"name": "Оксана", "email": "o@example.com"}); code != http.StatusOK {
		t.Fatalf("POST /api/session = %d %s", code, body)
	}
	profile := in.next(t, "profile")
	if profile.Profile.DisplayName != "Оксана" || profile.Profile.Email != "o@example.com" {
		t.Fatalf("profile = %+v", profile.Profile)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := "ws://" + addr + "/api/ws"
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: visitor.http})
	if err != nil {
		t.Fatalf("dial %s: %v", u, err)
	}
	defer ws.CloseNow()
	if err := wsjson.Write(ctx, ws, wsIn{Type: "message", Text: "<b>Где мой заказ?</b>"}); err != nil {
		t.Fatal(err)
	}
	msg := in.next(t, "message")
	if msg.Message.Text != "<b>Где мой заказ?</b>" || msg.Message.From.DisplayName != "Оксана" || msg.ChatID != profile.ChatID {
		t.Fatalf("inbound message = %+v in chat %s, want the visitor's text verbatim in %s", msg.Message, msg.ChatID, profile.ChatID)
	}

	res, err := h.Send(ctx, "site", sdk.OutboundMessage{IdempotencyKey: "r1", ChatID: msg.ChatID, Text: "Уже в пути", SenderName: "Support"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.State != sdk.DeliveryDelivered {
		t.Errorf("Send state = %v, want delivered (the visitor's page is open)", res.State)
	}
	for {
		var out wsOut
		if err := wsjson.Read(ctx, ws, &out); err != nil {
			t.Fatalf("read ws: %v", err)
		}
		if out.Type == "message" {
			if out.Line.Text != "Уже в пути" || out.Line.Name != "Support" || out.Line.From != "operator" {
				t.Fatalf("visitor got %+v", out.Line)
			}
			break
		}
	}

	// A returning visitor (same cookie) finds the conversation.
	hist := visitor.history()
	if len(hist) != 2 || hist[0].From != "visitor" || hist[1].From != "operator" {
		t.Fatalf("history = %+v, want the visitor's line then the operator's", hist)
	}
	// Another visitor sees none of it.
	if other := newCustomer(t, addr).history(); len(other) != 0 {
		t.Fatalf("a new visitor sees %+v", other)
	}
}

func TestBadVisitorInputIsRefusedWithACode(t *testing.T) {
	in := &inbox{got: make(chan host.InboundEvent, 100)}
	_, addr := hostWithWebchat(t, in.deliver)
	visitor := newCustomer(t, addr)
	tests := []struct {
		name     string
		path     string
		body     any
		wantCode int
		wantErr  string
	}{
		{"an empty message", "/api/messages", map[string]string{"text": "   "}, http.StatusBadRequest, "message_empty"},
		{"a message past 4000 characters", "/api/messages", map[string]string{"text": strings.Repeat("я", 4001)}, http.StatusRequestEntityTooLarge, "message_too_long"},
		{"a session without a name", "/api/session", map[string]string{"email": "a@b.c"}, http.StatusBadRequest, "name_invalid"},
		{"a session with a bad e-mail", "/api/session", map[string]string{"name": "A", "email": "nope"}, http.StatusBadRequest, "email_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := visitor.do("POST", tt.path, tt.body)
			var e apiError
			json.Unmarshal(body, &e)
			if code != tt.wantCode || e.Code != tt.wantErr {
				t.Fatalf("POST %s = %d %s, want %d %s", tt.path, code, body, tt.wantCode, tt.wantErr)
			}
		})
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.evs) != 0 {
		t.Fatalf("bad input made events: %+v", in.evs)
	}
}

func TestAnOperatorRepliesEditsAndDeletesInTheVisitorsChat(t *testing.T) {
	in := &inbox{got: make(chan host.InboundEvent, 100)}
	h, addr := hostWithWebchat(t, in.deliver)
	visitor := newCustomer(t, addr)
	visitor.do("POST", "/api/session", map[string]string{"name": "Оксана"})
	if code, body := visitor.do("POST", "/api/messages", map[string]string{"text": "Можно поменять адрес?"}); code != http.StatusCreated {
		t.Fatalf("POST /api/messages = %d %s", code, body)
	}
	msg := in.next(t, "message")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/api/ws", &websocket.DialOptions{HTTPClient: visitor.http})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	// next reads the page's events until one of the type arrives.
	next := func(typ string) line {
		t.Helper()
		for {
			var out wsOut
			if err := wsjson.Read(ctx, ws, &out); err != nil {
				t.Fatalf("read ws waiting for %s: %v", typ, err)
			}
			if out.Type == typ {
				return *out.Line
			}
		}
	}

	res, err := h.Send(ctx, "site", sdk.OutboundMessage{IdempotencyKey: "r1", ChatID: msg.ChatID, Text: "Да, напишите новый",
		ReplyToExternalID: msg.Message.ExternalID})
	if err != nil {
		t.Fatal(err)
	}
	if l := next("message"); l.ReplyTo == nil || l.ReplyTo.ID != msg.Message.ExternalID || l.ReplyTo.Text != "Можно поменять адрес?" {
		t.Fatalf("the reply reached the page as %+v, want it quoting the visitor's question", l)
	}
	conn, err := h.Connector("site")
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Edit(ctx, msg.ChatID, res.ExternalID, "Да, напишите новый адрес"); err != nil {
		t.Fatalf("Edit: %v", err)
	}
	if l := next("edit"); l.Text != "Да, напишите новый адрес" || !l.Edited {
		t.Fatalf("the edit reached the page as %+v", l)
	}
	if err := conn.Delete(ctx, msg.ChatID, res.ExternalID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if l := next("delete"); l.Text != "" || !l.Deleted {
		t.Fatalf("the delete reached the page as %+v", l)
	}
	hist := visitor.history()
	if len(hist) != 2 || !hist[1].Deleted || hist[1].Text != "" || hist[1].ReplyTo != nil {
		t.Fatalf("history = %+v, want the operator's line kept as deleted, without its text", hist)
	}
	// The visitor's own lines and unknown ones are not the operator's to change.
	for _, id := range []string{msg.Message.ExternalID, "op-nope"} {
		err := conn.Edit(ctx, msg.ChatID, id, "x")
		if ce := (*sdk.ChannelError)(nil); !errors.As(err, &ce) || ce.Code != "message_unknown" {
			t.Errorf("Edit(%s) = %v, want the channel error message_unknown", id, err)
		}
	}
}
