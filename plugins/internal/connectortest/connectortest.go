// Package connectortest is what the first-party connectors' tests share:
// the host's real in-memory services with every log line kept (to prove no
// secret or customer text is logged), and Receive run as the host runs it.
package connectortest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
)

// Host is the host's real in-memory services, keeping every log line.
type Host struct {
	*host.Services
	mu    sync.Mutex
	lines []string
}

// NewHost returns services with memory state and blobs.
func NewHost(t testing.TB) *Host {
	svc, err := host.NewServices("", hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	return &Host{Services: svc}
}

func (h *Host) Log(ctx context.Context, level sdk.LogLevel, msg string, fields map[string]string) {
	h.mu.Lock()
	h.lines = append(h.lines, fmt.Sprint(level, " ", msg, " ", fields))
	h.mu.Unlock()
	h.Services.Log(ctx, level, msg, fields)
}

// Logs is every line logged so far.
func (h *Host) Logs() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.lines, "\n")
}

// Stream runs a connector's Receive as the host does: every event is
// acknowledged once the test took it.
type Stream struct {
	t      testing.TB
	c      sdk.Connector
	events chan sdk.Event
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// Receive starts streaming c's events after the cursor; the stream stops
// when the test ends.
func Receive(t testing.TB, c sdk.Connector, after string) *Stream {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Stream{t: t, c: c, events: make(chan sdk.Event, 100), cancel: cancel, done: make(chan error, 1)}
	go func() {
		s.done <- c.Receive(ctx, after, func(e sdk.Event) error {
			select {
			case s.events <- e:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	t.Cleanup(s.Stop)
	return s
}

// Stop ends Receive and waits for it.
func (s *Stream) Stop() {
	s.once.Do(func() {
		s.cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			s.t.Error("Receive did not end after its context")
		}
	})
}

// Events yields the events as they arrive, unacknowledged: for tests of
// what a connector does before the host acknowledges.
func (s *Stream) Events() <-chan sdk.Event { return s.events }

// Next returns the next event and acknowledges it.
func (s *Stream) Next() sdk.Event {
	s.t.Helper()
	select {
	case e := <-s.events:
		if err := s.c.Ack(context.Background(), e.Cursor); err != nil {
			s.t.Fatalf("Ack(%q): %v", e.Cursor, err)
		}
		return e
	case err := <-s.done:
		s.t.Fatalf("Receive ended: %v", err)
	case <-time.After(15 * time.Second):
		s.t.Fatal("no event within 15 s")
	}
	return sdk.Event{}
}

// None checks that no event arrives for a while.
func (s *Stream) None(d time.Duration) {
	s.t.Helper()
	select {
	case e := <-s.events:
		s.t.Fatalf("unexpected event %+v", e)
	case <-time.After(d):
	}
}
