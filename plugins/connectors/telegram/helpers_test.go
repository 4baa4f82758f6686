package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"switchboard/plugins/connectors/telegram/internal/fakebotapi"
	"switchboard/plugins/internal/connectortest"
	"switchboard/plugins/sdk"
)

// customer is the user the tests play, as in the reference's samples.
var customer = fakebotapi.User{ID: 1111111, FirstName: "Test Firstname", LastName: "Test Lastname", Username: "Testusername"}

// recordingHost is the host's real in-memory services, keeping every log
// line so tests can check that no secret or customer text is logged.
type recordingHost = connectortest.Host

func newRecordingHost(t *testing.T) *recordingHost { return connectortest.NewHost(t) }

// rig is a connector configured against a fresh fake Bot API.
type rig struct {
	t    *testing.T
	srv  *fakebotapi.Server
	c    *connector
	host *recordingHost
}

func settingsFor(srv *fakebotapi.Server, extra string) []byte {
	return fmt.Appendf(nil, `{"token":%q,"api_url":%q,"poll_timeout_seconds":5%s}`, srv.Token, srv.URL, extra)
}

func newRig(t *testing.T, extra string) *rig {
	t.Helper()
	srv := fakebotapi.New()
	t.Cleanup(srv.Close)
	r := &rig{t: t, srv: srv, c: newConnector(), host: newRecordingHost(t)}
	fes, err := r.c.Configure(context.Background(), sdk.ConfigureRequest{ChannelID: "tg", Settings: settingsFor(srv, extra), Host: r.host})
	if err != nil || len(fes) > 0 {
		t.Fatalf("Configure = %v, %v", fes, err)
	}
	if err := r.c.Health(context.Background()); err != nil || r.c.botName != "@shop_support_bot" {
		t.Fatalf("after Configure the bot is %q and Health = %v", r.c.botName, err)
	}
	t.Cleanup(func() {
		if strings.Contains(r.host.Logs(), srv.Token) {
			t.Errorf("the token is in the log:\n%s", r.host.Logs())
		}
	})
	return r
}

// receive runs Receive as the host does (see connectortest.Stream).
func (r *rig) receive(after string) *connectortest.Stream {
	return connectortest.Receive(r.t, r.c, after)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "updates", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func channelCode(err error) string {
	var ce *sdk.ChannelError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

// jpeg is the start of a JPEG file, enough for content sniffing.
var jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, []byte(strings.Repeat("photo-bytes ", 200))...)

// webp is the start of a WEBP file.
var webp = append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), []byte(strings.Repeat("sticker ", 50))...)
