package conformance_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"switchboard/plugins/conformance"
)

func build(t *testing.T, pkg string, vars ...string) string {
	t.Helper()
	ldflags := ""
	for _, v := range vars {
		ldflags += " -X " + v
	}
	out := filepath.Join(t.TempDir(), "connector")
	if b, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", out, pkg).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// echoOptions drive the test connector: inbound messages are posted to its
// HTTP listener.
func echoOptions(t *testing.T) conformance.Options {
	addr := freeAddr(t)
	return conformance.Options{
		Settings:    fmt.Appendf(nil, `{"greeting":"hi","listen":%q}`, addr),
		BadSettings: []byte(`{"greeting":""}`),
		Inbound: func(ctx context.Context, n int) error {
			for i := range n {
				req, _ := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("http://%s/in?text=m%d", addr, i), nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return err
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					return fmt.Errorf("POST /in: %s", resp.Status)
				}
			}
			return nil
		},
	}
}

func TestTheKitPassesAConformingConnector(t *testing.T) {
	bin := build(t, "switchboard/plugins/internal/testconnector")
	conformance.Run(t, bin, echoOptions(t))
}

func TestTheKitFailsABrokenConnectorOnTheRightLines(t *testing.T) {
	bin := build(t, "switchboard/plugins/internal/testconnector", "main.broken=yes")
	results := conformance.Check(context.Background(), bin, echoOptions(t))
	want := map[string]bool{ // requirement -> should pass
		conformance.ReqHandshake: true,
		conformance.ReqDescribe:  false,
		conformance.ReqSettings:  false,
		conformance.ReqResume:    false,
		conformance.ReqSend:      true,
		conformance.ReqBadInput:  true,
		conformance.ReqOutward:   false, // its typing fails as a bug would
	}
	for _, r := range results {
		t.Log(r)
		pass, ok := want[r.Requirement]
		if ok && r.Passed != pass {
			t.Errorf("%q passed = %v, want %v (%s)", r.Requirement, r.Passed, pass, r.Detail)
		}
	}
	if len(results) != 8 {
		t.Errorf("got %d results, want 8", len(results))
	}
}

func TestAMissingBinaryFailsTheHandshake(t *testing.T) {
	r := conformance.Check(context.Background(), filepath.Join(t.TempDir(), "nope"), conformance.Options{})
	if len(r) != 1 || r[0].Passed || r[0].Requirement != conformance.ReqHandshake {
		t.Fatalf("Check(missing) = %v, want one failed handshake", r)
	}
	if _, err := os.Stat("nope"); err == nil {
		t.Fatal("unexpected file")
	}
}
