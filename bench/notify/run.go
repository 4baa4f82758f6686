package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gen2brain/beeep"
	"github.com/godbus/dbus/v5"

	"switchboard/app/notify"
	"switchboard/app/notify/dbustest"
	"switchboard/app/replica"
	"switchboard/app/syncclient"
	"switchboard/inbox"
	"switchboard/server"
	"switchboard/server/seed"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// result is one run's figures.
type result struct {
	samples  int
	arrived  int
	pipeline []time.Duration // commit → Notify received
	beeep    []time.Duration // beeep.Notify alone
	bare     []time.Duration // a bare D-Bus Notify round trip
}

func (r result) String() string {
	p := func(d []time.Duration) string {
		return fmt.Sprintf("p50 %s p99 %s", ms(percentile(d, 0.5)), ms(percentile(d, 0.99)))
	}
	return fmt.Sprintf("notify  sqlite  %d of %d alerts (new dialogs + mentions): commit → D-Bus Notify %s | beeep.Notify alone %s | bare D-Bus Notify round trip %s | p99 ratio pipeline/bare %.1f",
		r.arrived, r.samples, p(r.pipeline), p(r.beeep), p(r.bare),
		float64(percentile(r.pipeline, 0.99))/float64(max(1, percentile(r.bare, 0.99))))
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// run sets everything up, times samples alerts and tears it all down,
// the private dbus-daemon included.
func run(samples int) (res result, err error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "bench-notify")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)

	// The private session bus, before anything dials the session bus:
	// godbus dials it once per process.
	bus, err := dbustest.StartBus(dir)
	if err != nil {
		return res, err
	}
	defer bus.Close()
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	rec, err := dbustest.NewRecorder(bus.Address)
	if err != nil {
		return res, err
	}
	defer rec.Close()

	// The team server on SQLite with the demo workspace.
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "server.db"))
	if err != nil {
		return res, err
	}
	defer st.Close()
	if err := seed.Demo(ctx, st, time.Now()); err != nil {
		return res, err
	}
	srv := server.New(server.Config{Store: st, HostKey: "bench"})
	go srv.Run(ctx)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	// Анна's desktop: replica, sync client, alerter, beeep.
	rp, err := replica.Open(ctx, filepath.Join(dir, "replica.db"))
	if err != nil {
		return res, err
	}
	defer rp.Close()
	anna, err := syncclient.Login(ctx, http.DefaultClient, base, "anna@demo.switchboard", seed.DemoPassword)
	if err != nil {
		return res, err
	}
	var alertErr error
	var errMu sync.Mutex
	// A window shorter than the gap between samples: each sample is its
	// own alert, as a change arriving in a quiet moment is.
	al := notify.NewAlerter(notify.Config{Notifier: notify.NewBeeep("Switchboard"),
		Options: notify.Options{Window: time.Millisecond},
		OnError: func(err error) { errMu.Lock(); alertErr = err; errMu.Unlock() }})
	defer al.Close()
	al.SignIn(anna.OperatorID, rp)
	online := make(chan struct{})
	cl, err := syncclient.New(syncclient.Config{Server: base, Token: anna.Token, Replica: rp, Sink: &sink{al: al, online: online}})
	if err != nil {
		return res, err
	}
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); _ = cl.Run(ctx) }()
	defer func() { cancel(); <-syncDone }()
	select {
	case <-online:
	case <-time.After(30 * time.Second):
		return res, fmt.Errorf("the desktop did not reach the live feed")
	}
	sofia, err := syncclient.Login(ctx, http.DefaultClient, base, "sofia@demo.switchboard", seed.DemoPassword)
	if err != nil {
		return res, err
	}

	// Time each alert from just before its change is posted (the commit
	// happens inside the request) to its arrival at the recorder.
	var mu sync.Mutex
	sent := map[string]time.Time{}
	rec.OnNotify(func(c dbustest.Call) {
		key, _, _ := strings.Cut(c.Body, ":")
		key, _, _ = strings.Cut(key, "\n")
		mu.Lock()
		defer mu.Unlock()
		if t, ok := sent[key]; ok {
			res.pipeline = append(res.pipeline, c.At.Sub(t))
			delete(sent, key)
		}
	})
	res.samples = samples
	for i := range samples {
		key := fmt.Sprintf("Bench %d", i)
		mu.Lock()
		sent[key] = time.Now()
		mu.Unlock()
		if i%2 == 0 {
			err = postNewDialog(base, key, i)
		} else {
			err = postMention(base, sofia.Token, key)
		}
		if err != nil {
			return res, err
		}
		time.Sleep(15 * time.Millisecond)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		left := len(sent)
		mu.Unlock()
		if left == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	res.arrived = len(res.pipeline)
	mu.Unlock()
	errMu.Lock()
	defer errMu.Unlock()
	if alertErr != nil {
		return res, fmt.Errorf("notifier: %w", alertErr)
	}

	// The same D-Bus, without the rest: beeep alone, then a bare call.
	rec.OnNotify(nil)
	for i := range samples {
		t := time.Now()
		if err := beeep.Notify("Switchboard", fmt.Sprintf("beeep %d", i), ""); err != nil {
			return res, err
		}
		res.beeep = append(res.beeep, time.Since(t))
	}
	conn, err := dbus.Connect(bus.Address)
	if err != nil {
		return res, err
	}
	defer conn.Close()
	for i := range samples {
		t := time.Now()
		if err := dbustest.NotifyDirect(conn, "bare", fmt.Sprintf("bare %d", i)); err != nil {
			return res, err
		}
		res.bare = append(res.bare, time.Since(t))
	}
	return res, nil
}

