package integration

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/app/chanhost"
	"switchboard/app/syncclient"
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

// Desktops hosting channels: a real team server, several desktop hosts in
// this process, each running the plugin tests' connector as a real
// subprocess from its own plugins folder.

const echoChannel = "ch-echo"

var (
	echoOnce sync.Once
	echoBin  string
	echoErr  error
)

// buildEcho builds plugins/internal/testconnector once per test binary.
func buildEcho(t *testing.T) string {
	t.Helper()
	echoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sbdeskhost")
		if err != nil {
			echoErr = err
			return
		}
		echoBin = filepath.Join(dir, "echo")
		if out, err := exec.Command("go", "build", "-o", echoBin, "switchboard/plugins/internal/testconnector").CombinedOutput(); err != nil {
			echoErr = fmt.Errorf("build the test connector: %v\n%s", err, out)
		}
	})
	if echoErr != nil {
		t.Fatal(echoErr)
	}
	return echoBin
}

// hostingEnv is a team server with an echo channel in the support line.
type hostingEnv struct {
	t      *testing.T
	st     store.Store
	srv    *server.Server
	url    string
	admin  string // the admin's session token
	key    ed25519.PrivateKey
	trust  manifest.TrustedKeys
	listen string // where the channel's plugin takes inbound messages
	// plugins is the desktops' plugins folder with the echo plugin, one
	// for all of them (a host only reads it).
	plugins string
}

var hostingBackends = []struct {
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

func newHostingEnv(t *testing.T, st store.Store, emit int) *hostingEnv {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	if err := seed.Demo(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	e := &hostingEnv{t: t, st: st, listen: freeAddr(t)}
	settings := fmt.Sprintf(`{"greeting":"hi","emit":%d,"listen":%q}`, emit, e.listen)
	if err := st.PutChannelSettings(ctx, echoChannel, []byte(settings)); err != nil {
		t.Fatal(err)
	}
	ch := &inbox.Channel{ID: echoChannel, Name: "Echo", Kind: inbox.KindCustom, ConnectorID: "echo", LineID: "line-support", State: inbox.ChannelActive}
	if err := st.Write(ctx, func(tx store.Tx) error { _, err := tx.PutOrg(wire.KindChannel, ch.ID, ch); return err }); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Store: st})
	go srv.Run(ctx)
	hs := httptest.NewServer(srv.Handler())
	e.url, e.srv = hs.URL, srv
	t.Cleanup(func() {
		hs.Close()
		cancel()
		srv.Close()
		st.Close()
	})
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	e.key, e.trust = key, manifest.TrustedKeys{"switchboard": {pub}}
	e.admin = e.login("admin@demo.switchboard")
	e.plugins = filepath.Join(t.TempDir(), "plugins")
	installEcho(t, e.plugins, buildEcho(t), e.key)
	return e
}

