package replica

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

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
	if !rp.checkpointNow() {
		t.Fatalf("the checkpoint did not report the log's file (%d bytes) as grown past %d", grown, walSizeLimit)
	}
	rp.truncateLog()
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

// The checkpointer empties a grown log's file by itself, once writes have
// paused for truncateQuiet.
func TestTheCheckpointerCutsBackTheLogOnceWritesPause(t *testing.T) {
	limit, quiet := walSizeLimit, truncateQuiet
	walSizeLimit, truncateQuiet = 64<<10, 50*time.Millisecond
	t.Cleanup(func() { walSizeLimit, truncateQuiet = limit, quiet })
	rp := openTemp(t)
	c := newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", "unassigned"))
	long := strings.Repeat("заказ номер ", 100)
	for i := range 2000 {
		c.put(wire.KindMessage, fmt.Sprintf("m%d", i), message(fmt.Sprintf("m%d", i), "d1", long, t0))
	}
	mustApply(t, rp, c.list)
	if grown := rp.walSize(); grown < 1<<20 {
		t.Fatalf("the log grew to %d bytes only: the test writes too little", grown)
	}
	deadline := time.Now().Add(20 * time.Second)
	for rp.walSize() > walSizeLimit {
		if time.Now().After(deadline) {
			t.Fatalf("the log's file is still %d bytes 20 s after the last write, want at most %d", rp.walSize(), walSizeLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// After a pull from 0, the builder fills the messages' search index a
// step at a time, each step a segment, which the merger merges as they
// come into segments of several sizes on several levels; once the index
// is whole, the merger merges them into one, so that new messages' small
// segments merge among themselves instead of into the large ones.
func TestAPullsSearchIndexIsMergedIntoOne(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	stopBackground(rp)
	chunk := searchChunk
	searchChunk = 200 // many steps, as a million messages make
	t.Cleanup(func() { searchChunk = chunk })
	if err := rp.Baseline(ctx, 0); err != nil {
		t.Fatal(err)
	}
	c := newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", "unassigned"))
	for i := range 3000 {
		c.put(wire.KindMessage, fmt.Sprintf("m%d", i), message(fmt.Sprintf("m%d", i), "d1", fmt.Sprintf("заказ%d номер%d оплата счёт%d", i, i*7, i*13), t0))
	}
	mustApply(t, rp, c.list)
	finishPull(t, rp)
	if v, err := getMeta(ctx, rp.w, metaSearchWhole); err != nil || v == "" {
		t.Fatalf("the finished build did not ask for a merge into one (%q, %v)", v, err)
	}
	if n := segments(t, rp, "messages_fts"); n < 2 {
		t.Fatalf("the build left %d segment(s): the test cannot tell a merge into one", n)
	}
	rp.mergeSearch(nil)
	if n := segments(t, rp, "messages_fts"); n != 1 {
		t.Errorf("after the merger: %d segments, want 1", n)
	}
	if v, err := getMeta(ctx, rp.w, metaSearchWhole); err != nil || v != "" {
		t.Errorf("the merge into one is still asked for (%q, %v) after it finished", v, err)
	}
	// From then on the merger merges as before: a few new segments stay.
	for i := range 3 {
		c.list = nil
		c.put(wire.KindMessage, fmt.Sprintf("n%d", i), message(fmt.Sprintf("n%d", i), "d1", fmt.Sprintf("новый%d", i), t0))
		mustApply(t, rp, c.list)
	}
	rp.mergeSearch(nil)
	if n := segments(t, rp, "messages_fts"); n != 4 {
		t.Errorf("after three new messages and the merger: %d segments, want 4 (none merged)", n)
	}
	for _, q := range []string{"заказ0", "заказ2999", "новый2"} {
		if hits, err := rp.Search(ctx, q, 10); err != nil || len(hits) != 1 {
			t.Errorf("search %q: %d hits, %v; want 1", q, len(hits), err)
		}
	}
	if all, err := rp.Search(ctx, "оплата", 200); err != nil || len(all) != 200 {
		t.Errorf("search for the common word: %d hits, %v; want 200", len(all), err)
	}
}

// The merger and the checkpointer's truncation wait for the operator's
// writes to pause: not while one is under way, nor until none has
// committed for the quiet time; a stop ends the wait.
func TestBackgroundWorkWaitsForWritesToPause(t *testing.T) {
	rp := openTemp(t)
	const quiet = 30 * time.Millisecond
	rp.writing.Add(1) // a write under way
	done := make(chan bool, 1)
	go func() { done <- rp.awaitQuietFor(quiet, nil) }()
	select {
	case <-done:
		t.Fatal("the wait ended while a write was under way")
	case <-time.After(10 * quiet):
	}
	began := time.Now()
	rp.lastWrite.Store(began.UnixNano())
	rp.writing.Add(-1) // it commits
	if !<-done {
		t.Fatal("the wait reported a stop")
	}
	if waited := time.Since(began); waited < quiet {
		t.Errorf("the wait ended %v after the last write, before the quiet time %v", waited, quiet)
	}
	stop := make(chan struct{})
	close(stop)
	rp.writing.Add(1)
	defer rp.writing.Add(-1)
	if rp.awaitQuietFor(quiet, stop) {
		t.Error("the wait did not end on stop")
	}
}
