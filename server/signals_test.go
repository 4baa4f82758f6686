package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"switchboard/inbox"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// TestTypingCrossesInstances: two team servers on one PostgreSQL. An
// operator connected to one sees a colleague on the other type, and both
// see the customer type, whichever instance runs the customer's channel.
func TestTypingCrossesInstances(t *testing.T) {
	one, two := twoInstances(t)
	taras := one.liveConn(one.login("taras@demo.switchboard"), 0)
	admin := two.liveConn(two.login("admin@demo.switchboard"), 0)
	// Let both instances listen before anyone signals: a signal sent before
	// an instance listens is lost, like a keystroke nobody watched.
	waitFrame(t, taras, "taras's own presence", func(f wire.Frame) bool { return f.Type == wire.FramePresence })
	waitFrame(t, admin, "admin's own presence", func(f wire.Frame) bool { return f.Type == wire.FramePresence })

	// Taras types in his webchat dialog on instance one; the admin on two
	// sees it. The frame is repeated while typing, as the desktop does, so
	// a listener still connecting misses none of the test.
	typing, _ := json.Marshal(wire.Frame{Type: wire.FrameTyping, DialogID: "dl-demo-04", Typing: true})
	got := repeatUntil(t, func() {
		if err := taras.Write(t.Context(), websocket.MessageText, typing); err != nil {
			t.Fatal(err)
		}
	}, admin, func(f wire.Frame) bool { return f.Type == wire.FrameTyping })
	if got.OperatorID != "op-taras" || got.DialogID != "dl-demo-04" || !got.Typing {
		t.Fatalf("admin got %+v, want taras typing in dl-demo-04", got)
	}

	// The customer types: instance two runs the channel. A customer with
	// only a closed dialog tells nobody, so the first customer frame either
	// operator sees is for the open dialog.
	ctx := t.Context()
	if err := two.srv.ClientTyping(ctx, "ch-telegram", "@pavel_s"); err != nil {
		t.Fatal(err)
	}
	if err := two.srv.ClientTyping(ctx, "ch-webchat", "nobody-knows-me"); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*websocket.Conn{"taras (other instance)": taras, "admin (same instance)": admin} {
		got := repeatUntil(t, func() {
			if err := two.srv.ClientTyping(ctx, "ch-webchat", "visitor-7f3a"); err != nil {
				t.Fatal(err)
			}
		}, c, func(f wire.Frame) bool { return f.Type == wire.FrameClientTyping })
		if got.DialogID != "dl-demo-04" || !got.Typing || got.OperatorID != "" {
			t.Errorf("%s got %+v, want the customer of dl-demo-04 typing", name, got)
		}
	}
}

// repeatUntil calls send every 100 ms until c reads a frame matching
// match, for at most 5 s.
func repeatUntil(t *testing.T, send func(), c *websocket.Conn, match func(wire.Frame) bool) wire.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	frames := make(chan wire.Frame)
	go func() {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				close(frames)
				return
			}
			var f wire.Frame
			if json.Unmarshal(b, &f) == nil && match(f) {
				frames <- f
				close(frames)
				return
			}
		}
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	send()
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("no matching frame in 5 s")
			}
			return f
		case <-tick.C:
			send()
		}
	}
}

// twoInstances starts two team servers on one PostgreSQL demo workspace.
func twoInstances(t *testing.T) (one, two *env) {
	dsn := pgtest.Schema(t)
	var stores []store.Store
	for i := range 2 {
		st, err := sqlstore.OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() }) // after the servers stop
		if i == 0 {
			if err := seed.Demo(context.Background(), st, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		stores = append(stores, st)
	}
	envs := instances(t, stores)
	return envs[0], envs[1]
}

