package conformance

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

// Options tell the kit how to drive the connector under test.
type Options struct {
	// Settings are valid settings for a test channel.
	Settings []byte
	// BadSettings are settings the connector must refuse with field errors.
	BadSettings []byte
	// Inbound makes the channel behind the running connector receive n new
	// messages (post to its webhook, write to its test account). Without it
	// the receive, resume and send checks are skipped.
	Inbound func(ctx context.Context, n int) error
	// Delivered, when set, checks on the channel's side that text reached
	// the chat.
	Delivered func(ctx context.Context, chatID, text string) error
	// Timeout bounds each requirement; default 30s.
	Timeout time.Duration
}

// Requirements, in the order they are checked.
const (
	ReqHandshake = "handshake and protocol version"
	ReqDescribe  = "describe is complete and its settings schema is an object"
	ReqSettings  = "bad settings come back as field errors"
	ReqResume    = "receive, ack and resume after a restart"
	ReqSend      = "send round trip, idempotent on its key"
	ReqBadInput  = "bad input is refused without crashing"
	ReqOutward   = "typing and read receipts are taken or declined"
	ReqShutdown  = "graceful shutdown with an open stream"
)

// Result is the outcome of one requirement.
type Result struct {
	Requirement string
	Passed      bool
	Skipped     bool
	Detail      string
}

func (r Result) String() string {
	verdict := "FAIL"
	switch {
	case r.Skipped:
		verdict = "SKIP"
	case r.Passed:
		verdict = "PASS"
	}
	if r.Detail == "" {
		return verdict + "  " + r.Requirement
	}
	return verdict + "  " + r.Requirement + ": " + r.Detail
}

// Run checks the binary and fails t for every requirement it misses.
func Run(t *testing.T, binary string, opts Options) {
	t.Helper()
	for _, r := range Check(context.Background(), binary, opts) {
		t.Run(r.Requirement, func(t *testing.T) {
			switch {
			case r.Skipped:
				t.Skip(r.Detail)
			case !r.Passed:
				t.Error(r.Detail)
			}
		})
	}
}

// session is the kit's running copy of the connector.
type session struct {
	bin    *manifest.Verified
	svc    *host.Services
	sock   string
	cmd    *exec.Cmd
	client *plugin.Client
	conn   *sdk.GRPCConnector
}

func (s *session) start() error {
	s.cmd = exec.Command(s.bin.Exec)
	s.cmd.Dir = s.bin.Dir
	log := hclog.New(&hclog.LoggerOptions{Name: "conformance", Level: hclog.Error, Output: os.Stderr})
	client, conn, err := host.LaunchCmd(s.bin, s.cmd, s.svc, s.sock, log)
	if err != nil {
		return err
	}
	s.client, s.conn = client, conn
	return nil
}

// stop shuts the plugin down as the host does and reports whether it exited
// by itself (status 0) rather than being killed after the grace period.
func (s *session) stop() (graceful bool) {
	if s.client == nil {
		return false
	}
	s.client.Kill()
	s.client, s.conn = nil, nil
	return s.cmd.ProcessState != nil && s.cmd.ProcessState.Success()
}

// Check runs every requirement against the binary.
func Check(ctx context.Context, binary string, opts Options) []Result {
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	abs, err := filepath.Abs(binary)
	if err == nil {
		_, err = os.Stat(abs)
	}
	if err != nil {
		return []Result{{Requirement: ReqHandshake, Detail: fmt.Sprintf("binary %s: %v", binary, err)}}
	}
	sum, err := manifest.FileSHA256(abs)
	if err != nil {
		return []Result{{Requirement: ReqHandshake, Detail: err.Error()}}
	}
	sock, err := os.MkdirTemp("", "sbconf")
	if err != nil {
		return []Result{{Requirement: ReqHandshake, Detail: err.Error()}}
	}
	defer os.RemoveAll(sock)
	svc, _ := host.NewServices("", hclog.NewNullLogger())
	s := &session{svc: svc, sock: sock, bin: &manifest.Verified{Manifest: manifest.Manifest{ID: filepath.Base(abs)},
		Dir: filepath.Dir(abs), Exec: abs, Checksum: sum, Protocol: host.Protocols}}
	defer s.stop()

	c := &checker{s: s, opts: opts}
	var results []Result
	add := func(req string, f func(ctx context.Context) (skip bool, err error)) bool {
		rctx, cancel := context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
		skip, err := f(rctx)
		r := Result{Requirement: req, Passed: err == nil && !skip, Skipped: skip}
		if err != nil {
			r.Detail, r.Skipped = err.Error(), false
		} else if skip {
			r.Detail = "needs a way to make the channel receive (Options.Inbound, or -inbound-url of switchboard-plugin conformance)"
		}
		results = append(results, r)
		return err == nil
	}
	if !add(ReqHandshake, c.handshake) {
		return results
	}
	add(ReqDescribe, c.describe)
	add(ReqSettings, c.settings)
	add(ReqResume, c.resume)
	add(ReqSend, c.send)
	add(ReqBadInput, c.badInput)
	add(ReqOutward, c.outward)
	add(ReqShutdown, c.shutdown)
	return results
}
