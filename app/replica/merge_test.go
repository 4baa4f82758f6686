package replica

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"switchboard/wire"
)

// segments counts the segments of a search index: the pages of its
// %_data table are keyed by segment id << 37 (SQLite's fts5_index.c), the
// rows below that are the index's own records.
func segments(t *testing.T, rp *Replica, table string) int {
	t.Helper()
	var n int
	if err := rp.w.QueryRow(`SELECT count(DISTINCT id >> 37) FROM ` + table + `_data WHERE id >> 37 > 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A message arriving on its own adds a segment to the search index when
// its write commits. The commit must not merge segments (one commit in 64
// merged hundreds of pages, ~20 ms of an operator's send); the merger
// does, after writes, and leaves the index merged and whole.
func TestSearchIndexIsMergedByTheMergerNotByCommits(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	// Stop the background merger: this test runs it by hand.
	stopBackground(rp)

	// A pull from 0, its search index filled by the builder: the commits
	// after it leave merging to the merger.
	if err := rp.Baseline(ctx, 0); err != nil {
		t.Fatal(err)
	}
	c := newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", "unassigned"))
	mustApply(t, rp, c.list)
	finishPull(t, rp)
	for _, table := range searchTables {
		var automerge string
		if err := rp.w.QueryRow(`SELECT v FROM ` + table + `_config WHERE k = 'automerge'`).Scan(&automerge); err != nil {
			t.Fatalf("%s: automerge: %v", table, err)
		}
		if automerge != "0" {
			t.Errorf("%s merges at commit (automerge %s), want 0: the merger merges", table, automerge)
		}
	}
	// Each commit adds a segment (SQLite's crisis merge folds 16 of a
	// level into one): write until there are a dozen.
	n, written := 0, 0
	for ; n < 100 && written < 12; n++ {
		c.list = nil
		c.put(wire.KindMessage, fmt.Sprintf("m%d", n), message(fmt.Sprintf("m%d", n), "d1", fmt.Sprintf("заказ%d номер", n), t0))
		mustApply(t, rp, c.list)
		written = segments(t, rp, "messages_fts")
	}
	if written < 12 {
		t.Fatalf("%d single-message commits left %d segments, want a dozen", n, written)
	}
	rp.mergeSearch(nil)
	merged := segments(t, rp, "messages_fts")
	if merged > 4 {
		t.Errorf("after the merger: %d segments (from %d), want at most 4", merged, written)
	}
	for _, i := range []int{0, n / 2, n - 1} {
		found, err := rp.Search(ctx, fmt.Sprintf("заказ%d", i), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(found) != 1 {
			t.Errorf("search for message %d after merging: %d results, want 1", i, len(found))
		}
	}
	all, err := rp.Search(ctx, "номер", n)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != n {
		t.Errorf("search for the common word: %d results, want %d", len(all), n)
	}
}

// A write-ahead log grown by a big transaction (a bootstrap's pages) is
// emptied by the checkpointer once it has copied it all, instead of
// keeping its size while the replica is open or being cut back inside
// the operator's next write.
func TestTheCheckpointerCutsBackAGrownWriteAheadLog(t *testing.T) {
	limit := walSizeLimit
	walSizeLimit = 64 << 10
	t.Cleanup(func() { walSizeLimit = limit })
	rp := openTemp(t)
	// Stop the checkpointer and the merger: the test checkpoints by hand,
	// and nothing else may write in between.
	stopBackground(rp)
	c := newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", "unassigned"))
	long := strings.Repeat("заказ номер ", 100)
	for i := range 2000 {
		c.put(wire.KindMessage, fmt.Sprintf("m%d", i), message(fmt.Sprintf("m%d", i), "d1", long, t0))
	}
	mustApply(t, rp, c.list)
	walSize := func() int64 {
		fi, err := os.Stat(rp.path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	grown := walSize()
	if grown < 1<<20 {
		t.Fatalf("the log grew to %d bytes only: the test writes too little", grown)
	}
	rp.checkpointNow()
	if after := walSize(); after > walSizeLimit {
		t.Errorf("the log's file is %d bytes after the checkpoint (from %d), want at most %d", after, grown, walSizeLimit)
	}
	// And the replica goes on as before.
	c.list = nil
	c.put(wire.KindMessage, "last", message("last", "d1", "финал", t0))
	mustApply(t, rp, c.list)
	if hits, err := rp.Search(context.Background(), "финал", 10); err != nil || len(hits) != 1 {
		t.Errorf("search after the checkpoint: %d hits, %v; want 1", len(hits), err)
	}
}