// sink forwards the sync client's reports to the alerter, as the app's
// sink does.
type sink struct {
	al     *notify.Alerter
	online chan struct{}
	once   sync.Once
}

func (s *sink) Applied(a replica.Applied) { s.al.Applied(a) }
func (s *sink) Progress(int64, int64)     {}
func (s *sink) Connection(st syncclient.State, err error) {
	switch st {
	case syncclient.StateConnecting, syncclient.StateSyncing, syncclient.StateReconnecting:
		s.al.Connecting()
	case syncclient.StateOnline:
		s.al.Online()
		s.once.Do(func() { close(s.online) })
	case syncclient.StateStopped:
		s.al.Offline()
	}
}
func (s *sink) Rejected(wire.CommandResult, string) {}
func (s *sink) Accepted(wire.CommandResult, string) {}
func (s *sink) Presence(string, bool)               {}
func (s *sink) Activity(syncclient.Activity)        {}

// postNewDialog posts a message from a new Telegram customer named key:
// a new dialog in Продажи, a line Анна works.
func postNewDialog(base, key string, i int) error {
	p, _ := json.Marshal(inbox.InboundMessage{ChannelID: "ch-telegram", ExternalID: fmt.Sprintf("bench-msg-%d", i),
		Contact: inbox.InboundContact{ExternalID: fmt.Sprintf("bench-contact-%d", i), Name: key}, Text: "Здравствуйте!"})
	return post(base+"/api/v1/ingest", "Host bench", server.IngestRequest{Events: []server.IngestEvent{{ID: fmt.Sprintf("ev-%d", i), Type: "inbound.message", Payload: p}}})
}

// postMention has Sofia mention Анна in a comment on Анна's dialog with
// Игорь (dl-demo-02); the comment's text starts with key.
func postMention(base, token, key string) error {
	id := fmt.Sprintf("bench-%d-%s", time.Now().UnixNano(), strings.ReplaceAll(key, " ", "-"))
	p, _ := json.Marshal(inbox.Send{MessageID: id, DialogID: "dl-demo-02", Kind: inbox.MsgComment, Text: key + ": глянь, пожалуйста", Mentions: []string{"op-anna"}})
	var resp wire.CommandsResponse
	if err := postJSON(base+"/api/v1/commands", "Bearer "+token, wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: id, Type: "message.send", Payload: p}}}, &resp); err != nil {
		return err
	}
	if len(resp.Results) != 1 || !resp.Results[0].OK {
		return fmt.Errorf("mention refused: %+v", resp.Results)
	}
	return nil
}

func post(url, auth string, body any) error { return postJSON(url, auth, body, nil) }

func postJSON(url, auth string, body, out any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("POST %s = %d %s", url, res.StatusCode, buf.String())
	}
	if out != nil {
		return json.Unmarshal(buf.Bytes(), out)
	}
	return nil
}
