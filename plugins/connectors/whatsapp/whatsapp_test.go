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
	"switchboard/plugins/connectors/whatsapp/internal/fakegraph"
	"switchboard/plugins/host"
	"switchboard/plugins/internal/connectortest"
	"switchboard/plugins/sdk"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildWhatsApp builds the connector once per test run.
func buildWhatsApp(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "whatsapp-test")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "whatsapp")
		if b, err := exec.Command("go", "build", "-o", builtBin, "switchboard/plugins/connectors/whatsapp").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build whatsapp: %v\n%s", err, b)
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

func TestWhatsAppPassesTheConformanceKit(t *testing.T) {
	srv := fakegraph.New()
	defer srv.Close()
	addr := freeAddr(t)
	var subscribe sync.Once
	conformance.Run(t, buildWhatsApp(t), conformance.Options{
		Settings: settingsFor(srv, addr, ""),
		BadSettings: fmt.Appendf(nil, `{"phone_number_id":%q,"access_token":"EAAJB3not0this0numbers0token0ZD","app_secret":%q,"verify_token":%q,"listen":%q,"api_url":%q}`,
			srv.PhoneNumberID, srv.AppSecret, verifyToken, freeAddr(t), srv.URL),
		Inbound: func(ctx context.Context, n int) error {
			var err error
			subscribe.Do(func() { err = srv.Subscribe("http://"+addr+webhookPath, verifyToken) })
			if err != nil {
				return err
			}
			for i := range n {
				srv.UserWrites(customer, customerName, fmt.Sprint("hello ", i))
			}
			return nil
		},
		Delivered: func(ctx context.Context, chatID, text string) error {
			for _, m := range srv.SentTo(chatID) {
				if m.Text == text {
					return nil
				}
			}
			return fmt.Errorf("%q is not in chat %s", text, chatID)
		},
	})
}

// hostWithWhatsApp installs the signed connector into a real host.
func hostWithWhatsApp(t *testing.T, srv *fakegraph.Server, listen string, deliver func(context.Context, string, host.InboundEvent) error) *host.Host {
	t.Helper()
	p := connectortest.Plugin{ID: "whatsapp", Name: "WhatsApp Business (Cloud API)", Version: version, Binary: buildWhatsApp(t)}
	return connectortest.HostWith(t, p, "wa", settingsFor(srv, listen, ""), deliver)
}

func describe(e sdk.Event) string {
	switch {
	case e.Message != nil:
		return "message " + e.Message.Text
	case e.Delivery != nil:
		return fmt.Sprint("delivery ", e.Delivery.State)
	}
	return "other"
}

// A kill -9 while the host stores an event, and notifications Meta sends
// while the plugin is down: every message is stored once, in order.
func TestAKilledPluginLosesAndRepeatsNothing(t *testing.T) {
	srv := fakegraph.New()
	defer srv.Close()
	listen := freeAddr(t)
	st := connectortest.NewStore()
	var h *host.Host
	firstPID := 0
	st.FailOnce = func(e sdk.Event) bool { return e.Message != nil && e.Message.Text == "second" }
	st.Kill = func() {
		status, _ := h.Status("wa")
		firstPID = status.PID
		// Meta keeps writing while the plugin is down.
		srv.UserWrites(customer, customerName, "while it was down")
		if err := syscall.Kill(status.PID, syscall.SIGKILL); err != nil {
			t.Errorf("kill %d: %v", status.PID, err)
		}
	}
	h = hostWithWhatsApp(t, srv, listen, st.Deliver)
	waitFor(t, "the webhook subscribed", func() bool { return srv.Subscribe("http://"+listen+webhookPath, verifyToken) == nil })

	srv.UserWrites(customer, customerName, "first")
	srv.UserWrites(customer, customerName, "second")
	srv.UserWrites(customer, customerName, "third")
	st.WaitFor(t, 4)
	srv.UserWrites(customer, customerName, "after the restart")
	got := st.WaitFor(t, 5)
	want := []string{"message first", "message second", "message third", "message while it was down", "message after the restart"}
	seen := map[string]bool{}
	for i, e := range got {
		if seen[e.Message.ExternalID] {
			t.Errorf("message %s stored twice", e.Message.ExternalID)
		}
		seen[e.Message.ExternalID] = true
		if i >= len(want) || describe(e) != want[i] {
			t.Errorf("stored[%d] = %s, want %v", i, describe(e), want)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if all := st.WaitFor(t, 0); len(all) != len(want) {
		t.Fatalf("stored %d events, want %d: a duplicate", len(all), len(want))
	}
	status, _ := h.Status("wa")
	if status.PID == firstPID || status.Restarts < 1 {
		t.Fatalf("status = %+v; the plugin was not restarted (first pid %d)", status, firstPID)
	}
	waitFor(t, "every notification answered 200", func() bool { return srv.Pending() == 0 })

	// Operator calls cross the process boundary with their channel errors.
	res, err := h.Send(context.Background(), "wa", sdk.OutboundMessage{IdempotencyKey: "r1", ChatID: customer, Text: "Thanks!",
		ReplyToExternalID: got[0].Message.ExternalID})
	if err != nil || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	if d := st.WaitFor(t, 6)[5]; d.Delivery == nil || d.Delivery.ExternalID != res.ExternalID {
		t.Fatalf("after the send got %s, want its delivery state", describe(d))
	}
	conn, err := h.Connector("wa")
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.MarkRead(context.Background(), customer, got[4].Message.ExternalID); err != nil {
		t.Fatal(err)
	}
	cr, err := conn.CheckContact(context.Background(), sdk.ContactQuery{Phone: "+1 650 555 1234"})
	if err != nil || !cr.Reachable || cr.ChatID != customer {
		t.Fatalf("CheckContact = %+v, %v", cr, err)
	}
	d, err := conn.Describe(context.Background())
	if err != nil || !d.Capabilities.StartByPhone || !d.Capabilities.ReadReceipts || d.Capabilities.EditWindow != 0 || d.Capabilities.DeleteWindow != 0 {
		t.Fatalf("Describe = %+v, %v", d.Capabilities, err)
	}
	_, err = h.Send(context.Background(), "wa", sdk.OutboundMessage{IdempotencyKey: "r2", Phone: "+44 7700 900999", Text: "Hello?"})
	var ce *sdk.ChannelError
	if !errors.As(err, &ce) || ce.Code != "outside_service_window" {
		t.Fatalf("free text to a new number = %v, want an outside_service_window channel error", err)
	}
	res, err = h.Send(context.Background(), "wa", sdk.OutboundMessage{IdempotencyKey: "r3", Phone: "+44 7700 900999", Text: "Hello world",
		Template: &sdk.Template{Name: "hello_world", Language: "en_US"}})
	if err != nil || res.ExternalID == "" {
		t.Fatalf("a template to a new number = %+v, %v", res, err)
	}
}
