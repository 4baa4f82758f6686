package relay_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/server"
	"switchboard/server/relay"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// webchatBin is the real website chat connector, built once; echoBin the
// plugin tests' connector (it starts dialogs by phone and echoes sends);
// quietBin its variant that takes typing and read receipts without
// declaring them.
var webchatBin, echoBin, quietBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sbrelay")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	webchatBin, echoBin = filepath.Join(dir, "webchat"), filepath.Join(dir, "echo")
	quietBin = filepath.Join(dir, "quiet")
	for _, b := range []struct{ bin, pkg, ldflags string }{
		{webchatBin, "switchboard/plugins/connectors/webchat", ""},
		{echoBin, "switchboard/plugins/internal/testconnector", ""},
		{quietBin, "switchboard/plugins/internal/testconnector", "-X main.id=quiet -X main.quiet=yes"},
	} {
		bin, pkg := b.bin, b.pkg
		if out, err := exec.Command("go", "build", "-ldflags", b.ldflags, "-o", bin, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// installWebchat signs the connector into pluginsDir as publisher
// "switchboard" and returns the keys to trust and the publisher's key, to
// sign more plugins with (installPlugin).
func installWebchat(t *testing.T, pluginsDir string) (manifest.TrustedKeys, ed25519.PrivateKey) {
	t.Helper()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	installPlugin(t, pluginsDir, "webchat", "Website chat", webchatBin, key)
	return manifest.TrustedKeys{"switchboard": {pub}}, key
}

// installPlugin signs bin into pluginsDir as plugin id of publisher
// "switchboard".
func installPlugin(t *testing.T, pluginsDir, id, name, bin string, key ed25519.PrivateKey) {
	t.Helper()
	dir := filepath.Join(pluginsDir, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id), b, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, _ := manifest.FileSHA256(bin)
	m := manifest.Manifest{ID: id, Name: name, Version: "1.0.0", Publisher: "switchboard", ProtocolVersions: []int{1},
		Executables: map[string]manifest.Executable{manifest.Platform(runtime.GOOS, runtime.GOARCH): {Path: id, SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, key)
	if err := os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
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

// env is a team server on a demo workspace with a relay hosting the
// website chat, whose customer side listens on chat.
type env struct {
	t    *testing.T
	st   store.Store
	srv  *server.Server
	api  *httptest.Server
	rl   *relay.Relay
	chat string
	// plugins is the relay's plugins folder; key signs plugins for it.
	plugins string
	key     ed25519.PrivateKey
}

func newEnv(t *testing.T, st store.Store, chatSettings string, tweaks ...func(*relay.Config)) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := seed.Demo(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, chat: freeAddr(t)}
	if chatSettings == "" {
		chatSettings = `{"listen":"` + e.chat + `","title":"Shop"}`
	}
	if err := st.PutChannelSettings(ctx, "ch-webchat", []byte(chatSettings)); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	e.plugins = filepath.Join(root, "plugins")
	trusted, key := installWebchat(t, e.plugins)
	e.key = key
	e.srv = server.New(server.Config{Store: st})
	e.api = httptest.NewServer(e.srv.Handler())
	cfg := relay.Config{Server: e.srv, Store: st, PluginsDir: filepath.Join(root, "plugins"),
		DataDir: filepath.Join(root, "relay"), Trusted: trusted, LeaseTTL: time.Second, RetryEvery: 200 * time.Millisecond,
		HostConfig: func(c *host.Config) { c.SettleDelay = 50 * time.Millisecond; c.MinBackoff = 20 * time.Millisecond }}
	for _, tw := range tweaks {
		tw(&cfg)
	}
	rl, err := relay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.rl = rl
	go e.srv.Run(ctx)
	done := make(chan struct{})
	go func() { _ = rl.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		e.api.Close()
		st.Close()
	})
	return e
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// call sends a JSON request and decodes a JSON answer into out.
func call(t *testing.T, c *http.Client, method, url, auth string, in, out any) int {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wire.ProtocolHeader, "1")
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, b)
		}
	}
	return res.StatusCode
}

func (e *env) login(email string) string {
	var r wire.LoginResponse
	if code := call(e.t, http.DefaultClient, "POST", e.api.URL+"/api/v1/auth/login", "", wire.LoginRequest{Email: email, Password: seed.DemoPassword}, &r); code != 200 {
		e.t.Fatalf("login %s = %d", email, code)
	}
	return r.Token
}

