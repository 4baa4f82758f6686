package replica

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// openTemp opens a replica in a fresh file of the test's temp dir.
func openTemp(t *testing.T) *Replica {
	t.Helper()
	rp, err := Open(context.Background(), filepath.Join(tempDir(t), "replica.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { rp.Close() })
	return rp
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// changes builds put changes with consecutive seqs starting at first.
type changes struct {
	t    *testing.T
	next int64
	list []wire.Change
}

func newChanges(t *testing.T, first int64) *changes { return &changes{t: t, next: first} }

func (c *changes) put(kind wire.Kind, id string, v any) *changes {
	data, err := json.Marshal(v)
	if err != nil {
		c.t.Fatalf("marshal %s: %v", kind, err)
	}
	c.list = append(c.list, wire.Change{Seq: c.next, Kind: kind, ID: id, Op: wire.OpPut, Data: data})
	c.next++
	return c
}

func (c *changes) del(kind wire.Kind, id string) *changes {
	c.list = append(c.list, wire.Change{Seq: c.next, Kind: kind, ID: id, Op: wire.OpDel})
	c.next++
	return c
}

func mustApply(t *testing.T, rp *Replica, cs []wire.Change) Applied {
	t.Helper()
	a, err := rp.Apply(context.Background(), cs)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return a
}

func dialog(id string, status inbox.Status, mutate ...func(*inbox.Dialog)) *inbox.Dialog {
	d := &inbox.Dialog{ID: id, ClientID: "c-" + id, ChannelID: "ch1", LineID: "l1", Status: status,
		CreatedAt: t0, QueuedAt: t0, LastMessageAt: t0, ModifiedAt: t0}
	for _, m := range mutate {
		m(d)
	}
	return d
}

func message(id, dialogID, text string, at time.Time) *inbox.Message {
	return &inbox.Message{ID: id, DialogID: dialogID, Kind: inbox.MsgInbound, Text: text, CreatedAt: at}
}

func ids(items []DialogItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.ID)
	}
	return out
}

// finishPull ends a pull as the sync client does (FinishPull) and fills
// the search index at once, as the builder does in the background.
func finishPull(t *testing.T, rp *Replica) {
	t.Helper()
	if err := rp.FinishPull(context.Background()); err != nil {
		t.Fatalf("FinishPull: %v", err)
	}
	if err := rp.buildSearch(nil); err != nil {
		t.Fatalf("build the search index: %v", err)
	}
}

// stopBackground stops the replica's goroutines (the checkpointer, the
// merger, the search index's builder), for a test that steps them by
// hand; Close closes the pools later.
func stopBackground(rp *Replica) {
	rp.closeOnce.Do(func() { close(rp.stopCkpt); <-rp.ckptDone; <-rp.mergeDone; <-rp.buildDone })
}
