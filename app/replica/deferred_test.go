package replica

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// schemaOf is every table, index and trigger of db, by name, with its SQL.
func schemaOf(t *testing.T, db interface {
	Query(string, ...any) (*sql.Rows, error)
}) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, s string
		if err := rows.Scan(&typ, &name, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, typ+" "+name+": "+s)
	}
	sort.Strings(out)
	return out
}

// freshSchema is the schema of a new replica.
func freshSchema(t *testing.T) []string {
	t.Helper()
	return schemaOf(t, openTemp(t).w)
}

func dialogIndexes(t *testing.T, rp *Replica) int {
	t.Helper()
	var n int
	if err := rp.w.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'dialogs' AND sql IS NOT NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func deferredCount(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM meta WHERE key LIKE 'deferred_index:%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func timeStep(i int) time.Duration { return time.Duration(i) * time.Minute }

// pullPage is a page of a pull: n dialogs from first, each with two
// messages, in a few lines, statuses and assignees.
func pullPage(t *testing.T, seq int64, first, n int) []wire.Change {
	c := newChanges(t, seq)
	for i := first; i < first+n; i++ {
		id := fmt.Sprintf("d%04d", i)
		status := []inbox.Status{inbox.StatusUnassigned, inbox.StatusInProgress, inbox.StatusClosed}[i%3]
		d := dialog(id, status, func(d *inbox.Dialog) {
			d.Number = int64(i)
			d.LineID = fmt.Sprintf("l%d", i%4)
			if status == inbox.StatusInProgress {
				d.AssigneeID = "op-me"
			}
			d.LastMessageAt = t0.Add(timeStep(i))
		})
		c.put(wire.KindDialog, id, d)
		c.put(wire.KindMessage, "m1"+id, message("m1"+id, id, "Оплата счёта "+id, t0.Add(timeStep(i))))
		c.put(wire.KindMessage, "m2"+id, message("m2"+id, id, "спасибо", t0.Add(timeStep(i)+1)))
	}
	return c.list
}

// A pull from 0 fills the dialogs without their secondary indexes, kept
// as statements in meta, and FinishPull makes them again: the schema
// after the pull is a new replica's, the lists and counters read what the
// pull brought, and the indexes are walked again.
func TestAPullFromZeroMakesTheDialogIndexesAtItsEnd(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	before := dialogIndexes(t, rp)
	if err := rp.EnsureTableIndexes(ctx); err != nil { // a resync's pull from 0 may find them
		t.Fatal(err)
	}
	withTable := schemaOf(t, rp.w)
	if err := rp.Baseline(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	// The tabs' own indexes stay; the rest go.
	if n := dialogIndexes(t, rp); n != 4 {
		t.Errorf("dialog indexes during the pull = %d, want the tabs' 4", n)
	}
	if n := deferredCount(t, rp.w); n != before-4+TableIndexCount()-1 { // clients_t_name is not the dialogs'
		t.Errorf("deferred statements = %d, want %d", n, before-4+TableIndexCount()-1)
	}
	for _, tab := range []struct {
		q, index string
	}{
		{`SELECT id FROM dialogs WHERE status = 'unassigned' AND blacklisted = 0 ORDER BY queued_at, id LIMIT 5`, "dialogs_unassigned"},
		{`SELECT id FROM dialogs WHERE blacklisted = 0 ORDER BY last_message_at DESC, id DESC LIMIT 5`, "dialogs_recent"},
	} {
		var plan string
		if err := rp.w.QueryRow(`EXPLAIN QUERY PLAN `+tab.q).Scan(new(int), new(int), new(int), &plan); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, tab.index) {
			t.Errorf("plan during the pull = %q, want %s", plan, tab.index)
		}
	}
	mustApply(t, rp, pullPage(t, 1, 0, 60))
	// The table opened during the pull by a process that had not made its
	// indexes yet: they are made at once, and kept at the end.
	rp.tableIdx.done = false
	if err := rp.EnsureTableIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, pullPage(t, 200, 60, 60))
	// Counters are kept by triggers throughout.
	counts, err := rp.Counts(ctx, "op-me")
	if err != nil || counts[TabUnassigned] != 40 {
		t.Errorf("Counts during the pull = %v, %v; want 40 unassigned", counts, err)
	}
	items, _, err := rp.ListDialogs(ctx, "op-me", ListQuery{Tab: TabUnassigned, Limit: 5})
	if err != nil || len(items) != 5 {
		t.Errorf("ListDialogs during the pull = %d items, %v", len(items), err)
	}
	finishPull(t, rp)
	if got := schemaOf(t, rp.w); strings.Join(got, "\n") != strings.Join(withTable, "\n") {
		t.Errorf("schema after the pull differs from before it:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(withTable, "\n"))
	}
	if n := deferredCount(t, rp.w); n != 0 {
		t.Errorf("deferred statements left after FinishPull: %d", n)
	}
	after, _, err := rp.ListDialogs(ctx, "op-me", ListQuery{Tab: TabUnassigned, Limit: 5})
	if err != nil || strings.Join(ids(after), ",") != strings.Join(ids(items), ",") {
		t.Errorf("ListDialogs after the pull = %v, %v; during it %v", ids(after), err, ids(items))
	}
	var plan string
	if err := rp.w.QueryRow(`EXPLAIN QUERY PLAN SELECT id FROM dialogs WHERE status = 'unassigned' AND blacklisted = 0 ORDER BY queued_at, id LIMIT 5`).Scan(new(int), new(int), new(int), &plan); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "dialogs_unassigned") {
		t.Errorf("plan after the pull = %q, want the dialogs_unassigned index", plan)
	}
	hits, err := rp.Search(ctx, "опла d0117", 10)
	if err != nil || len(hits) != 1 {
		t.Errorf("Search after the pull = %d hits, %v; want 1", len(hits), err)
	}
}

// copyReplica copies the replica's files as they are on disk while it is
// open (its last commit in the write-ahead log): what a crash leaves.
func copyReplica(t *testing.T, rp *Replica, dir string) string {
	t.Helper()
	to := filepath.Join(dir, "crashed.db")
	for _, suffix := range []string{"", "-wal"} {
		src, err := os.Open(rp.path + suffix)
		if err != nil {
			if suffix != "" && os.IsNotExist(err) {
				continue
			}
			t.Fatal(err)
		}
		dst, err := os.Create(to + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
	return to
}

// A pull cut short by a crash: the next start finds the whole schema (the
// deferred indexes made again as it opens), the pull goes on from its last
// page, and the replica ends as one pulled in one go.
func TestAPullCutShortByACrashLeavesTheWholeSchema(t *testing.T) {
	ctx := context.Background()
	want := freshSchema(t)
	rp := openTemp(t)
	if err := rp.Baseline(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, pullPage(t, 1, 0, 60))
	// The crash: the files as they are, the replica never closed.
	crashed := copyReplica(t, rp, tempDir(t))

	rp2, err := Open(ctx, crashed)
	if err != nil {
		t.Fatalf("Open after the crash: %v", err)
	}
	defer rp2.Close()
	if got := schemaOf(t, rp2.w); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("schema after the crash:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := deferredCount(t, rp2.w); n != 0 {
		t.Errorf("deferred statements left after Open: %d", n)
	}
	last, err := rp2.LastSeq(ctx)
	if err != nil || last != pullPage(t, 1, 0, 60)[179].Seq {
		t.Fatalf("LastSeq after the crash = %d, %v", last, err)
	}
	// The pull goes on, pages overlapping what was applied.
	mustApply(t, rp2, pullPage(t, 1, 0, 60))
	mustApply(t, rp2, pullPage(t, 200, 60, 60))
	finishPull(t, rp2)
	if got := schemaOf(t, rp2.w); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("schema after the pull went on:\n%s", strings.Join(got, "\n"))
	}
	counts, err := rp2.Counts(ctx, "op-me")
	if err != nil || counts[TabUnassigned] != 40 {
		t.Errorf("Counts = %v, %v; want 40 unassigned (each dialog once)", counts, err)
	}
	hits, err := rp2.Search(ctx, "опла", 200)
	if err != nil || len(hits) != 120 {
		t.Errorf("Search(опла) = %d hits, %v; want 120", len(hits), err)
	}
}

// Signing out during a pull empties meta, where the deferred indexes'
// statements are: Wipe makes them again first.
func TestWipeDuringAPullKeepsTheIndexes(t *testing.T) {
	ctx := context.Background()
	want := freshSchema(t)
	rp := openTemp(t)
	if err := rp.Baseline(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, pullPage(t, 1, 0, 30))
	if err := rp.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, rp.w); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("schema after Wipe during a pull:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A version-11 replica a pull from 0 was filling when the app quit (its
// dialog indexes deferred) is opened by this build: the indexes are made
// again before migration 12 (which drops and makes some of them again), so
// the file ends with this build's schema and nothing deferred.
func TestMigratingAReplicaCutShortInAPull(t *testing.T) {
	ctx := context.Background()
	want := freshSchema(t)
	path := filepath.Join(tempDir(t), "v11.db")
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateWith(ctx, db, migrations[:11]); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := deferIndexes(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := deferredCount(t, db); n == 0 {
		t.Fatal("nothing deferred")
	}
	db.Close()
	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rp.Close()
	if got := schemaOf(t, rp.w); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("schema:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := deferredCount(t, rp.w); n != 0 {
		t.Errorf("deferred statements left: %d", n)
	}
}
