package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"switchboard/plugins/conformance"
	"switchboard/plugins/connectors/telegram/internal/fakebotapi"
	"switchboard/plugins/host"
	"switchboard/plugins/internal/connectortest"
	"switchboard/plugins/sdk"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildTelegram builds the connector once per test run.
func buildTelegram(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "telegram-test")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "telegram")
		if b, err := exec.Command("go", "build", "-o", builtBin, "switchboard/plugins/connectors/telegram").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build telegram: %v\n%s", err, b)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

func TestTelegramPassesTheConformanceKit(t *testing.T) {
	srv := fakebotapi.New()
	defer srv.Close()
	conformance.Run(t, buildTelegram(t), conformance.Options{
		Settings:    settingsFor(srv, ""),
		BadSettings: fmt.Appendf(nil, `{"token":"123456789:AAE-not-this-bots-token","api_url":%q}`, srv.URL),
		Inbound: func(ctx context.Context, n int) error {
			for i := range n {
				srv.UserWrites(customer, fmt.Sprint("hello ", i), 0)
			}
			return nil
		},
		Delivered: func(ctx context.Context, chatID, text string) error {
			for _, m := range srv.BotMessages("", customer.ID) {
				if m.Text == text && chatID == "1111111" {
					return nil
				}
			}
			return fmt.Errorf("%q is not in chat %s", text, chatID)
		},
	})
}

// hostWithTelegram installs the signed connector into a real host.
func hostWithTelegram(t *testing.T, srv *fakebotapi.Server, deliver func(context.Context, string, host.InboundEvent) error) *host.Host {
	t.Helper()
	p := connectortest.Plugin{ID: "telegram", Name: "Telegram bot", Version: version, Binary: buildTelegram(t)}
	return connectortest.HostWith(t, p, "tg", settingsFor(srv, ""), deliver)
}

func describe(e sdk.Event) string {
	switch {
	case e.Message != nil:
		return "message " + e.Message.Text
	case e.Profile != nil:
		return "profile " + e.Profile.DisplayName
	case e.Action != nil:
		return "action " + e.Action.Action + " " + e.Action.Details["payload"]
	}
	return "other"
}

func TestAKilledPluginResumesWithoutLosingOrRepeatingUpdates(t *testing.T) {
	srv := fakebotapi.New()
	defer srv.Close()
	st := connectortest.NewStore()
	var h *host.Host
	var startUpdate int64
	var confirmedAtCrash int64
	firstPID := 0
	st.FailOnce = func(e sdk.Event) bool { return e.Action != nil }
	st.Kill = func() {
		status, _ := h.Status("tg")
		firstPID = status.PID
		confirmedAtCrash = srv.Confirmed()
		if err := syscall.Kill(status.PID, syscall.SIGKILL); err != nil {
			t.Errorf("kill %d: %v", status.PID, err)
		}
	}
	h = hostWithTelegram(t, srv, st.Deliver)

	srv.UserWrites(customer, "first", 0)
	startUpdate = srv.Push(fixture(t, "start_payload.json"))
	srv.UserWrites(customer, "after the start", 0)
	st.WaitFor(t, 4)
	// Telegram was never told about the update the host had not stored.
	if confirmedAtCrash > startUpdate {
		t.Errorf("at the crash Telegram had confirmed offset %d, past the unstored update %d", confirmedAtCrash, startUpdate)
	}
	srv.UserWrites(customer, "after the restart", 0)
	got := st.WaitFor(t, 5)
	want := []string{"message first", "profile Test Firstname Test Lastname", "action start order-42", "message after the start", "message after the restart"}
	seen := map[string]bool{}
	for i, e := range got {
		if seen[e.Cursor] {
			t.Errorf("cursor %s stored twice", e.Cursor)
		}
		seen[e.Cursor] = true
		if i >= len(want) || describe(e) != want[i] {
			t.Errorf("stored[%d] = %s, want %v", i, describe(e), want)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if extra := st.WaitFor(t, 0); len(extra) != len(want) {
		t.Fatalf("stored %d events, want %d: a duplicate", len(extra), len(want))
	}
	status, _ := h.Status("tg")
	if status.PID == firstPID || status.Restarts < 1 {
		t.Fatalf("status = %+v; the plugin was not restarted (first pid %d)", status, firstPID)
	}
	waitFor(t, "every update confirmed to Telegram", func() bool { return srv.Pending() == 0 })

	// Operator calls cross the process boundary with their channel errors.
	res, err := h.Send(context.Background(), "tg", sdk.OutboundMessage{IdempotencyKey: "r1", ChatID: "1111111", Text: "Thanks!",
		ReplyToExternalID: got[0].Message.ExternalID})
	if err != nil || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	conn, err := h.Connector("tg")
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Edit(context.Background(), "1111111", res.ExternalID, "Thank you!"); err != nil {
		t.Fatal(err)
	}
	if err := conn.Delete(context.Background(), "1111111", res.ExternalID); err != nil {
		t.Fatal(err)
	}
	d, err := conn.Describe(context.Background())
	if err != nil || d.Capabilities.DeleteWindow != 48*time.Hour || d.Capabilities.EditWindow >= 0 || !d.Capabilities.ReplyTo {
		t.Fatalf("Describe = %+v, %v", d.Capabilities, err)
	}
	srv.BlockBot(customer.ID)
	_, err = h.Send(context.Background(), "tg", sdk.OutboundMessage{IdempotencyKey: "r2", ChatID: "1111111", Text: "Hello?"})
	var ce *sdk.ChannelError
	if !errors.As(err, &ce) || ce.Code != "recipient_blocked" {
		t.Fatalf("sending to a user who blocked the bot = %v, want a recipient_blocked channel error", err)
	}
}