// customer is a visitor of the website chat, with its cookie.
type customer struct {
	t    *testing.T
	c    *http.Client
	base string
}

func (e *env) customer() *customer {
	jar, _ := cookiejar.New(nil)
	return &customer{t: e.t, c: &http.Client{Jar: jar}, base: "http://" + e.chat}
}

type chatLine struct {
	ID, From, Name, Text string
}

// waitForChat waits until the website chat serves its customers.
func (c *customer) waitForChat() {
	c.t.Helper()
	eventually(c.t, "the chat serving customers", func() bool {
		res, err := c.c.Get(c.base + "/api/config")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	})
}

func (c *customer) history() []chatLine {
	var h struct{ Lines []chatLine }
	call(c.t, c.c, "GET", c.base+"/api/history", "", nil, &h)
	return h.Lines
}

// dialogWith finds the dialog in which a message with text arrived, as
// the operator's pull shows it.
func (e *env) messageWith(token, text string) *inbox.Message {
	var p wire.PullResponse
	call(e.t, http.DefaultClient, "GET", e.api.URL+"/api/v1/sync/pull?after=0&limit=10000", token, nil, &p)
	for _, c := range p.Changes {
		if c.Kind == wire.KindMessage && c.Op == wire.OpPut {
			var m inbox.Message
			_ = json.Unmarshal(c.Data, &m)
			if m.Text == text {
				return &m
			}
		}
	}
	return nil
}

var backends = []struct {
	name string
	open func(t *testing.T) store.Store
}{
	{"sqlite", func(t *testing.T) store.Store {
		s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sb.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgres", func(t *testing.T) store.Store {
		s, err := sqlstore.OpenPostgres(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

func TestACustomerAndAnOperatorTalkThroughTheWebsiteChat(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, b.open(t), "")
			cust := e.customer()
			cust.waitForChat()
			if code := call(t, cust.c, "POST", cust.base+"/api/session", "", map[string]string{"name": "Олег <b>Петренко</b>", "email": "oleg@example.com"}, nil); code != 200 {
				t.Fatalf("session = %d", code)
			}
			hello := "Здравствуйте! Где мой заказ №4815? <script>alert(1)</script>"
			if code := call(t, cust.c, "POST", cust.base+"/api/messages", "", map[string]string{"text": hello}, nil); code != 201 {
				t.Fatalf("message = %d", code)
			}

			// It reaches the operators of the chat's line as a new dialog.
			taras := e.login("taras@demo.switchboard")
			var in *inbox.Message
			eventually(t, "the customer's message at the server", func() bool { in = e.messageWith(taras, hello); return in != nil })
			d, err := e.st.Dialog(context.Background(), in.DialogID)
			if err != nil {
				t.Fatal(err)
			}
			if d.ChannelID != "ch-webchat" || d.LineID != "line-support" || d.Status != inbox.StatusUnassigned {
				t.Fatalf("dialog = channel %s line %s status %s, want a new unassigned dialog of the chat's line", d.ChannelID, d.LineID, d.Status)
			}

			// The operator answers; the customer reads it, signed with the
			// line's name (line-support shows the line's name).
			answer := "Добрый день! Заказ №4815 уже в пути."
			payload, _ := json.Marshal(map[string]string{"messageId": "m-answer-1", "dialogId": d.ID, "kind": "outbound", "text": answer})
			var res wire.CommandsResponse
			call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/commands", taras,
				wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "cmd-answer-1", Type: "message.send", Payload: payload}}}, &res)
			if len(res.Results) != 1 || !res.Results[0].OK {
				t.Fatalf("send = %+v", res)
			}
			eventually(t, "the answer in the customer's chat", func() bool {
				for _, l := range cust.history() {
					if l.From == "operator" && l.Text == answer {
						if l.Name != "Підтримка" {
							t.Errorf("the answer is signed %q, want the line's name Підтримка", l.Name)
						}
						return true
					}
				}
				return false
			})
			// The server records that the channel took it, with the
			// channel's id for it, and the queue is empty.
			eventually(t, "the delivery state at the server", func() bool {
				ms, _ := e.st.Messages(context.Background(), d.ID)
				for _, m := range ms {
					if m.ID == "m-answer-1" {
						return m.Delivery == inbox.DeliverySent && strings.HasPrefix(m.ExternalID, "op-")
					}
				}
				return false
			})
			// The relay records the delivery, then takes the message off
			// the queue: the two are moments apart.
			eventually(t, "the outbound queue empty", func() bool {
				q, err := e.st.Dispatch(context.Background(), []string{"ch-webchat"}, 10)
				return err == nil && len(q) == 0
			})
			// A second message from the customer lands in the same dialog.
			call(t, cust.c, "POST", cust.base+"/api/messages", "", map[string]string{"text": "Спасибо!"}, nil)
			eventually(t, "the follow-up", func() bool { m := e.messageWith(taras, "Спасибо!"); return m != nil && m.DialogID == d.ID })
			n := 0
			for _, l := range cust.history() {
				if l.Text == answer {
					n++
				}
			}
			if n != 1 {
				t.Errorf("the customer has the answer %d times, want once", n)
			}
		})
	}
}

