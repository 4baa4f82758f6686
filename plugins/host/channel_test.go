package host_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

func (e *env) addEcho(emit int) {
	e.t.Helper()
	err := e.h.AddChannel(context.Background(), host.Channel{ID: "c1", PluginID: "echo",
		Settings: []byte(fmt.Sprintf(`{"greeting":"hi","emit":%d}`, emit))})
	if err != nil {
		e.t.Fatalf("AddChannel: %v", err)
	}
}

func TestInboundEventsAreDeliveredAndAcknowledged(t *testing.T) {
	e := newEnv(t, nil)
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	e.start()
	e.addEcho(5)
	eventually(t, "5 messages delivered", func() bool { return e.rec.distinct() == 5 })
	eventually(t, "the fifth cursor acknowledged", func() bool { return e.status("c1").Acked == fmt.Sprintf("%020d", 5) })
	for i := 1; i <= 5; i++ {
		if n := e.rec.seen(fmt.Sprintf("m%d", i)); n != 1 {
			t.Errorf("m%d delivered %d times, want 1", i, n)
		}
	}
}

func TestSendRoundTripsThroughThePlugin(t *testing.T) {
	e := newEnv(t, nil)
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	e.start()
	e.addEcho(0)
	res, err := e.h.Send(context.Background(), "c1", sdk.OutboundMessage{IdempotencyKey: "k1", ChatID: "chat-1", Text: "hello"})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.ExternalID != "out-k1" || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, want out-k1 sent", res)
	}
	eventually(t, "the echo delivered", func() bool { return e.rec.seen("echo-k1") == 1 })

	_, err = e.h.Send(context.Background(), "c1", sdk.OutboundMessage{IdempotencyKey: "k2", Text: "no chat"})
	var ce *sdk.ChannelError
	if !errors.As(err, &ce) || ce.Code != "chat_unknown" {
		t.Fatalf("Send without chat = %v, want ChannelError chat_unknown", err)
	}
	if _, err := (e.h.Connector("c1")); err != nil {
		t.Fatalf("Connector after a channel error: %v", err)
	}
}

func TestRefusedSettingsComeBackAsFieldErrors(t *testing.T) {
	e := newEnv(t, nil)
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	e.start()
	err := e.h.AddChannel(context.Background(), host.Channel{ID: "c1", PluginID: "echo", Settings: []byte(`{"greeting":""}`)})
	var se *host.SettingsError
	if !errors.As(err, &se) {
		t.Fatalf("AddChannel = %v, want a SettingsError", err)
	}
	if len(se.Fields) != 1 || se.Fields[0].Field != "/greeting" || se.Fields[0].Code != "validation_required" {
		t.Fatalf("field errors = %+v, want /greeting validation_required", se.Fields)
	}
	if _, ok := e.h.Status("c1"); ok {
		t.Fatal("a channel with refused settings is still supervised")
	}
}

// killed waits for the channel to run, kills its plugin with SIGKILL and
// returns the killed pid.
func (e *env) kill() int {
	e.t.Helper()
	var pid int
	eventually(e.t, "the plugin running", func() bool {
		st := e.status("c1")
		pid = st.PID
		return st.State == host.StateRunning && pid != 0
	})
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		e.t.Fatalf("kill %d: %v", pid, err)
	}
	return pid
}

func TestAPluginKilledMidStreamRestartsAndLosesNothing(t *testing.T) {
	t.Run("one event per delivery", func(t *testing.T) { testKilledMidStream(t, false) })
	t.Run("batched deliveries", func(t *testing.T) { testKilledMidStream(t, true) })
}

func testKilledMidStream(t *testing.T, batched bool) {
	const total, kills = 300, 5
	e := newEnv(t, func(c *host.Config) { c.MaxCrashes = kills + 1 })
	if batched {
		e.cfg.DeliverBatch = e.rec.deliverBatch
	}
	e.rec.delay = time.Millisecond // keep the stream busy while it is killed
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	e.start()
	e.addEcho(total)
	for k := 1; k <= kills; k++ {
		before := e.rec.distinct()
		killed := e.kill()
		eventually(t, "a new plugin process", func() bool {
			st := e.status("c1")
			return st.State == host.StateRunning && st.PID != 0 && st.PID != killed
		})
		t.Logf("kill %d: pid %d at %d delivered", k, killed, before)
	}
	eventually(t, "every message delivered", func() bool { return e.rec.distinct() == total })
	st := e.status("c1")
	if st.Restarts < kills {
		t.Errorf("Restarts = %d, want at least %d", st.Restarts, kills)
	}
	for i := 1; i <= total; i++ {
		if n := e.rec.seen(fmt.Sprintf("m%d", i)); n != 1 {
			t.Errorf("m%d delivered %d times, want exactly 1", i, n)
		}
	}
	if f := e.rec.failures(); len(f) != 0 {
		t.Errorf("channel failed: %v", f)
	}
	if batched && e.rec.multi == 0 {
		t.Error("every batch held one event: events that arrived during a delivery were not batched")
	}
}

func TestRepeatedCrashesMarkTheChannelFailed(t *testing.T) {
	e := newEnv(t, func(c *host.Config) { c.MaxCrashes = 3 })
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	e.start()
	e.addEcho(0)
	for range 3 {
		e.kill()
		eventually(t, "the crash noticed", func() bool { return e.status("c1").State != host.StateRunning })
	}
	eventually(t, "the channel failed", func() bool { return e.status("c1").State == host.StateFailed })
	f := e.rec.failures()
	if len(f) != 1 || !strings.Contains(f[0].Error(), "crashed 3 times") {
		t.Fatalf("ChannelFailed calls = %v, want one saying it crashed 3 times", f)
	}
}

func TestAnExecutableSpeakingAnotherProtocolIsRefusedAtLaunch(t *testing.T) {
	e := newEnv(t, nil)
	writePlugin(t, e.plugins, "echo", buildConnector(t, "main.protocol=2"), e.pub, nil)
	e.start()
	e.addEcho(0)
	eventually(t, "the channel failed", func() bool { return e.status("c1").State == host.StateFailed })
	if code := manifest.CodeOf(e.status("c1").Err); code != manifest.CodeProtocol {
		t.Fatalf("failure code = %q (%v), want %q", code, e.status("c1").Err, manifest.CodeProtocol)
	}
}

func TestStateAndCursorSurviveARestartOfTheHost(t *testing.T) {
	e := newEnv(t, nil)
	writePlugin(t, e.plugins, "echo", buildConnector(t), e.pub, nil)
	e.start()
	e.addEcho(3)
	eventually(t, "3 delivered", func() bool { return e.rec.distinct() == 3 })
	eventually(t, "acked", func() bool { return e.status("c1").Acked == fmt.Sprintf("%020d", 3) })
	e.h.Close()

	e.start() // same data folder
	e.addEcho(3)
	if _, err := e.h.Send(context.Background(), "c1", sdk.OutboundMessage{IdempotencyKey: "after", ChatID: "chat-1", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the echo after restart", func() bool { return e.rec.seen("echo-after") == 1 })
	for i := 1; i <= 3; i++ {
		if n := e.rec.seen(fmt.Sprintf("m%d", i)); n != 1 {
			t.Errorf("m%d delivered %d times across a host restart, want 1", i, n)
		}
	}
}
