package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"switchboard/plugins/conformance"
	"switchboard/plugins/connectors/vk/internal/fakevk"
	"switchboard/plugins/host"
	"switchboard/plugins/internal/connectortest"
	"switchboard/plugins/sdk"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildVK builds the connector once per test run.
func buildVK(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vk-test")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "vk")
		if b, err := exec.Command("go", "build", "-o", builtBin, "switchboard/plugins/connectors/vk").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build vk: %v\n%s", err, b)
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

func TestVKPassesTheConformanceKit(t *testing.T) {
	srv := fakevk.New()
	defer srv.Close()
	srv.AddUser(customer, nil)
	conformance.Run(t, buildVK(t), conformance.Options{
		Settings:    settingsFor(srv, ""),
		BadSettings: fmt.Appendf(nil, `{"token":"vk1.a.not-this-communitys-token-012345","group_id":%d,"api_url":%q}`, srv.GroupID, srv.URL),
		Inbound: func(ctx context.Context, n int) error {
			for i := range n {
				srv.UserWrites(customer.ID, fmt.Sprint("hello ", i))
			}
			return nil
		},
		Delivered: func(ctx context.Context, chatID, text string) error {
			for _, m := range srv.Sent(customer.ID) {
				if m.Text == text && chatID == chat {
					return nil
				}
			}
			return fmt.Errorf("%q is not in chat %s", text, chatID)
		},
	})
}

// hostWithVK installs the signed connector into a real host.
func hostWithVK(t *testing.T, srv *fakevk.Server, deliver func(context.Context, string, host.InboundEvent) error) *host.Host {
	t.Helper()
	p := connectortest.Plugin{ID: "vk", Name: "VK community messages", Version: version, Binary: buildVK(t)}
	return connectortest.HostWith(t, p, "vk", settingsFor(srv, ""), deliver)
}

func describe(e sdk.Event) string {
	switch {
	case e.Message != nil:
		return "message " + e.Message.Text
	case e.Edit != nil:
		return "edit " + e.Edit.Text
	case e.Delivery != nil:
		return fmt.Sprint("delivery ", e.Delivery.State)
	}
	return "other"
}

// A kill -9 while the host stores an event: the restarted plugin polls
// again from the last acknowledged ts and emits only what was not stored.
func TestAKilledPluginResumesWithoutLosingOrRepeatingEvents(t *testing.T) {
	srv := fakevk.New()
	defer srv.Close()
	srv.AddUser(customer, nil)
	st := connectortest.NewStore()
	var h *host.Host
	firstPID := 0
	st.FailOnce = func(e sdk.Event) bool { return e.Message != nil && e.Message.Text == "second" }
	st.Kill = func() {
		status, _ := h.Status("vk")
		firstPID = status.PID
		srv.UserWrites(customer.ID, "while it was down")
		if err := syscall.Kill(status.PID, syscall.SIGKILL); err != nil {
			t.Errorf("kill %d: %v", status.PID, err)
		}
	}
	h = hostWithVK(t, srv, st.Deliver)
	waitFor(t, "the plugin polling", func() bool { return len(srv.Calls("groups.getLongPollServer")) >= 2 })

	srv.UserWrites(customer.ID, "first")
	_, second := srv.UserWrites(customer.ID, "second")
	srv.UserWrites(customer.ID, "third")
	st.WaitFor(t, 4)
	srv.UserEdits(second.ID, "second, edited")
	got := st.WaitFor(t, 5)
	want := []string{"message first", "message second", "message third", "message while it was down", "edit second, edited"}
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
	if all := st.WaitFor(t, 0); len(all) != len(want) {
		t.Fatalf("stored %d events, want %d: a duplicate", len(all), len(want))
	}
	status, _ := h.Status("vk")
	if status.PID == firstPID || status.Restarts < 1 {
		t.Fatalf("status = %+v; the plugin was not restarted (first pid %d)", status, firstPID)
	}

	// Operator calls cross the process boundary with their channel errors.
	ctx := context.Background()
	res, err := h.Send(ctx, "vk", sdk.OutboundMessage{IdempotencyKey: "r1", ChatID: chat, Text: "Спасибо!", ReplyToExternalID: got[0].Message.ExternalID})
	if err != nil || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	conn, err := h.Connector("vk")
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Edit(ctx, chat, res.ExternalID, "Спасибо большое!"); err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.ParseInt(res.ExternalID, 10, 64)
	srv.UserReads(customer.ID, id)
	if d := st.WaitFor(t, 6)[5]; d.Delivery == nil || d.Delivery.ExternalID != res.ExternalID || d.Delivery.State != sdk.DeliveryRead {
		t.Fatalf("after the customer read got %s", describe(d))
	}
	if err := conn.Delete(ctx, chat, res.ExternalID); err != nil {
		t.Fatal(err)
	}
	d, err := conn.Describe(ctx)
	if err != nil || d.Capabilities.DeleteWindow != 24*time.Hour || d.Capabilities.EditWindow != 24*time.Hour || !d.Capabilities.ReplyTo {
		t.Fatalf("Describe = %+v, %v", d.Capabilities, err)
	}
	srv.UserDenies(customer.ID)
	st.WaitFor(t, 7)
	_, err = h.Send(ctx, "vk", sdk.OutboundMessage{IdempotencyKey: "r2", ChatID: chat, Text: "Алло?"})
	var ce *sdk.ChannelError
	if !errors.As(err, &ce) || ce.Code != "recipient_not_allowed" {
		t.Fatalf("sending to a user who denied messages = %v, want a recipient_not_allowed channel error", err)
	}
}
