package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/connectors/whatsapp/internal/fakegraph"
	"switchboard/plugins/internal/connectortest"
	"switchboard/plugins/sdk"
)

// The customer the tests play, as in the reference's samples.
const (
	customer     = "16505551234"
	customerName = "Kerry Fisher"
	verifyToken  = "meatyhamhock-2024"
)

// recordingHost is the host's real in-memory services, keeping every log
// line so tests can check that no secret or customer text is logged.
type recordingHost = connectortest.Host

func newRecordingHost(t *testing.T) *recordingHost { return connectortest.NewHost(t) }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func settingsFor(srv *fakegraph.Server, listen, extra string) []byte {
	return fmt.Appendf(nil, `{"phone_number_id":%q,"access_token":%q,"app_secret":%q,"verify_token":%q,"listen":%q,"api_url":%q%s}`,
		srv.PhoneNumberID, srv.Token, srv.AppSecret, verifyToken, listen, srv.URL, extra)
}

// rig is a connector configured against a fresh local Graph API, its
// webhook subscribed.
type rig struct {
	t       *testing.T
	srv     *fakegraph.Server
	c       *connector
	host    *recordingHost
	hookURL string
}

func newRig(t *testing.T, extra string) *rig {
	t.Helper()
	srv := fakegraph.New()
	t.Cleanup(srv.Close)
	addr := freeAddr(t)
	r := &rig{t: t, srv: srv, c: newConnector(), host: newRecordingHost(t), hookURL: "http://" + addr + webhookPath}
	fes, err := r.c.Configure(context.Background(), sdk.ConfigureRequest{ChannelID: "wa", Settings: settingsFor(srv, addr, extra), Host: r.host})
	if err != nil || len(fes) > 0 {
		t.Fatalf("Configure = %v, %v", fes, err)
	}
	t.Cleanup(func() {
		r.c.mu.Lock()
		if r.c.srv != nil {
			r.c.srv.Close()
		}
		r.c.mu.Unlock()
	})
	if err := r.c.Health(context.Background()); err != nil {
		t.Fatalf("Health after Configure = %v", err)
	}
	if err := srv.Subscribe(r.hookURL, verifyToken); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	t.Cleanup(func() {
		logs := r.host.Logs()
		for _, secret := range []string{srv.Token, srv.AppSecret, verifyToken} {
			if strings.Contains(logs, secret) {
				t.Errorf("a secret is in the log:\n%s", logs)
			}
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
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureMedia is the content the fixtures' sha256 values hash, by media id.
var fixtureMedia = map[string]struct {
	mime string
	data []byte
}{
	"1479537139650973": {"image/jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00sample photo of a parcel")},
	"1323458981775564": {"application/pdf", []byte("%PDF-1.4 sample invoice")},
	"1084254689495286": {"audio/ogg; codecs=opus", []byte("OggS\x00sample voice note")},
	"1031279851296016": {"image/webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 sample sticker")},
}

func channelCode(err error) string {
	var ce *sdk.ChannelError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jpeg is the start of a JPEG file.
var jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, []byte(strings.Repeat("photo-bytes ", 200))...)
