package server

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestDevClockIsOffByDefault(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		for _, method := range []string{"GET", "POST"} {
			code, body := e.call(method, "/api/v1/dev/clock", "", map[string]string{"advance": "2h"})
			wantError(t, method+" /api/v1/dev/clock without --dev-clock", code, body, 404, "request.not_found")
		}
	})
}

func TestDevClockWakesSnoozedDialogs(t *testing.T) {
	clock := new(DevClock)
	bothWith(t, func(c *Config) { c.DevClock = clock }, func(t *testing.T, e *env) {
		anna := e.login("anna@demo.switchboard")
		until := clock.Now().Add(time.Hour).UTC().Truncate(time.Second)
		if r := e.command(anna, "dialog.snooze", map[string]any{"dialogId": "dl-demo-02", "until": until}); !r.OK {
			t.Fatalf("snooze = %+v", r)
		}
		status := func() string {
			code, body := e.call("GET", "/api/v1/dialogs/dl-demo-02", anna, nil)
			var d struct{ Status, AssigneeID string }
			if code != 200 || json.Unmarshal(body, &d) != nil {
				t.Fatalf("dialog = %d %s", code, body)
			}
			return d.Status + "/" + d.AssigneeID
		}

		for _, bad := range []struct {
			body any
			code string
		}{
			{map[string]string{"advance": "-1h"}, "clock.bad_duration"},
			{map[string]string{"advance": "soon"}, "clock.bad_duration"},
			{map[string]any{}, "clock.no_move"},
			{map[string]any{"to": time.Now().Add(-time.Hour)}, "clock.backwards"},
			{map[string]any{"advance": "1h", "to": time.Now().Add(time.Hour)}, "clock.ambiguous"},
		} {
			code, body := e.call("POST", "/api/v1/dev/clock", "", bad.body)
			wantError(t, fmt.Sprintf("moving the clock by %v", bad.body), code, body, 422, bad.code)
		}
		code, body := e.call("POST", "/api/v1/dev/clock", "", map[string]string{"advance": "59m"})
		if code != 200 || status() != "snoozed/op-anna" {
			t.Fatalf("59 minutes on (%d %s): dialog %s, want still snoozed", code, body, status())
		}
		before := clock.Now()
		code, body = e.call("POST", "/api/v1/dev/clock", "", map[string]string{"advance": "2m"})
		var got struct{ Now time.Time }
		_ = json.Unmarshal(body, &got)
		if code != 200 || got.Now.Before(before.Add(2*time.Minute)) {
			t.Fatalf("advance 2m = %d %s, want the clock at least 2 minutes on from %v", code, body, before)
		}
		// The move ran the timer at once: the dialog is back in Anna's Mine.
		if s := status(); s != "in_progress/op-anna" {
			t.Fatalf("after the snooze time: dialog %s, want in_progress/op-anna", s)
		}
		code, body = e.call("GET", "/api/v1/dev/clock", "", nil)
		if code != 200 || json.Unmarshal(body, &got) != nil || got.Now.Before(before) {
			t.Errorf("GET dev clock = %d %s", code, body)
		}
	})
}

func TestCheckContactWithoutAHostedChannel(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		taras := e.login("taras@demo.switchboard")
		code, body := e.call("POST", "/api/v1/channels/ch-whatsapp/check-contact", taras, wire.ContactCheckRequest{Phone: "+380501234567"})
		wantError(t, "check-contact on a channel without start-by-phone", code, body, 422, "channel.no_start_by_phone")
		if err := e.srv.SetChannelCapabilities(t.Context(), "ch-whatsapp", inbox.Capabilities{StartByPhone: true}); err != nil {
			t.Fatal(err)
		}
		code, body = e.call("POST", "/api/v1/channels/ch-whatsapp/check-contact", taras, wire.ContactCheckRequest{Phone: "+380501234567"})
		wantError(t, "check-contact with no connector host", code, body, 503, "channel.unavailable")
		e.srv.SetContactChecker(func(_ context.Context, ch string, q wire.ContactCheckRequest) (wire.ContactCheck, error) {
			return wire.ContactCheck{}, fmt.Errorf("channel %s: %w", ch, ErrChannelNotHere)
		})
		code, body = e.call("POST", "/api/v1/channels/ch-whatsapp/check-contact", taras, wire.ContactCheckRequest{Phone: "+380501234567"})
		wantError(t, "check-contact on a channel another instance runs", code, body, 503, "channel.unavailable")
		code, body = e.call("POST", "/api/v1/channels/ch-whatsapp/check-contact", "", wire.ContactCheckRequest{Phone: "+380501234567"})
		wantError(t, "check-contact signed out", code, body, 401, "auth.required")
	})
}
