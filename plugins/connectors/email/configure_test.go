package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
)

// syncBuffer is a log sink safe for the connector's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// services are the host's real services in memory, logging at debug level
// into a buffer.
func services(t *testing.T) (*host.Services, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	svc, err := host.NewServices("", hclog.New(&hclog.LoggerOptions{Output: logs, Level: hclog.Debug}))
	if err != nil {
		t.Fatal(err)
	}
	return svc, logs
}

func TestConfigureTriesTheLoginAndPointsAtTheWrongField(t *testing.T) {
	support, pw := servers.addUser("support")
	closed, _ := freePort()
	tests := []struct {
		name      string
		settings  []byte
		wantField string
		wantCode  string
	}{
		{"a wrong IMAP password", settingsFor(support, "wrong-imap-secret"), "/imap/password", "validation_login_failed"},
		{"a wrong SMTP password", settingsFor(support, pw, smtpSetting("password", "wrong-smtp-secret"), smtpSetting("username", support)), "/smtp/password", "validation_login_failed"},
		{"an IMAP port nobody listens on", settingsFor(support, pw, imapSetting("port", closed)), "/imap/host", "validation_unreachable"},
		{"a certificate nobody vouches for", settingsFor(support, pw, func(s map[string]any) { delete(s, "ca_cert") }), "/imap/host", "validation_tls_untrusted"},
		{"TLS on the STARTTLS port", settingsFor(support, pw, smtpSetting("port", servers.smtpPort)), "/smtp/security", "validation_tls_failed"},
		{"a folder that does not exist", settingsFor(support, pw, imapSetting("folder", "Nowhere")), "/imap/folder", "validation_folder_missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, logs := services(t)
			c := newConnector()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			fes, err := c.Configure(ctx, sdk.ConfigureRequest{ChannelID: "mail", Settings: tt.settings, Host: svc})
			if err != nil {
				t.Fatalf("Configure: %v", err)
			}
			found := false
			for _, fe := range fes {
				if fe.Field == tt.wantField && fe.Code == tt.wantCode {
					found = true
				}
			}
			if !found {
				t.Fatalf("Configure = %+v, want %s at %s", fes, tt.wantCode, tt.wantField)
			}
			all, _ := json.Marshal(fes)
			for _, secret := range []string{pw, "wrong-imap-secret", "wrong-smtp-secret"} {
				if strings.Contains(string(all), secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("a password shows in the field errors or the log")
				}
			}
		})
	}
}

func TestAMailboxThatWorkedBeforeSurvivesAnOutage(t *testing.T) {
	support, pw := servers.addUser("support")
	svc, logs := services(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Settings pointing at a server that is down; first as new settings,
	// then as settings that worked before (the host restarting a channel).
	down, _ := freePort()
	settings := settingsFor(support, pw, imapSetting("port", down))
	if fes, _ := newConnector().Configure(ctx, sdk.ConfigureRequest{Settings: settings, Host: svc}); len(fes) == 0 {
		t.Fatal("new settings for an unreachable server were accepted")
	}
	s, _ := parseSettings(settings)
	svc.StatePut(ctx, "settings_verified", []byte(s.fingerprint()))
	c := newConnector()
	if fes, err := c.Configure(ctx, sdk.ConfigureRequest{Settings: settings, Host: svc}); err != nil || len(fes) > 0 {
		t.Fatalf("Configure = %v, %v; want the known settings kept through an outage", fes, err)
	}
	rctx, rcancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Receive(rctx, "", func(sdk.Event) error { return nil }) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := c.Health(ctx)
		if err != nil {
			var ce *sdk.ChannelError
			if !errors.As(err, &ce) || ce.Code != "unreachable" {
				t.Fatalf("Health = %v, want the channel's own error", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Health stayed fine while the server was down")
		}
		time.Sleep(50 * time.Millisecond)
	}
	rcancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Receive ended with %v, want the context's end", err)
	}
	if strings.Contains(logs.String(), pw) {
		t.Error("the password shows in the log")
	}
}

func TestCallsBeforeConfigureAreChannelErrors(t *testing.T) {
	c := newConnector()
	ctx := context.Background()
	if err := c.Receive(ctx, "", func(sdk.Event) error { return nil }); !sdk.IsChannelError(err) {
		t.Errorf("Receive = %v, want a channel error", err)
	}
	if _, err := c.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "k", ChatID: "c"}); !sdk.IsChannelError(err) {
		t.Errorf("Send = %v, want a channel error", err)
	}
	if err := c.Ack(ctx, "not a cursor"); err == nil {
		t.Error("Ack of a bad cursor succeeded")
	}
}

func TestPollingFindsMailWithoutIdle(t *testing.T) {
	support, pw := servers.addUser("support")
	customer, _ := servers.addUser("customer")
	svc, _ := services(t)
	c := newConnector()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	settings := settingsFor(support, pw, imapSetting("idle", false), imapSetting("poll_seconds", 5))
	if fes, err := c.Configure(ctx, sdk.ConfigureRequest{Settings: settings, Host: svc}); err != nil || len(fes) > 0 {
		t.Fatalf("Configure = %v, %v", fes, err)
	}
	got := make(chan sdk.Event, 1)
	go c.Receive(ctx, "", func(e sdk.Event) error { got <- e; return nil })
	time.Sleep(300 * time.Millisecond) // the first look found nothing
	send(t, draft{From: customer, To: []string{support}, Subject: "Polled", Text: "hi"})
	select {
	case e := <-got:
		if e.Message == nil || e.Message.Subject != "Polled" {
			t.Fatalf("event %+v", e)
		}
	case <-time.After(12 * time.Second):
		t.Fatal("polling did not find the mail")
	}
}

func TestARebuiltFolderIsReadAgainFromItsUnreadMail(t *testing.T) {
	support, pw := servers.addUser("support")
	customer, _ := servers.addUser("customer")
	admin, err := servers.imap(support)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.Create("Support", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	put := func(subject string) {
		msg := compose(t, draft{From: customer, To: []string{support}, Subject: subject, Text: "hi"})
		cmd := admin.Append("Support", int64(len(msg)), nil)
		cmd.Write(msg)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	svc, logs := services(t)
	c := newConnector()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if fes, err := c.Configure(ctx, sdk.ConfigureRequest{Settings: settingsFor(support, pw, imapSetting("folder", "Support")), Host: svc}); err != nil || len(fes) > 0 {
		t.Fatalf("Configure = %v, %v", fes, err)
	}
	first := func(after string) sdk.Event {
		t.Helper()
		rctx, rcancel := context.WithCancel(ctx)
		defer rcancel()
		var got sdk.Event
		stop := errors.New("stop")
		if err := c.Receive(rctx, after, func(e sdk.Event) error { got = e; return stop }); !errors.Is(err, stop) {
			t.Fatalf("Receive = %v", err)
		}
		return got
	}
	put("Before")
	before := first("")
	// The folder is deleted and made again: its UIDs start over under a
	// new UIDVALIDITY, and the old cursor means nothing there.
	if err := admin.Delete("Support").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := admin.Create("Support", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	put("After")
	after := first(before.Cursor)
	if after.Message == nil || after.Message.Subject != "After" {
		t.Fatalf("after the rebuild got %+v, want the new unread mail", after.Message)
	}
	if after.Cursor[:10] == before.Cursor[:10] {
		t.Errorf("cursors %s and %s share a UIDVALIDITY", before.Cursor, after.Cursor)
	}
	if !strings.Contains(logs.String(), "UIDVALIDITY changed") {
		t.Error("the rebuild was not logged")
	}
}