// TestCheckContactReachesTheInstanceRunningTheChannel: the operator asks
// instance one; instance two holds the channel's lease and runs its
// connector, and answers through a signal. A channel nobody holds is
// unavailable at once.
func TestCheckContactReachesTheInstanceRunningTheChannel(t *testing.T) {
	one, two := twoInstances(t)
	ctx := t.Context()
	if err := one.srv.SetChannelCapabilities(ctx, "ch-whatsapp", inbox.Capabilities{StartByPhone: true}); err != nil {
		t.Fatal(err)
	}
	one.srv.SetContactChecker(func(_ context.Context, ch string, _ wire.ContactCheckRequest) (wire.ContactCheck, error) {
		return wire.ContactCheck{}, fmt.Errorf("channel %s: %w", ch, ErrChannelNotHere)
	})
	var asked atomic.Int32
	two.srv.SetContactChecker(func(_ context.Context, ch string, q wire.ContactCheckRequest) (wire.ContactCheck, error) {
		asked.Add(1)
		if ch != "ch-whatsapp" {
			return wire.ContactCheck{}, ErrChannelNotHere
		}
		if q.Phone == "+380000" {
			return wire.ContactCheck{}, &ChannelRefusal{Code: "phone_invalid", Message: "Це не номер телефону."}
		}
		return wire.ContactCheck{Reachable: true, ChatID: "wa-" + q.Phone}, nil
	})
	taras := one.login("taras@demo.switchboard")
	path := "/api/v1/channels/ch-whatsapp/check-contact"

	// Nobody holds the channel: unavailable, without asking anyone.
	code, body := one.call("POST", path, taras, wire.ContactCheckRequest{Phone: "+380501234567"})
	wantError(t, "check-contact on a channel nobody runs", code, body, 503, "channel.unavailable")
	if n := asked.Load(); n != 0 {
		t.Fatalf("instance two was asked %d times about a channel nobody holds", n)
	}

	if ok, err := two.st.AcquireLease(ctx, "ch-whatsapp", "instance-two", time.Now(), time.Minute); err != nil || !ok {
		t.Fatalf("lease = %v, %v", ok, err)
	}
	// Instance two may still be connecting its listener: ask until it
	// answers (a question nobody hears is unavailable after the timeout,
	// so the first asks wait; keep them short).
	var got wire.ContactCheck
	eventuallyT(t, "instance two answering", func() bool {
		code, body := one.call("POST", path, taras, wire.ContactCheckRequest{Phone: "+380501234567"})
		return code == 200 && json.Unmarshal(body, &got) == nil
	})
	if !got.Reachable || got.ChatID != "wa-+380501234567" {
		t.Errorf("check = %+v, want reachable wa-+380501234567", got)
	}
	code, body = one.call("POST", path, taras, wire.ContactCheckRequest{Phone: "+380000"})
	wantError(t, "the channel's refusal from the other instance", code, body, 422, "contact.phone_invalid")
	if !strings.Contains(string(body), "Це не номер телефону.") {
		t.Errorf("refusal body %s lost the channel's words", body)
	}
}

// eventuallyT polls cond every 50 ms for up to 30 s.
func eventuallyT(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestPresenceCrossesInstances: an operator connected to one instance is
// online for those connected to the other, from the list a new connection
// gets and live as she comes and goes.
func TestPresenceCrossesInstances(t *testing.T) {
	one, two := twoInstances(t)
	admin := two.liveConn(two.login("admin@demo.switchboard"), 0)
	waitFrame(t, admin, "admin's own presence", func(f wire.Frame) bool { return f.Type == wire.FramePresence && f.OperatorID == "op-admin" })

	taras := one.liveConn(one.login("taras@demo.switchboard"), 0)
	waitFrame(t, admin, "taras online on the other instance", func(f wire.Frame) bool {
		return f.Type == wire.FramePresence && f.OperatorID == "op-taras" && f.Online
	})
	// A newcomer on instance two is told Taras is online at once.
	sofia := two.liveConn(two.login("sofia@demo.switchboard"), 0)
	waitFrame(t, sofia, "taras in sofia's first presence frames", func(f wire.Frame) bool {
		return f.Type == wire.FramePresence && f.OperatorID == "op-taras" && f.Online
	})
	// Taras leaves: offline for both, though neither shares his instance.
	taras.Close(websocket.StatusNormalClosure, "")
	for name, c := range map[string]*websocket.Conn{"admin": admin, "sofia": sofia} {
		waitFrame(t, c, name+" sees taras offline", func(f wire.Frame) bool {
			return f.Type == wire.FramePresence && f.OperatorID == "op-taras" && !f.Online
		})
	}
}