func TestRefusedSettingsMarkTheChannelFailedUntilAnAdminFixesThem(t *testing.T) {
	e := newEnv(t, backends[0].open(t), `{"listen":"127.0.0.1:8090","colour":"red"}`)
	ctx := context.Background()
	channel := func() *inbox.Channel {
		org, err := e.st.Org(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return org.Channels["ch-webchat"]
	}
	eventually(t, "the channel marked failed", func() bool { return channel().State == inbox.ChannelFailed })
	if r := channel().StateReason; !strings.Contains(r, "colour") {
		t.Errorf("failure reason %q does not name the bad setting", r)
	}
	// An admin saves good settings through the API: the channel comes back.
	admin := e.login("admin@demo.switchboard")
	good := map[string]string{"listen": e.chat, "title": "Shop"}
	if code := call(t, http.DefaultClient, "PUT", e.api.URL+"/api/v1/admin/channels/ch-webchat/settings", admin, good, nil); code != 200 {
		t.Fatalf("PUT settings = %d", code)
	}
	eventually(t, "the channel running again", func() bool {
		st, ok := e.rl.Host().Status("ch-webchat")
		return ok && st.State == host.StateRunning && channel().State == inbox.ChannelActive
	})
	// Operators may neither read nor change settings; nonsense is refused.
	taras := e.login("taras@demo.switchboard")
	if code := call(t, http.DefaultClient, "GET", e.api.URL+"/api/v1/admin/channels/ch-webchat/settings", taras, nil, nil); code != 403 {
		t.Errorf("an operator reading channel settings = %d, want 403", code)
	}
	if code := call(t, http.DefaultClient, "PUT", e.api.URL+"/api/v1/admin/channels/ch-webchat/settings", admin, []int{1}, nil); code != 422 {
		t.Errorf("settings that are not an object = %d, want 422", code)
	}
	if code := call(t, http.DefaultClient, "PUT", e.api.URL+"/api/v1/admin/channels/nope/settings", admin, good, nil); code != 404 {
		t.Errorf("settings of an unknown channel = %d, want 404", code)
	}
	// The admin's channel screen lists the installed connector with the
	// settings schema its plugin describes.
	var conns []wire.Connector
	if code := call(t, http.DefaultClient, "GET", e.api.URL+"/api/v1/admin/connectors", admin, nil, &conns); code != 200 {
		t.Fatalf("GET connectors = %d", code)
	}
	if len(conns) != 1 || conns[0].ID != "webchat" || conns[0].Publisher != "switchboard" || !strings.Contains(conns[0].SettingsSchema, `"listen"`) {
		t.Errorf("connectors = %+v, want webchat with its schema", conns)
	}
}

// TestCommentsAndNotesNeverReachTheCustomer sends a comment (mentioning a
// colleague) and a private note before a reply: the reply reaches the
// customer through the connector, the two never do, and they are never
// queued for dispatch.
func TestCommentsAndNotesNeverReachTheCustomer(t *testing.T) {
	e := newEnv(t, backends[0].open(t), "")
	ctx := context.Background()
	cust := e.customer()
	cust.waitForChat()
	call(t, cust.c, "POST", cust.base+"/api/session", "", map[string]string{"name": "Olga", "email": "olga@example.com"}, nil)
	call(t, cust.c, "POST", cust.base+"/api/messages", "", map[string]string{"text": "Is my parcel insured?"}, nil)
	taras := e.login("taras@demo.switchboard")
	var in *inbox.Message
	eventually(t, "the customer's message at the server", func() bool { in = e.messageWith(taras, "Is my parcel insured?"); return in != nil })

	send := func(id, kind, text string, mentions ...string) {
		t.Helper()
		payload, _ := json.Marshal(map[string]any{"messageId": id, "dialogId": in.DialogID, "kind": kind, "text": text, "mentions": mentions})
		var res wire.CommandsResponse
		call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/commands", taras,
			wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "cmd-" + id, Type: "message.send", Payload: payload}}}, &res)
		if len(res.Results) != 1 || !res.Results[0].OK {
			t.Fatalf("send %s = %+v", kind, res)
		}
	}
	comment, note, reply := "@Sofia Koval is it insured? <b>internal</b>", "private: check the courier", "Yes, every parcel is insured."
	send("m-comment", "comment", comment, "op-sofia")
	send("m-note", "note", note)
	// Queued right after they were stored: neither is there.
	if q, _ := e.st.Dispatch(ctx, []string{"ch-webchat"}, 100); len(q) != 0 {
		t.Errorf("the outbound queue holds %d messages after a comment and a note, want none", len(q))
	}
	send("m-reply", "outbound", reply)
	eventually(t, "the reply in the customer's chat", func() bool {
		for _, l := range cust.history() {
			if l.Text == reply {
				return true
			}
		}
		return false
	})
	eventually(t, "the reply delivered and the queue empty", func() bool {
		q, _ := e.st.Dispatch(ctx, []string{"ch-webchat"}, 100)
		return len(q) == 0
	})
	for _, l := range cust.history() {
		if l.Text == comment || l.Text == note || strings.Contains(l.Text, "internal") || strings.Contains(l.Text, "courier") {
			t.Errorf("the customer's chat shows %q", l.Text)
		}
	}
	ms, err := e.st.Messages(ctx, in.DialogID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]inbox.MessageKind{"m-comment": inbox.MsgComment, "m-note": inbox.MsgNote}
	for _, m := range ms {
		want, ok := kinds[m.ID]
		if !ok {
			continue
		}
		delete(kinds, m.ID)
		if m.Kind != want || m.Delivery != "" || m.ExternalID != "" || m.Kind.ReachesClient() {
			t.Errorf("%s stored as kind %s, delivery %q, external id %q; want %s with no way to the customer",
				m.ID, m.Kind, m.Delivery, m.ExternalID, want)
		}
	}
	if len(kinds) != 0 {
		t.Errorf("not stored: %v", kinds)
	}
}

