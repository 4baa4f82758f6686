package replica

import (
	"context"
	"errors"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func resyncChange(seq int64) wire.Change {
	return wire.Change{Seq: seq, Kind: wire.KindResync, ID: "op1", Op: wire.OpPut}
}

// A resync the replica has not yet answered drops what the server sent and
// rewinds to seq 0, keeping the owner and the operator's unsent commands.
func TestAResyncResetsTheReplicaButKeepsOwnerAndOutbox(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	if err := rp.SetOwner(ctx, Owner{Server: "http://x", OperatorID: "op1"}); err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress)).list)
	cmd, msg := sendCommand("c1", "d1", "unsent")
	if err := rp.Enqueue(ctx, cmd, Optimistic{Message: msg}); err != nil {
		t.Fatal(err)
	}

	// The resync comes mid-batch: what follows it is not applied.
	batch := append([]wire.Change{resyncChange(2)}, newChanges(t, 3).put(wire.KindDialog, "d2", dialog("d2", inbox.StatusUnassigned)).list...)
	a := mustApply(t, rp, batch)
	if !a.Reset || a.LastSeq != 0 {
		t.Fatalf("Applied = %+v, want Reset at seq 0", a)
	}
	if seq, _ := rp.LastSeq(ctx); seq != 0 {
		t.Errorf("LastSeq = %d, want 0", seq)
	}
	for _, id := range []string{"d1", "d2"} {
		if _, err := rp.Dialog(ctx, id); !errors.Is(err, inbox.ErrNotFound) {
			t.Errorf("Dialog(%s) after the resync: err = %v, want not found", id, err)
		}
	}
	if o, _ := rp.Owner(ctx); o != (Owner{Server: "http://x", OperatorID: "op1"}) {
		t.Errorf("Owner = %+v, want it kept", o)
	}
	if p, err := rp.Pending(ctx, 10); err != nil || len(p) != 1 || p[0].ID != "c1" {
		t.Errorf("Pending = %v, %v; want the unsent command kept", p, err)
	}

	// The pull from 0 that follows meets the same resync again (the log
	// keeps it): now it is stale and skipped.
	a = mustApply(t, rp, append(newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress)).list, resyncChange(2)))
	if a.Reset || a.LastSeq != 2 {
		t.Fatalf("re-pull Applied = %+v, want no reset, seq 2", a)
	}
	if _, err := rp.Dialog(ctx, "d1"); err != nil {
		t.Errorf("Dialog(d1) after the re-pull: %v", err)
	}
	// A later resync (the sight changed again) resets once more.
	if a := mustApply(t, rp, []wire.Change{resyncChange(7)}); !a.Reset {
		t.Errorf("a newer resync did not reset: %+v", a)
	}
}

// A fresh replica pulling from 0 skips the resyncs at or below the head the
// first page reported: that pull already reflects them.
func TestAPullFromZeroSkipsTheResyncsItAlreadyReflects(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	if err := rp.Baseline(ctx, 10); err != nil {
		t.Fatal(err)
	}
	batch := append([]wire.Change{resyncChange(4)}, newChanges(t, 5).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).list...)
	if a := mustApply(t, rp, batch); a.Reset || a.LastSeq != 5 {
		t.Fatalf("Applied = %+v, want the resync skipped and d1 applied", a)
	}
	// Once the replica holds something, Baseline leaves it alone: a resync
	// past the first page's head is real.
	if err := rp.Baseline(ctx, 100); err != nil {
		t.Fatal(err)
	}
	if a := mustApply(t, rp, []wire.Change{resyncChange(11)}); !a.Reset {
		t.Errorf("a resync after the baseline did not reset: %+v", a)
	}
}
