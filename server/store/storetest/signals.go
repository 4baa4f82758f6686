package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/server/store"
)

// testContactDialog: a customer's contact on a channel leads to the newest
// of its dialogs there; an unknown contact to none.
func testContactDialog(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	apply(t, s, newDialog(1, lineA))
	apply(t, s, newDialog(2, lineA))
	later := newDialog(3, lineA)
	later.Clients = nil // a second dialog of cl-1, newer than dl-1
	later.Dialogs[0].ClientID, later.Messages[0].ClientID = "cl-1", "cl-1"
	later.Dialogs[0].CreatedAt = t0.Add(time.Hour)
	apply(t, s, later)
	for contact, want := range map[string]string{"tg-cl-1": "dl-3", "tg-cl-2": "dl-2"} {
		d, err := s.ContactDialog(ctx, chTg, contact)
		if err != nil || d.ID != want {
			t.Errorf("ContactDialog(%s) = %v, %v; want %s", contact, d, err, want)
		}
	}
	if d, err := s.ContactDialog(ctx, chTg, "tg-nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ContactDialog(unknown) = %v, %v; want ErrNotFound", d, err)
	}
	if d, err := s.ContactDialog(ctx, "ch-other", "tg-cl-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("ContactDialog(other channel) = %v, %v; want ErrNotFound", d, err)
	}
}

// testSignals: what one handle signals reaches every handle listening on
// the same database, in order; a store serving one instance (SQLite)
// returns from ListenSignals at once and signals go nowhere, harmlessly.
func testSignals(t *testing.T, open Opener) {
	a, reopen := open(t)
	b := reopen()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 16)
	done := make(chan error, 1)
	go func() { done <- b.ListenSignals(ctx, func(p []byte) { got <- string(p) }) }()
	select {
	case err := <-done:
		// One instance: nothing to listen to.
		if err != nil {
			t.Fatalf("ListenSignals on a one-instance store = %v, want nil", err)
		}
		if err := a.Signal(ctx, []byte("x")); err != nil {
			t.Fatalf("Signal on a one-instance store = %v", err)
		}
		return
	case <-time.After(300 * time.Millisecond):
	}
	// The listener may still be connecting: signal until the first arrives.
	first := ""
	for i := 0; first == "" && i < 100; i++ {
		if err := a.Signal(ctx, []byte("hello")); err != nil {
			t.Fatal(err)
		}
		select {
		case first = <-got:
		case <-time.After(100 * time.Millisecond):
		}
	}
	if first != "hello" {
		t.Fatal("no signal reached the other handle in 10 s")
	}
	for len(got) > 0 {
		<-got // further hellos sent while it connected
	}
	msgs := []string{`{"a":1}`, "Привет, ёжик", strings.Repeat("x", store.MaxSignal)}
	for _, m := range msgs {
		if err := a.Signal(ctx, []byte(m)); err != nil {
			t.Fatalf("Signal(%d bytes): %v", len(m), err)
		}
	}
	for i := 0; i < len(msgs); {
		select {
		case p := <-got:
			if p == "hello" {
				continue
			}
			if p != msgs[i] {
				t.Fatalf("signal %d = %.40q, want %.40q", i, p, msgs[i])
			}
			i++
		case <-time.After(10 * time.Second):
			t.Fatalf("signal %d never arrived", i)
		}
	}
	if err := a.Signal(ctx, []byte(strings.Repeat("x", store.MaxSignal+1))); err == nil {
		t.Fatal("a signal over MaxSignal was sent")
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("ListenSignals after cancel = %v", err)
	}
}
