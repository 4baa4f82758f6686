package app

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/app/notify"
	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// alertLog records the alerts the app raises. The real backend on a real
// D-Bus is tested in app/notify; here the app's wiring is.
type alertLog struct {
	mu   sync.Mutex
	list []notify.Alert
}

func (l *alertLog) Notify(_ context.Context, a notify.Alert) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, a)
	return nil
}

func (l *alertLog) alerts() []notify.Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]notify.Alert(nil), l.list...)
}

func newUnassigned(id string) *inbox.Dialog {
	now := time.Now()
	return &inbox.Dialog{ID: id, ClientID: "c1", LineID: "l1", Status: inbox.StatusUnassigned, QueuedAt: now,
		CreatedAt: now, ModifiedAt: now, LastMessageText: "Де моє замовлення?"}
}

func TestANewDialogOnTheServerRaisesAnAlertUnlessItIsOnScreen(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	log := &alertLog{}
	a, ev := startAppWith(t, t.TempDir(), &memTokens{}, log)
	signIn(t, a, ts)
	if got := log.alerts(); len(got) != 0 {
		t.Fatalf("the first sync raised %+v, want nothing: a fresh replica's history is not news", got)
	}
	if err := a.Alerts.SetViewing("d2"); err != nil {
		t.Fatal(err)
	}
	ts.Put(wire.KindDialog, "d2", newUnassigned("d2"))
	// The alerts judge a batch before the UI hears of it; the replica
	// holds d2 before either.
	waitFor(t, "d2 announced to the UI", func() bool {
		return ev.find(EventInboxChanged, func(d any) bool {
			ic, ok := d.(InboxChanged)
			return ok && slices.Contains(ic.DialogIDs, "d2")
		})
	})
	if err := a.Alerts.SetViewing(""); err != nil {
		t.Fatal(err)
	}
	ts.Put(wire.KindDialog, "d3", newUnassigned("d3"))
	waitFor(t, "an alert", func() bool { return len(log.alerts()) > 0 })
	got := log.alerts()
	if len(got) != 1 || got[0].DialogID != "d3" || got[0].Title != "New dialog in First line" || got[0].Body != "Оксана: Де моє замовлення?" {
		t.Errorf("alerts = %+v, want one for d3 (d2 was on screen)", got)
	}
}

func TestWhatHappenedWhileTheAppWasClosedGivesOneSummary(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	dir, tokens := t.TempDir(), &memTokens{}
	first, _ := startAppWith(t, dir, tokens, &alertLog{})
	signIn(t, first, ts)
	first.core.stop()

	for _, id := range []string{"d2", "d3", "d4"} {
		ts.Put(wire.KindDialog, id, newUnassigned(id))
	}
	// The UI chose Ukrainian in an earlier run.
	if err := saveAlertSettings(dir, AlertSettings{Language: "uk"}); err != nil {
		t.Fatal(err)
	}
	log := &alertLog{}
	startAppWith(t, dir, tokens, log)
	waitFor(t, "the summary", func() bool { return len(log.alerts()) > 0 })
	time.Sleep(100 * time.Millisecond) // room for a second alert, which must not come
	got := log.alerts()
	if len(got) != 1 || got[0].Kind != notify.KindSummary || got[0].Title != "Поки вас не було" || got[0].Body != "3 нові діалоги у ваших лініях" {
		t.Errorf("alerts after a restart = %+v, want one summary of 3 new dialogs in Ukrainian", got)
	}
}

func TestAlertSettingsAreKeptAndChecked(t *testing.T) {
	dir := t.TempDir()
	a, _ := startAppIn(t, dir, &memTokens{})
	want := AlertSettings{DoNotDisturb: true, HideText: true, Language: "ru"}
	if got, err := a.Alerts.SetSettings(want); err != nil || got != want {
		t.Fatalf("SetSettings = %+v, %v", got, err)
	}
	if _, err := a.Alerts.SetSettings(AlertSettings{Language: "klingon"}); codeOf(err) != CodeBadInput {
		t.Errorf("SetSettings(klingon) = %v, want %s", err, CodeBadInput)
	}
	a.core.stop()
	b, _ := startAppIn(t, dir, &memTokens{})
	if got, err := b.Alerts.Settings(); err != nil || got != want {
		t.Errorf("Settings after a restart = %+v, %v; want %+v", got, err, want)
	}
}