// TestRepliesEditsAndDeletesReachTheCustomer: the relay records what the
// website chat can do on its channel, a reply reaches the customer quoting
// the message it answers, and the operator's edit and delete reach the
// customer's chat through the real plugin, each with its delivery state.
func TestRepliesEditsAndDeletesReachTheCustomer(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, b.open(t), "")
			ctx := context.Background()
			eventually(t, "the chat's capabilities on its channel", func() bool {
				org, err := e.st.Org(ctx)
				if err != nil {
					return false
				}
				c := org.Channels["ch-webchat"].Capabilities
				return c.ReplyTo && c.EditWindowSeconds == -1 && c.DeleteWindowSeconds == -1 && c.Typing
			})
			cust := e.customer()
			cust.waitForChat()
			call(t, cust.c, "POST", cust.base+"/api/session", "", map[string]string{"name": "Olga"}, nil)
			question := "Can I change the delivery address?"
			call(t, cust.c, "POST", cust.base+"/api/messages", "", map[string]string{"text": question}, nil)
			taras := e.login("taras@demo.switchboard")
			var in *inbox.Message
			eventually(t, "the customer's message at the server", func() bool { in = e.messageWith(taras, question); return in != nil })

			command := func(id, typ string, payload any) {
				t.Helper()
				p, _ := json.Marshal(payload)
				var res wire.CommandsResponse
				call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/commands", taras,
					wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: id, Type: typ, Payload: p}}}, &res)
				if len(res.Results) != 1 || !res.Results[0].OK {
					t.Fatalf("%s = %+v", typ, res)
				}
			}
			stored := func() *inbox.Message {
				ms, _ := e.st.Messages(ctx, in.DialogID)
				for _, m := range ms {
					if m.ID == "m-reply" {
						return m
					}
				}
				return nil
			}
			line := func() *chatLine {
				var h struct {
					Lines []struct {
						chatLine
						Edited, Deleted bool
						ReplyTo         *struct{ ID, Text string }
					}
				}
				call(t, cust.c, "GET", cust.base+"/api/history", "", nil, &h)
				for _, l := range h.Lines {
					if l.From == "operator" {
						if l.ReplyTo != nil && l.ReplyTo.Text != question {
							t.Errorf("the reply quotes %q, want the customer's question", l.ReplyTo.Text)
						}
						if (l.ReplyTo != nil) == l.Deleted {
							t.Errorf("a live reply must quote the question, a deleted one must not: %+v", l)
						}
						c := l.chatLine
						if l.Edited {
							c.Name = "edited"
						}
						if l.Deleted {
							c.Name = "deleted"
						}
						return &c
					}
				}
				return nil
			}

			answer := "Yes, send me the new address."
			command("c-reply", "message.send", map[string]string{"messageId": "m-reply", "dialogId": in.DialogID, "kind": "outbound",
				"text": answer, "replyToId": in.ID})
			eventually(t, "the reply in the customer's chat", func() bool { l := line(); return l != nil && l.Text == answer })
			eventually(t, "the reply recorded as sent", func() bool { m := stored(); return m.Delivery == inbox.DeliverySent && m.ExternalID != "" })

			edited := "Yes, send me the new address, please."
			command("c-edit", "message.edit", map[string]string{"messageId": "m-reply", "text": edited})
			eventually(t, "the edit in the customer's chat", func() bool { l := line(); return l.Text == edited && l.Name == "edited" })
			eventually(t, "the edit recorded as sent", func() bool { return stored().ChangeDelivery == inbox.DeliverySent })

			command("c-delete", "message.delete", map[string]string{"messageId": "m-reply"})
			eventually(t, "the delete in the customer's chat", func() bool { l := line(); return l.Text == "" && l.Name == "deleted" })
			eventually(t, "the delete recorded as sent", func() bool {
				m := stored()
				return m.ChangeDelivery == inbox.DeliverySent && !m.DeletedAt.IsZero()
			})
			eventually(t, "the queue empty", func() bool {
				q, _ := e.st.Dispatch(ctx, []string{"ch-webchat"}, 10)
				return len(q) == 0
			})
		})
	}
}

