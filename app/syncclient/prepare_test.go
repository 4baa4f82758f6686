package syncclient

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"switchboard/app/syncclient/synctest"
	"switchboard/wire"
)

// TestPrepareHoldsOrRejectsACommandBeforeItIsSent: a command Prepare
// cannot ready yet waits with everything after it, while those before it
// go out; one refused for good is rejected here, rolled back, and the
// outbox moves on.
func TestPrepareHoldsOrRejectsACommandBeforeItIsSent(t *testing.T) {
	ts := synctest.New(t)
	ts.Put(wire.KindDialog, "d1", unassigned("d1"))
	rp := openReplica(t, filepath.Join(tempDir(t), "r.db"))
	defer rp.Close()
	h := newHarness(t, ts, rp)
	var mu sync.Mutex
	holding := true
	h.cl.cfg.Prepare = func(_ context.Context, cmd wire.CommandEnvelope) error {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case cmd.ID == "c2" && holding:
			return errors.New("uploading: connection reset")
		case cmd.ID == "c3":
			return &Refused{Code: "file.missing", Message: "The file is gone.", Args: map[string]string{"name": "a.pdf"}}
		}
		return nil
	}
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		sendCmd(t, rp, id, "d1")
	}
	h.start()
	waitFor(t, "the command before the held one", func() bool { return slices.Equal(ts.Executed(), []string{"c1"}) && h.rec.count(StateReconnecting) >= 1 })
	if got := ts.Executed(); !slices.Equal(got, []string{"c1"}) {
		t.Fatalf("while c2 is held the server executed %v, want only c1", got)
	}
	mu.Lock()
	holding = false
	mu.Unlock()
	// Executed on the server is not yet answered here: wait for the outbox
	// to hear back too (CI once looked in between).
	waitFor(t, "the rest", func() bool {
		p, _ := rp.Pending(context.Background(), 10)
		return slices.Equal(ts.Executed(), []string{"c1", "c2", "c4"}) && len(p) == 0
	})
	h.rec.mu.Lock()
	rejected := slices.Clone(h.rec.rejected)
	h.rec.mu.Unlock()
	if len(rejected) != 1 || rejected[0].ID != "c3" || rejected[0].Code != "file.missing" || rejected[0].Args["name"] != "a.pdf" {
		t.Errorf("rejected = %+v, want c3 refused with file.missing naming a.pdf", rejected)
	}
	hist, err := rp.History(context.Background(), "d1", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range hist.Messages {
		if m.ID == "m-c3" && m.Delivery == "pending" {
			t.Error("the refused message is still pending in the replica")
		}
	}
	if p, _ := rp.Pending(context.Background(), 10); len(p) != 0 {
		t.Errorf("outbox still has %d pending commands", len(p))
	}
}
