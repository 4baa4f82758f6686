//go:build linux || freebsd || netbsd || openbsd

// These tests drive the Alerter through the D-Bus desk of dbus_test.go.

package notify

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/wire"
)

// TestOnAlertHearsEveryRaisedAlertWithItsDialog feeds the Alerter from a
// real replica, as the app does, and checks that the hook the notification
// centre uses hears each alert the notifier is handed, with its dialog.
func TestOnAlertHearsEveryRaisedAlertWithItsDialog(t *testing.T) {
	rp, err := replica.Open(context.Background(), filepath.Join(t.TempDir(), "replica.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	var mu sync.Mutex
	var heard, shown []Alert
	al := NewAlerter(Config{
		Options: Options{Window: time.Millisecond},
		Notifier: NotifierFunc(func(_ context.Context, a Alert) error {
			mu.Lock()
			defer mu.Unlock()
			shown = append(shown, a)
			return nil
		}),
		OnAlert: func(a Alert) {
			mu.Lock()
			defer mu.Unlock()
			heard = append(heard, a)
		},
	})
	d := &desk{t: t, rp: rp, al: al}
	if _, err := rp.Apply(context.Background(), d.orgChanges()); err != nil {
		t.Fatal(err)
	}
	al.SignIn("anna", rp)
	al.Connecting()
	al.Online()

	theirs := freshDialog(dlg("d1", inbox.StatusInProgress, assignee("oleg"), inLine("l-sales")))
	m := &inbox.Message{ID: "m1", DialogID: "d1", Kind: inbox.MsgComment, AuthorID: "oleg",
		Text: "<b>@Anna</b> look", Mentions: []string{"anna"}, CreatedAt: time.Now()}
	d.apply(d.change(wire.KindDialog, "d1", theirs), d.change(wire.KindMessage, "m1", m))
	// A comment that mentions someone else raises nothing.
	other := &inbox.Message{ID: "m2", DialogID: "d1", Kind: inbox.MsgComment, AuthorID: "oleg",
		Text: "@Boris", Mentions: []string{"boris"}, CreatedAt: time.Now()}
	d.apply(d.change(wire.KindMessage, "m2", other))
	al.Close() // waits for the queue to drain

	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 1 || heard[0].Kind != KindMention || heard[0].DialogID != "d1" || heard[0].Title != "Oleg mentioned you" {
		t.Fatalf("OnAlert heard %+v, want one mention of d1 by Oleg", heard)
	}
	if len(shown) != 1 || shown[0] != heard[0] {
		t.Errorf("the notifier got %+v, want what the hook heard: %+v", shown, heard)
	}
}
