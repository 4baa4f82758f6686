package replica

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// buildWorld is a pull from 0 of n dialogs, one message each: message i
// of dialog i says "слово<iii> общее" (rowid i+1). The builder indexes
// chunk messages a step.
func buildWorld(t *testing.T, rp *Replica, n, chunk int) *changes {
	t.Helper()
	old := searchChunk
	searchChunk = chunk
	t.Cleanup(func() { searchChunk = old })
	ctx := context.Background()
	if err := rp.Baseline(ctx, 0); err != nil {
		t.Fatal(err)
	}
	c := newChanges(t, 1)
	for i := range n {
		d := fmt.Sprintf("d%03d", i)
		c.put(wire.KindDialog, d, dialog(d, inbox.StatusUnassigned))
		c.put(wire.KindMessage, "m"+d, message("m"+d, d, fmt.Sprintf("слово%03d общее", i), t0.Add(time.Duration(i)*time.Second)))
	}
	mustApply(t, rp, c.list)
	c.list = nil
	return c
}

// found returns the ids of the messages the search finds for q, newest
// first.
func found(t *testing.T, rp *Replica, q string) []string {
	t.Helper()
	hits, err := rp.Search(context.Background(), q, 200)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, h := range hits {
		out = append(out, h.Message.ID)
	}
	return out
}