func (e *hostingEnv) login(email string) string {
	e.t.Helper()
	res, err := syncclient.Login(context.Background(), http.DefaultClient, e.url, email, seed.DemoPassword)
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	return res.Token
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

// lossyProxy forwards to the team server but loses the answer to every
// third batch of inbound events after the server stored it: the host must
// post the batch again, and the server must keep each event once.
func (e *hostingEnv) lossyProxy() string {
	e.t.Helper()
	target, _ := url.Parse(e.url)
	p := httputil.NewSingleHostReverseProxy(target)
	var n atomic.Int64
	p.ModifyResponse = func(res *http.Response) error {
		if strings.HasSuffix(res.Request.URL.Path, "/inbound") && n.Add(1)%3 == 0 {
			return errors.New("the answer is lost on the way")
		}
		return nil
	}
	p.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
	hs := httptest.NewServer(p)
	e.t.Cleanup(hs.Close)
	return hs.URL
}

// desk is one desktop hosting channels.
type desk struct {
	name   string
	h      *chanhost.Host
	cancel context.CancelFunc
	done   chan struct{}
}

// startDesk starts a desktop host with the echo plugin in its own plugins
// folder, on a two-second lease.
func (e *hostingEnv) startDesk(name string) *desk {
	e.t.Helper()
	return e.startDeskVia(e.url, name)
}

// startDeskVia starts a desktop host that reaches the server at url.
func (e *hostingEnv) startDeskVia(url, name string) *desk {
	e.t.Helper()
	root := e.t.TempDir()
	h, err := chanhost.New(chanhost.Config{Server: url, Token: e.admin, Name: name,
		PluginsDir: e.plugins, DataDir: filepath.Join(root, "host"), Trusted: e.trust,
		LeaseTTL: 2 * time.Second, RetryEvery: 100 * time.Millisecond, PollWait: 2 * time.Second,
		HostConfig: func(c *host.Config) {
			c.SettleDelay, c.MinBackoff, c.MaxCrashes = 50*time.Millisecond, 20*time.Millisecond, 100
		}})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &desk{name: name, h: h, cancel: cancel, done: make(chan struct{})}
	go func() { _ = h.Run(ctx); close(d.done) }()
	e.t.Cleanup(d.stop)
	return d
}

func (d *desk) stop() {
	d.cancel()
	<-d.done
}

func (d *desk) runs() bool {
	for _, id := range d.h.Running() {
		if id == echoChannel {
			return true
		}
	}
	return false
}

// pid is the process id of the channel's plugin here, 0 when none runs.
func (d *desk) pid() int {
	st, ok := d.h.Plugins().Status(echoChannel)
	if !ok {
		return 0
	}
	return st.PID
}

// installEcho signs the test connector into pluginsDir as plugin "echo".
func installEcho(t *testing.T, pluginsDir, bin string, key ed25519.PrivateKey) {
	t.Helper()
	dir := filepath.Join(pluginsDir, "echo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "echo"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	sum, _ := manifest.FileSHA256(bin)
	m := manifest.Manifest{ID: "echo", Name: "Echo (test)", Version: "1.0.0", Publisher: "switchboard", ProtocolVersions: []int{1},
		Executables: map[string]manifest.Executable{manifest.Platform(runtime.GOOS, runtime.GOARCH): {Path: "echo", SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, key)
	if err := os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// watchOnce fails the test if two desktops ever run the channel at the
// same moment; stop it before stopping desktops.
func watchOnce(t *testing.T, desks []*desk) (stop func()) {
	t.Helper()
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for !done.Load() {
			var running []string
			for _, d := range desks {
				if d.runs() {
					running = append(running, d.name)
				}
			}
			if len(running) > 1 {
				t.Errorf("the channel runs on %v at once", running)
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	return func() { done.Store(true); <-finished }
}

// holder waits until exactly one live desktop runs the channel and
// returns it.
func holder(t *testing.T, desks []*desk) *desk {
	t.Helper()
	var got *desk
	waitFor(t, "one desktop running the channel", func() bool {
		got = nil
		for _, d := range desks {
			if d.runs() {
				got = d
			}
		}
		return got != nil && got.pid() != 0
	})
	return got
}

// channelMessages returns the inbound messages of the echo channel's
// contact, by text.
func (e *hostingEnv) channelMessages(contact string) map[string]int {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.st.ContactDialog(ctx, echoChannel, contact)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]int{}
	}
	if err != nil {
		e.t.Fatal(err)
	}
	ms, err := e.st.Messages(ctx, d.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]int{}
	for _, m := range ms {
		if m.Kind == inbox.MsgInbound && m.ChannelID == echoChannel {
			out[m.Text]++
		}
	}
	return out
}

// customerWrites makes the channel receive a message, retrying while the
// plugin is down or restarting (each POST that succeeded appended the
// message once to the plugin's journal).
func (e *hostingEnv) customerWrites(text string) {
	e.t.Helper()
	waitFor(e.t, "the plugin taking "+text, func() bool {
		res, err := http.Post("http://"+e.listen+"/in?text="+text, "text/plain", nil)
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusNoContent
	})
}

// TestDesktopsHostAChannelOnceAndTakeOverWhenItsHostGoes: of twenty
// desktops with the plugin exactly one runs the channel at any moment;
// when it stops, another takes over, and what both plugins emitted is
// stored once.
func TestDesktopsHostAChannelOnceAndTakeOverWhenItsHostGoes(t *testing.T) {
	for _, b := range hostingBackends {
		t.Run(b.name, func(t *testing.T) {
			e := newHostingEnv(t, b.open(t), 5)
			// Twenty desktops with the same plugin.
			var desks []*desk
			for i := range 20 {
				desks = append(desks, e.startDesk(fmt.Sprintf("desk-%d", i+1)))
			}
			stopWatch := watchOnce(t, desks)
			defer stopWatch()

			first := holder(t, desks)
			ctx := context.Background()
			if h, err := e.st.LeaseHolder(ctx, echoChannel, time.Now()); err != nil || !strings.HasSuffix(h, ":"+first.name) {
				t.Fatalf("the lease table names %q (%v), want the desktop running it, %s", h, err, first.name)
			}
			waitFor(t, "the five greetings at the server", func() bool { return len(e.channelMessages("u1")) == 5 })

			// The holder goes away: another desktop takes the channel over.
			first.stop()
			second := holder(t, desks)
			if second == first {
				t.Fatal("the stopped desktop still runs the channel")
			}
			// Its plugin starts afresh and emits its greetings again: the
			// server keeps each once.
			waitFor(t, "the new host's plugin delivering", func() bool {
				st, _ := second.h.Plugins().Status(echoChannel)
				return st.Acked != ""
			})
			for text, n := range e.channelMessages("u1") {
				if n != 1 {
					t.Errorf("%q stored %d times, want once", text, n)
				}
			}
			// And it takes inbound messages for the server.
			e.customerWrites("after-takeover")
			waitFor(t, "a message through the new host", func() bool { return e.channelMessages("u2")["after-takeover"] == 1 })
		})
	}
}

// TestInboundThroughADesktopArrivesOnceThoughItsPluginIsKilled: the plugin
// is killed mid-stream a few times and every third answer of the server
// is lost after it stored the events; nothing is lost, nothing doubled.
func TestInboundThroughADesktopArrivesOnceThoughItsPluginIsKilled(t *testing.T) {
	e := newHostingEnv(t, hostingBackends[0].open(t), 0)
	lossy := e.lossyProxy()
	desks := []*desk{e.startDeskVia(lossy, "desk-a"), e.startDeskVia(lossy, "desk-b")}
	stopWatch := watchOnce(t, desks)
	defer stopWatch()
	d := holder(t, desks)

	const rounds, perRound = 4, 15
	for r := range rounds {
		for i := range perRound {
			e.customerWrites(fmt.Sprintf("r%d-%02d", r, i))
		}
		// Kill the plugin mid-stream: the host restarts it, and it resumes
		// after the last cursor the server stored.
		if pid := d.pid(); pid != 0 {
			p, err := os.FindProcess(pid)
			if err == nil {
				_ = p.Kill()
			}
		}
	}
	waitFor(t, "every message at the server", func() bool { return len(e.channelMessages("u2")) == rounds*perRound })
	// The restarted plugin has caught up once it acknowledged the last one.
	waitFor(t, "the plugin running again", func() bool { return d.pid() != 0 && d.runs() })
	e.customerWrites("last")
	waitFor(t, "the last message at the server", func() bool { return e.channelMessages("u2")["last"] == 1 })
	got := e.channelMessages("u2")
	for r := range rounds {
		for i := range perRound {
			if n := got[fmt.Sprintf("r%d-%02d", r, i)]; n != 1 {
				t.Errorf("r%d-%02d stored %d times, want once", r, i, n)
			}
		}
	}
	if st, _ := d.h.Plugins().Status(echoChannel); st.Restarts == 0 {
		t.Errorf("the plugin was never restarted (status %+v): the kills did not land", st)
	}
}

func TestAnOperatorsMessageGoesOutThroughTheDesktopHoldingTheChannel(t *testing.T) {
	e := newHostingEnv(t, hostingBackends[0].open(t), 1)
	desks := []*desk{e.startDesk("desk-x"), e.startDesk("desk-y")}
	holder(t, desks)
	ctx := context.Background()
	waitFor(t, "the greeting at the server", func() bool { return e.channelMessages("u1")["hi 1"] == 1 })
	dl, err := e.st.ContactDialog(ctx, echoChannel, "u1")
	if err != nil {
		t.Fatal(err)
	}
	send := func(id, text string) {
		t.Helper()
		payload, _ := json.Marshal(map[string]string{"messageId": id, "dialogId": dl.ID, "kind": "outbound", "text": text})
		var res wire.CommandsResponse
		post(t, e.url+"/api/v1/commands", "Bearer "+e.admin,
			wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "cmd-" + id, Type: "message.send", Payload: payload}}}, &res)
		if len(res.Results) != 1 || !res.Results[0].OK {
			t.Fatalf("send %s = %+v", id, res)
		}
	}
	message := func(id string) *inbox.Message {
		ms, err := e.st.Messages(ctx, dl.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.ID == id {
				return m
			}
		}
		return nil
	}

	send("m-out-1", "hello from the team")
	// The desktop's plugin got it: it echoes every send back as inbound.
	waitFor(t, "the echo of the sent message", func() bool { return e.channelMessages("u1")["echo: hello from the team"] == 1 })
	waitFor(t, "the delivery state at the server", func() bool {
		m := message("m-out-1")
		return m != nil && m.Delivery == inbox.DeliverySent && m.ExternalID == "out-m-out-1"
	})

	send("m-out-2", "fail: the customer blocked the bot")
	waitFor(t, "the failure at the server", func() bool {
		m := message("m-out-2")
		return m != nil && m.Delivery == inbox.DeliveryFailed
	})
	if m := message("m-out-2"); m.FailReason != "the customer blocked the bot" {
		t.Errorf("fail reason = %q, want the channel's", m.FailReason)
	}
	waitFor(t, "the outbound queue empty", func() bool {
		q, err := e.st.Dispatch(ctx, []string{echoChannel}, 10)
		return err == nil && len(q) == 0
	})
}

func TestAHostWithoutTheLeaseIsRefused(t *testing.T) {
	e := newHostingEnv(t, hostingBackends[0].open(t), 0)
	desks := []*desk{e.startDesk("desk-1")}
	holder(t, desks)
	ctx := context.Background()

	intruder, err := syncclient.NewHostAPI(nil, e.url, e.admin, "desk-intruder")
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(inbox.InboundMessage{ChannelID: echoChannel, ExternalID: "forged", Text: "forged",
		Contact: inbox.InboundContact{ExternalID: "u9"}})
	calls := map[string]func() error{
		"inbound": func() error {
			_, err := intruder.Inbound(ctx, echoChannel, []wire.CommandEnvelope{{ID: "in-ch-echo-forged", Type: "inbound.message", Payload: payload}})
			return err
		},
		"outbound": func() error { _, err := intruder.Outbound(ctx, echoChannel, 0); return err },
		"results": func() error {
			return intruder.Settle(ctx, echoChannel, []wire.OutboundResult{{MessageID: "x", Action: wire.OutboundSend, State: inbox.DeliverySent}})
		},
		"failed": func() error { return intruder.ChannelFailed(ctx, echoChannel, "forged") },
	}
	for name, call := range calls {
		if err := call(); syncclient.CodeOf(err) != syncclient.CodeLeaseNotHeld {
			t.Errorf("%s by a host without the lease: %v, want %s", name, err, syncclient.CodeLeaseNotHeld)
		}
	}
	if ok, err := intruder.Acquire(ctx, echoChannel, time.Second); err != nil || ok {
		t.Errorf("Acquire of a held channel = %v, %v; want false", ok, err)
	}
	if got := e.channelMessages("u9"); len(got) != 0 {
		t.Errorf("forged messages stored: %v", got)
	}

	// An operator who does not manage channels may not host at all: the
	// settings hold secrets.
	taras, err := syncclient.NewHostAPI(nil, e.url, e.login("taras@demo.switchboard"), "taras-laptop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := taras.Channels(ctx); syncclient.CodeOf(err) != "auth.forbidden" {
		t.Errorf("channels for an operator: %v, want auth.forbidden", err)
	}
	if _, err := taras.Acquire(ctx, echoChannel, time.Second); syncclient.CodeOf(err) != "auth.forbidden" {
		t.Errorf("lease for an operator: %v, want auth.forbidden", err)
	}

	// A host holding the channel may not speak for another channel.
	holderAPI, _ := syncclient.NewHostAPI(nil, e.url, e.admin, "desk-1")
	other, _ := json.Marshal(inbox.InboundMessage{ChannelID: "ch-webchat", ExternalID: "x", Text: "x", Contact: inbox.InboundContact{ExternalID: "u9"}})
	_, err = holderAPI.Inbound(ctx, echoChannel, []wire.CommandEnvelope{{ID: "in-ch-echo-other", Type: "inbound.message", Payload: other}})
	if syncclient.CodeOf(err) != "host.event_channel" {
		t.Errorf("an event of another channel: %v, want host.event_channel", err)
	}
	// Nor pass an event off as another command.
	own, _ := json.Marshal(inbox.InboundMessage{ChannelID: echoChannel, ExternalID: "y", Text: "y", Contact: inbox.InboundContact{ExternalID: "u9"}})
	_, err = holderAPI.Inbound(ctx, echoChannel, []wire.CommandEnvelope{{ID: "out-m-1", Type: "inbound.message", Payload: own}})
	if syncclient.CodeOf(err) != "host.event_id" {
		t.Errorf("an event under another command's id: %v, want host.event_id", err)
	}
}

// TestServerInstancesAndDesktopsCompeteInOneLeaseTable: the team server's
// own relay and a desktop both have the plugin; the channel runs on one of
// them at a time and moves to the other when its host stops.
func TestServerInstancesAndDesktopsCompeteInOneLeaseTable(t *testing.T) {
	e := newHostingEnv(t, hostingBackends[0].open(t), 0)
	root := t.TempDir()
	installEcho(t, filepath.Join(root, "plugins"), buildEcho(t), e.key)
	rl, err := relay.New(relay.Config{Server: e.srv, Store: e.st, PluginsDir: filepath.Join(root, "plugins"),
		DataDir: filepath.Join(root, "relay"), Trusted: e.trust, LeaseTTL: 2 * time.Second, RetryEvery: 100 * time.Millisecond,
		HostConfig: func(c *host.Config) { c.SettleDelay, c.MinBackoff = 50*time.Millisecond, 20*time.Millisecond }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stopRelay := context.WithCancel(context.Background())
	relayDone := make(chan struct{})
	go func() { _ = rl.Run(ctx); close(relayDone) }()
	t.Cleanup(func() { stopRelay(); <-relayDone })
	relayRuns := func() bool { _, ok := rl.Host().Status(echoChannel); return ok }
	d := e.startDesk("desk-1")

	var done atomic.Bool
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for !done.Load() {
			if relayRuns() && d.runs() {
				t.Error("the channel runs on the server and on the desktop at once")
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	waitFor(t, "the channel running on the server or the desktop", func() bool { return relayRuns() || d.runs() })
	if relayRuns() {
		stopRelay()
		<-relayDone
		waitFor(t, "the desktop taking the channel over from the server", d.runs)
	} else {
		d.stop()
		waitFor(t, "the server taking the channel over from the desktop", relayRuns)
	}
	e.customerWrites("after-the-move")
	waitFor(t, "a message through the new host", func() bool { return e.channelMessages("u2")["after-the-move"] == 1 })
	done.Store(true)
	<-watched
}
