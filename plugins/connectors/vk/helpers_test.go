package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/plugins/connectors/vk/internal/fakevk"
	"switchboard/plugins/internal/connectortest"
	"switchboard/plugins/sdk"
)

// customer is the user the tests play, with the reference samples' id.
var customer = fakevk.User{ID: 1234567, FirstName: "Анна", LastName: "Смирнова", ScreenName: "anna_smirnova"}

const chat = "1234567"

// recordingHost is the host's real in-memory services, keeping every log
// line so tests can check that no secret or customer text is logged.
type recordingHost = connectortest.Host

func newRecordingHost(t *testing.T) *recordingHost { return connectortest.NewHost(t) }

type rig struct {
	t    *testing.T
	srv  *fakevk.Server
	c    *connector
	host *recordingHost
}

func settingsFor(srv *fakevk.Server, extra string) []byte {
	return fmt.Appendf(nil, `{"token":%q,"group_id":%d,"api_url":%q,"poll_wait_seconds":5%s}`, srv.Token, srv.GroupID, srv.URL, extra)
}

// avatar is the customer's profile photo.
var avatar = append([]byte{0xFF, 0xD8, 0xFF}, []byte("avatar of anna")...)

func newRig(t *testing.T, extra string) *rig {
	t.Helper()
	srv := fakevk.New()
	t.Cleanup(srv.Close)
	srv.AddUser(customer, avatar)
	r := &rig{t: t, srv: srv, c: newConnector(), host: newRecordingHost(t)}
	fes, err := r.c.Configure(context.Background(), sdk.ConfigureRequest{ChannelID: "vk", Settings: settingsFor(srv, extra), Host: r.host})
	if err != nil || len(fes) > 0 {
		t.Fatalf("Configure = %v, %v", fes, err)
	}
	if err := r.c.Health(context.Background()); err != nil || r.c.community != "Shop Support" {
		t.Fatalf("after Configure the community is %q and Health = %v", r.c.community, err)
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

// fixture reads a sample update with VK's file servers mapped to srv.
func fixture(t *testing.T, srv *fakevk.Server, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "updates", name))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), "https://sun9-74.userapi.com", srv.StaticBase()))
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