// entries counts the search index's entries holding the word w (a row
// indexed twice would count twice).
func entries(t *testing.T, rp *Replica, w string) int {
	t.Helper()
	var n int
	if err := rp.w.QueryRow(`SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?`, w).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkIndex runs FTS5's own integrity check of the messages' index.
func checkIndex(t *testing.T, rp *Replica) {
	t.Helper()
	if _, err := rp.w.Exec(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 0)`); err != nil {
		t.Errorf("integrity-check: %v", err)
	}
}

// rewriteAll puts every message again with the text "после" and checks
// that the index then holds no trace of the texts before and finds every
// message once: an entry under a wrong rowid would outlive its row.
func rewriteAll(t *testing.T, rp *Replica, c *changes) {
	t.Helper()
	rows, err := rp.w.Query(`SELECT data FROM messages`)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := scanJSON[inbox.Message](rows, "messages")
	if err != nil {
		t.Fatal(err)
	}
	c.list = nil
	for _, m := range msgs {
		m.Text = "после"
		c.put(wire.KindMessage, m.ID, &m)
	}
	mustApply(t, rp, c.list)
	c.list = nil
	for _, w := range []string{"общее", "слово", "исправлено", "новое", "отправлено"} {
		if got := found(t, rp, w); len(got) > 0 {
			t.Errorf("search for %q after every message was rewritten = %v, want nothing: indexed twice", w, got)
		}
	}
	if got := found(t, rp, "после"); len(got) != len(msgs) {
		t.Errorf("search for the rewritten text found %d, want %d", len(got), len(msgs))
	}
	checkIndex(t, rp)
}

func step(t *testing.T, rp *Replica) {
	t.Helper()
	ctx := context.Background()
	if _, err := rp.buildSearchStep(ctx, ctx, searchChunk); err != nil {
		t.Fatal(err)
	}
}

func indexing(t *testing.T, rp *Replica) (done, total int64, building bool) {
	t.Helper()
	done, total, building, err := rp.SearchIndexing(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return done, total, building
}

// After a pull from 0 the inbox is ready at once and the builder fills the
// search index newest first: search finds the newer messages first, then
// all of them, each once, and the index is whole.
func TestSearchIndexIsFilledAfterThePullNewestFirst(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	stopBackground(rp)
	buildWorld(t, rp, 100, 30)
	if err := rp.FinishPull(ctx); err != nil {
		t.Fatal(err)
	}
	if done, total, building := indexing(t, rp); !building || done != 0 || total != 100 {
		t.Errorf("SearchIndexing after the pull = %d of %d, building %v; want 0 of 100, building", done, total, building)
	}
	if got := found(t, rp, "общее"); len(got) != 0 {
		t.Errorf("search before the builder ran = %v, want nothing yet", got)
	}
	step(t, rp)
	if done, _, _ := indexing(t, rp); done != 30 {
		t.Errorf("SearchIndexing after one step = %d done, want 30", done)
	}
	got := found(t, rp, "общее")
	if len(got) != 30 || got[0] != "md099" || got[29] != "md070" {
		t.Errorf("search after one step = %v, want the 30 newest (md099 … md070)", got)
	}
	if err := rp.buildSearch(nil); err != nil {
		t.Fatal(err)
	}
	if done, total, building := indexing(t, rp); building || done != 0 || total != 0 {
		t.Errorf("SearchIndexing after the build = %d of %d, building %v; want done with", done, total, building)
	}
	if got := found(t, rp, "общее"); len(got) != 100 || got[99] != "md000" {
		t.Errorf("search after the build found %d, want all 100", len(got))
	}
	if n := entries(t, rp, "общее"); n != 100 {
		t.Errorf("index entries for the common word = %d, want 100", n)
	}
	for _, i := range []int{0, 42, 99} {
		if got := found(t, rp, fmt.Sprintf("слово%03d", i)); !slices.Equal(got, []string{fmt.Sprintf("md%03d", i)}) {
			t.Errorf("search for message %d = %v", i, got)
		}
	}
	checkIndex(t, rp)
	rewriteAll(t, rp, newChanges(t, 1000))
	for _, k := range []string{metaSearchBelow, metaSearchTop, metaSearchDeferred} {
		if v, _ := getMeta(ctx, rp.w, k); v != "" {
			t.Errorf("meta %s = %q after the build, want it gone", k, v)
		}
	}
}

// Writes during the build, change by change and in bulk: an edit and a
// delete of a message the builder has not reached leave it to the builder
// (one entry of the new text, none of the old; none for the deleted), a
// message arriving is found at once, and so are edits above the
// watermark.
func TestWritesDuringTheSearchBuild(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) {
			ctx := context.Background()
			rp := openTemp(t)
			stopBackground(rp)
			c := buildWorld(t, rp, 100, 30)
			if err := rp.FinishPull(ctx); err != nil {
				t.Fatal(err)
			}
			step(t, rp)                                                                                // md099 … md070 indexed
			c.put(wire.KindMessage, "md005", message("md005", "d005", "исправлено", t0))               // below: the builder's
			c.put(wire.KindMessage, "md080", message("md080", "d080", "поправлено", t0))               // above: at once
			c.put(wire.KindMessage, "mnew", message("mnew", "d001", "новое общее", t0.Add(time.Hour))) // new: at once
			c.del(wire.KindMessage, "md006")
			c.del(wire.KindMessage, "md090")
			c.del(wire.KindDialog, "d007")
			c.del(wire.KindDialog, "d091")
			for len(c.list) < bulkMin && bulk { // pad the batch to a page
				c.put(wire.KindEvent, fmt.Sprintf("e%d", len(c.list)), &inbox.DialogEvent{ID: fmt.Sprintf("e%d", len(c.list)), DialogID: "d001", At: t0})
			}
			if _, err := rp.apply(ctx, c.list, bulk); err != nil {
				t.Fatal(err)
			}
			if got := found(t, rp, "новое"); !slices.Equal(got, []string{"mnew"}) {
				t.Errorf("search for the new message during the build = %v, want it at once", got)
			}
			if got := found(t, rp, "поправлено"); !slices.Equal(got, []string{"md080"}) {
				t.Errorf("search for an edit above the watermark = %v, want it at once", got)
			}
			if got := found(t, rp, "слово080"); len(got) != 0 {
				t.Errorf("search for the old text of an edit above the watermark = %v", got)
			}
			checkIndex(t, rp)
			if err := rp.buildSearch(nil); err != nil {
				t.Fatal(err)
			}
			for q, want := range map[string][]string{
				"исправлено": {"md005"}, "слово005": {}, "слово006": {}, "слово007": {},
				"слово090": {}, "слово091": {}, "слово008": {"md008"},
			} {
				if got := found(t, rp, q); !slices.Equal(got, want) {
					t.Errorf("search for %q after the build = %v, want %v", q, got, want)
				}
			}
			// 100 less md005 and md080 (edited), md006, md090 and the two
			// dialogs' messages (deleted), plus mnew.
			if n := entries(t, rp, "общее"); n != 95 {
				t.Errorf("index entries for the common word = %d, want 95", n)
			}
			if n := entries(t, rp, "исправлено"); n != 1 {
				t.Errorf("index entries for an edit below the watermark = %d, want 1", n)
			}
			checkIndex(t, rp)
			rewriteAll(t, rp, c)
		})
	}
}

// A message arriving after the newest messages were deleted takes a
// rowid below the watermark (SQLite reuses the largest rowid's
// successor): it is found at once all the same, and indexed once.
func TestANewMessageBelowTheWatermarkIsFoundAtOnce(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) {
			ctx := context.Background()
			rp := openTemp(t)
			stopBackground(rp)
			c := buildWorld(t, rp, 50, 20)
			if err := rp.FinishPull(ctx); err != nil {
				t.Fatal(err)
			}
			c.del(wire.KindMessage, "md049").del(wire.KindMessage, "md048")
			if _, err := rp.apply(ctx, c.list, false); err != nil {
				t.Fatal(err)
			}
			c.list = nil
			c.put(wire.KindMessage, "mnew", message("mnew", "d001", "новое общее", t0.Add(time.Hour)))
			for len(c.list) < bulkMin && bulk {
				c.put(wire.KindEvent, fmt.Sprintf("e%d", len(c.list)), &inbox.DialogEvent{ID: fmt.Sprintf("e%d", len(c.list)), DialogID: "d001", At: t0})
			}
			if _, err := rp.apply(ctx, c.list, bulk); err != nil {
				t.Fatal(err)
			}
			if got := found(t, rp, "новое"); !slices.Equal(got, []string{"mnew"}) {
				t.Errorf("search for the new message = %v, want it at once", got)
			}
			if err := rp.buildSearch(nil); err != nil {
				t.Fatal(err)
			}
			if n := entries(t, rp, "новое"); n != 1 {
				t.Errorf("index entries for the new message = %d, want 1", n)
			}
			if n := entries(t, rp, "общее"); n != 49 {
				t.Errorf("index entries for the common word = %d, want 49", n)
			}
			checkIndex(t, rp)
			rewriteAll(t, rp, c)
		})
	}
}

// The operator's own sends during the pull and during the build are
// indexed once, as the synced messages are.
func TestOptimisticSendDuringTheSearchBuild(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	stopBackground(rp)
	c := buildWorld(t, rp, 50, 20)
	cmd, msg := sendCommand("c0", "d002", "отправлено во время загрузки")
	if err := rp.Enqueue(ctx, cmd, Optimistic{Message: msg}); err != nil {
		t.Fatal(err)
	}
	if err := rp.FinishPull(ctx); err != nil {
		t.Fatal(err)
	}
	cmd, msg = sendCommand("c1", "d001", "отправлено оператором")
	if err := rp.Enqueue(ctx, cmd, Optimistic{Message: msg}); err != nil {
		t.Fatal(err)
	}
	if got := found(t, rp, "оператором"); len(got) != 1 {
		t.Errorf("search for the operator's message during the build = %v, want it at once", got)
	}
	if err := rp.buildSearch(nil); err != nil {
		t.Fatal(err)
	}
	if got := found(t, rp, "отправлено"); len(got) != 2 {
		t.Errorf("search for the operator's messages after the build = %v, want both", got)
	}
	checkIndex(t, rp)
	rewriteAll(t, rp, c)
}

// A build cut short by a quit goes on after the next Open, from where it
// stopped, and ends with every message indexed once.
func TestSearchBuildGoesOnAfterARestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "replica.db")
	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	stopBackground(rp)
	buildWorld(t, rp, 100, 30)
	if err := rp.FinishPull(ctx); err != nil {
		t.Fatal(err)
	}
	step(t, rp)
	if err := rp.Close(); err != nil {
		t.Fatal(err)
	}
	rp, err = Open(ctx, path) // its builder goes on at once
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if _, _, building := indexing(t, rp); !building {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the build did not go on after Open")
		}
	}
	if n := entries(t, rp, "общее"); n != 100 {
		t.Errorf("index entries after the build went on = %d, want 100", n)
	}
	checkIndex(t, rp)
	rewriteAll(t, rp, newChanges(t, 1000))
}

// Signing out (Wipe) or a resync during the build leaves no build behind,
// and an empty, whole index; the next pull builds afresh.
func TestWipeAndResyncDuringTheSearchBuild(t *testing.T) {
	for _, how := range []string{"wipe", "resync"} {
		t.Run(how, func(t *testing.T) {
			ctx := context.Background()
			rp := openTemp(t)
			stopBackground(rp)
			c := buildWorld(t, rp, 50, 20)
			if err := rp.FinishPull(ctx); err != nil {
				t.Fatal(err)
			}
			step(t, rp)
			if how == "wipe" {
				if err := rp.Wipe(ctx); err != nil {
					t.Fatal(err)
				}
			} else {
				c.list = append(c.list, resyncChange(c.next))
				if a := mustApply(t, rp, c.list); !a.Reset {
					t.Fatal("the resync did not reset the replica")
				}
			}
			if _, _, building := indexing(t, rp); building {
				t.Errorf("a build is still under way after the %s", how)
			}
			if n := entries(t, rp, "общее"); n != 0 {
				t.Errorf("index entries after the %s = %d, want none", how, n)
			}
			checkIndex(t, rp)
			step(t, rp) // nothing to do
			buildWorld(t, rp, 10, 20)
			finishPull(t, rp)
			if n := entries(t, rp, "общее"); n != 10 {
				t.Errorf("index entries after the next pull = %d, want 10", n)
			}
			checkIndex(t, rp)
		})
	}
}

// An operator's write interrupts the builder's step under way.
func TestAWriteInterruptsTheBuildersStep(t *testing.T) {
	rp := openTemp(t)
	stopBackground(rp)
	interrupted := false
	rp.buildCancel = func() { interrupted = true }
	if err := rp.SetOwner(context.Background(), Owner{Server: "http://x", OperatorID: "op1"}); err != nil {
		t.Fatal(err)
	}
	if !interrupted {
		t.Error("a write did not interrupt the builder's step")
	}
}

// A step interrupted half-way leaves neither entries nor a lowered
// watermark, and the writer's connection (its page cache, its prepared
// statements) in place; the build then ends as usual. Whether the
// interrupt lands inside the statement is up to timing: either outcome
// must leave the replica whole.
func TestAnInterruptedStepLeavesTheIndexAndTheWriterWhole(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	stopBackground(rp)
	buildWorld(t, rp, 3000, 3000)
	if _, err := rp.w.Exec(`CREATE TEMP TABLE writer_mark (x)`); err != nil {
		t.Fatal(err)
	}
	if err := rp.FinishPull(ctx); err != nil {
		t.Fatal(err)
	}
	interrupt, cancel := context.WithCancel(ctx)
	time.AfterFunc(time.Millisecond, cancel)
	_, err := rp.buildSearchStep(ctx, interrupt, 3000)
	done, _, _ := indexing(t, rp)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted step: %v", err)
		}
		if n := entries(t, rp, "общее"); n != 0 || done != 0 {
			t.Errorf("an interrupted step left %d entries, %d done; want none", n, done)
		}
	} else {
		t.Log("the step ended before the interrupt")
		if done != 3000 {
			t.Errorf("a step that went through: %d done, want 3000", done)
		}
	}
	if _, err := rp.w.Exec(`INSERT INTO temp.writer_mark VALUES (1)`); err != nil {
		t.Errorf("the writer's connection was replaced: %v", err)
	}
	if err := rp.buildSearch(nil); err != nil {
		t.Fatal(err)
	}
	if n := entries(t, rp, "общее"); n != 3000 {
		t.Errorf("index entries after the build = %d, want 3000", n)
	}
	checkIndex(t, rp)
}
