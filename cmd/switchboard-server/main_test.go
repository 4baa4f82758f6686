package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"switchboard/server/store/pgtest"
	"switchboard/wire"
)

// buildServer compiles this command once per test binary.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboard-server")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var addrRE = regexp.MustCompile(`addr=http://(\S+)`)

// start runs the server and returns its base URL once it listens.
func start(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append(args, "--listen", "127.0.0.1:0")...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- "http://" + m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-time.After(20 * time.Second):
		t.Fatal("the server did not report its address")
	}
	return ""
}

func post(t *testing.T, url, token string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wire.ProtocolHeader, "1")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, out
}

func login(t *testing.T, base, email, pw string) string {
	t.Helper()
	code, body := post(t, base+"/api/v1/auth/login", "", wire.LoginRequest{Email: email, Password: pw})
	if code != 200 {
		t.Fatalf("login %s at %s = %d %s", email, base, code, body)
	}
	var r wire.LoginResponse
	_ = json.Unmarshal(body, &r)
	return r.Token
}

func take(t *testing.T, base, token, dialog string) wire.CommandResult {
	t.Helper()
	code, body := post(t, base+"/api/v1/commands", token, wire.CommandsRequest{Commands: []wire.CommandEnvelope{
		{ID: "take-" + token[:8], Type: "dialog.take", Payload: json.RawMessage(`{"dialogId":"` + dialog + `"}`)}}})
	var r wire.CommandsResponse
	if code != 200 || json.Unmarshal(body, &r) != nil || len(r.Results) != 1 {
		t.Fatalf("take at %s = %d %s", base, code, body)
	}
	return r.Results[0]
}

func TestFirstRunInitAndSignIn(t *testing.T) {
	bin := buildServer(t)
	data := filepath.Join(t.TempDir(), "fresh", "data")
	out, err := exec.Command(bin, "init", "--data", data, "--email", "boss@example.com", "--password", "correct-horse", "--workspace", "Acme").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "created workspace") {
		t.Fatalf("init = %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "switchboard.db")); err != nil {
		t.Fatalf("init did not create the database in the data directory: %v", err)
	}
	out, err = exec.Command(bin, "init", "--data", data, "--email", "x@example.com", "--password", "correct-horse").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "already has a workspace") {
		t.Fatalf("a second init = %v %s, want a refusal", err, out)
	}
	base := start(t, bin, "--data", data)
	login(t, base, "boss@example.com", "correct-horse")
}

// TestTwoInstancesOnePostgres runs two real server processes on one
// PostgreSQL: a change made through one reaches a desktop connected to the
// other, and two operators taking one dialog through the two instances at
// the same moment get exactly one success.
func TestTwoInstancesOnePostgres(t *testing.T) {
	bin := buildServer(t)
	dsn := pgtest.Schema(t)
	a := start(t, bin, "--db", dsn, "--demo")
	b := start(t, bin, "--db", dsn)

	annaA := login(t, a, "anna@demo.switchboard", "demo1234")
	jamesB := login(t, b, "james@demo.switchboard", "demo1234")
	sofiaB := login(t, b, "sofia@demo.switchboard", "demo1234")

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(b, "http", "ws", 1)+"/api/v1/sync/live?token="+sofiaB+"&after=1000000", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(16 << 20)

	results := make(chan wire.CommandResult, 2)
	go func() { results <- take(t, a, annaA, "dl-demo-05") }()
	go func() { results <- take(t, b, jamesB, "dl-demo-05") }()
	r1, r2 := <-results, <-results
	if r1.OK == r2.OK {
		t.Fatalf("takes through two instances = %+v / %+v, want exactly one winner", r1, r2)
	}
	lost := r1
	if r1.OK {
		lost = r2
	}
	if lost.Code != "dialog.already_taken" {
		t.Errorf("the loser got %+v, want dialog.already_taken", lost)
	}
	// A comment written through instance A reaches Sofia on instance B.
	adminA := login(t, a, "admin@demo.switchboard", "demo1234")
	code, body := post(t, a+"/api/v1/commands", adminA, wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "cross-cmd",
		Type: "message.send", Payload: json.RawMessage(`{"messageId":"cross-1","dialogId":"dl-demo-05","kind":"comment","text":"через инстанс A"}`)}}})
	if code != 200 || !strings.Contains(string(body), `"ok":true`) {
		t.Fatalf("comment through A = %d %s", code, body)
	}
	sawTake, sawComment := false, false
	for !sawTake || !sawComment {
		_, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("live feed on instance B: %v", err)
		}
		var f wire.Frame
		_ = json.Unmarshal(msg, &f)
		for _, c := range f.Changes {
			if c.Kind == wire.KindDialog && c.ID == "dl-demo-05" && strings.Contains(string(c.Data), `"status":"in_progress"`) {
				sawTake = true
			}
			if c.Kind == wire.KindMessage && c.ID == "cross-1" {
				sawComment = true
			}
		}
	}
}