// TestAMessageDeletedBeforeItsChannelRunsIsNeverSent: with the channel
// down, an operator's message is queued, then deleted; when the channel
// comes back the customer never gets it, and the message says why.
func TestAMessageDeletedBeforeItsChannelRunsIsNeverSent(t *testing.T) {
	e := newEnv(t, backends[0].open(t), "")
	ctx := context.Background()
	channel := func() *inbox.Channel {
		org, err := e.st.Org(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return org.Channels["ch-webchat"]
	}
	eventually(t, "the chat's capabilities on its channel", func() bool { return channel().Capabilities.DeleteWindowSeconds == -1 })
	// An admin breaks the settings: the channel goes down.
	admin := e.login("admin@demo.switchboard")
	call(t, http.DefaultClient, "PUT", e.api.URL+"/api/v1/admin/channels/ch-webchat/settings", admin,
		map[string]string{"listen": e.chat, "colour": "red"}, nil)
	eventually(t, "the channel failed", func() bool { return channel().State == inbox.ChannelFailed })
	// dl-demo-04 is taras's website-chat dialog of the demo.
	taras := e.login("taras@demo.switchboard")
	var payloads []wire.CommandEnvelope
	for _, c := range []struct {
		id, typ string
		v       any
	}{
		{"c-send", "message.send", map[string]string{"messageId": "m-gone", "dialogId": "dl-demo-04", "kind": "outbound", "text": "never mind"}},
		{"c-del", "message.delete", map[string]string{"messageId": "m-gone"}},
	} {
		p, _ := json.Marshal(c.v)
		payloads = append(payloads, wire.CommandEnvelope{ID: c.id, Type: c.typ, Payload: p})
	}
	var res wire.CommandsResponse
	call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/commands", taras, wire.CommandsRequest{Commands: payloads}, &res)
	for _, r := range res.Results {
		if !r.OK {
			t.Fatalf("commands = %+v", res)
		}
	}
	call(t, http.DefaultClient, "PUT", e.api.URL+"/api/v1/admin/channels/ch-webchat/settings", admin,
		map[string]string{"listen": e.chat, "title": "Shop"}, nil)
	eventually(t, "the deleted message settled without being sent", func() bool {
		ms, _ := e.st.Messages(ctx, "dl-demo-04")
		for _, m := range ms {
			if m.ID == "m-gone" {
				return m.Delivery == inbox.DeliveryFailed && m.ExternalID == "" && m.FailReason == "Deleted before it was sent."
			}
		}
		return false
	})
	eventually(t, "the queue empty", func() bool {
		q, _ := e.st.Dispatch(ctx, []string{"ch-webchat"}, 10)
		return len(q) == 0
	})
}
