package replica

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestMigrationsRunFromEmptyAndOnlyOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "replica.db")
	for round := 1; round <= 2; round++ {
		rp, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open round %d: %v", round, err)
		}
		var v int
		if err := rp.w.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != len(migrations) {
			t.Errorf("round %d: user_version = %d, want %d", round, v, len(migrations))
		}
		var mode string
		if err := rp.r.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		rp.Close()
	}
}

func TestOpenRefusesASchemaNewerThanTheBuild(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "replica.db")
	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rp.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	rp.Close()
	if rp, err := Open(ctx, path); err == nil {
		rp.Close()
		t.Fatal("Open of a replica from a newer build succeeded, want an error")
	}
}

func TestReadPoolCannotWrite(t *testing.T) {
	rp := openTemp(t)
	if _, err := rp.r.Exec(`INSERT INTO meta (key, value) VALUES ('x', 'y')`); err == nil {
		t.Fatal("insert through the read pool succeeded, want query_only to refuse it")
	}
}

func TestApplyStoresSeqAndSkipsWhatItAlreadyHas(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	page := newChanges(t, 1).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).
		put(wire.KindMessage, "m1", message("m1", "d1", "hello", t0)).
		put(wire.KindMessage, "m2", message("m2", "d1", "again", t0.Add(1))).list

	a := mustApply(t, rp, page)
	if a.LastSeq != 3 || !slices.Equal(a.DialogIDs, []string{"d1"}) {
		t.Errorf("Apply = %+v, want LastSeq 3 and dialog d1", a)
	}
	// The same page again (a retried pull), and an overlapping live frame.
	mustApply(t, rp, page)
	a = mustApply(t, rp, append(page[2:], newChanges(t, 4).put(wire.KindMessage, "m3", message("m3", "d1", "third", t0.Add(2))).list...))
	if a.LastSeq != 4 {
		t.Errorf("LastSeq after overlap = %d, want 4", a.LastSeq)
	}
	h, err := rp.History(ctx, "d1", 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(h.Messages); got != 3 {
		t.Errorf("History has %d messages, want 3 (nothing doubled)", got)
	}
	hits, err := rp.Search(ctx, "hello", 10)
	if err != nil || len(hits) != 1 {
		t.Errorf("Search(hello) = %d hits, %v; want 1 (the index not doubled)", len(hits), err)
	}
}

func TestABatchThatFailsHalfWayLeavesNothingBehind(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).list)

	bad := newChanges(t, 2).
		put(wire.KindMessage, "m1", message("m1", "d1", "first", t0)).list
	bad = append(bad, wire.Change{Seq: 3, Kind: wire.KindMessage, ID: "m2", Op: wire.OpPut, Data: []byte(`{broken`)})
	if _, err := rp.Apply(ctx, bad); err == nil {
		t.Fatal("Apply with an undecodable change succeeded, want an error")
	}
	if seq, _ := rp.LastSeq(ctx); seq != 1 {
		t.Errorf("LastSeq after a failed batch = %d, want 1", seq)
	}
	if h, _ := rp.History(ctx, "d1", 0, 50); len(h.Messages) != 0 {
		t.Errorf("failed batch left %d messages, want 0", len(h.Messages))
	}
	// The client pulls the same range again, now intact: nothing skipped.
	good := newChanges(t, 2).
		put(wire.KindMessage, "m1", message("m1", "d1", "first", t0)).
		put(wire.KindMessage, "m2", message("m2", "d1", "second", t0.Add(1))).list
	mustApply(t, rp, good)
	if h, _ := rp.History(ctx, "d1", 0, 50); len(h.Messages) != 2 {
		t.Errorf("after the retry History has %d messages, want 2", len(h.Messages))
	}
}

func TestApplyRefusesAnUnknownOp(t *testing.T) {
	rp := openTemp(t)
	_, err := rp.Apply(context.Background(), []wire.Change{{Seq: 1, Kind: wire.KindDialog, ID: "d1", Op: "upsert"}})
	if err == nil {
		t.Fatal("Apply with op upsert succeeded, want an error")
	}
}

func TestDeletingADialogDropsItsMessagesLogAndIndex(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).
		put(wire.KindDialog, "d2", dialog("d2", inbox.StatusUnassigned)).
		put(wire.KindMessage, "m1", message("m1", "d1", "invoice please", t0)).
		put(wire.KindMessage, "m2", message("m2", "d2", "invoice too", t0)).
		put(wire.KindEvent, "e1", &inbox.DialogEvent{ID: "e1", DialogID: "d1", Type: inbox.EvQueued, At: t0}).
		del(wire.KindDialog, "d1").list)

	if _, err := rp.Dialog(ctx, "d1"); err == nil {
		t.Error("Dialog(d1) after its removal succeeded, want not found")
	}
	for _, table := range []string{"messages", "events"} {
		var n int
		if err := rp.r.QueryRow(`SELECT count(*) FROM ` + table + ` WHERE dialog_id = 'd1'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s still holds %d rows of the removed dialog", table, n)
		}
	}
	hits, err := rp.Search(ctx, "invoice", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Message.ID != "m2" {
		t.Errorf("Search(invoice) = %v, want only m2", hits)
	}
}

func TestWipeLeavesAnEmptyReplica(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).list)
	if err := rp.SetOwner(ctx, Owner{Server: "http://x", OperatorID: "op1"}); err != nil {
		t.Fatal(err)
	}
	if err := rp.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if seq, _ := rp.LastSeq(ctx); seq != 0 {
		t.Errorf("LastSeq after Wipe = %d, want 0", seq)
	}
	if o, _ := rp.Owner(ctx); o != (Owner{}) {
		t.Errorf("Owner after Wipe = %+v, want zero", o)
	}
	if c, _ := rp.Counts(ctx, "op1"); c[TabAll] != 0 {
		t.Errorf("All count after Wipe = %d, want 0", c[TabAll])
	}
}

func TestMigrationTwoIndexesTheClientsAnOlderReplicaHolds(t *testing.T) {
	ctx := context.Background()
	// A file as version 1 left it, with a client in it.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(tempDir(t), "v1.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateWith(ctx, db, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	var v1Path string
	if err := db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&v1Path); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO clients (id, name, name_folded, data) VALUES ('c1', 'Фёдор', 'федор', '{}');
		INSERT INTO dialogs (id, client_id, line_id, status, data) VALUES ('d1', 'c1', 'l1', 'unassigned', '{}')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	rp, err := Open(ctx, v1Path)
	if err != nil {
		t.Fatalf("Open of a version 1 replica: %v", err)
	}
	defer rp.Close()
	hits, err := rp.SearchClients(ctx, "федо", 10)
	if err != nil || len(hits) != 1 || hits[0].DialogID != "d1" {
		t.Errorf("SearchClients(федо) after migrating = %+v, %v; want c1's dialog", hits, err)
	}
}

func TestMigrationFourRebuildsTheSearchIndexesAnOlderReplicaHolds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "v3.db")
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateWith(ctx, db, migrations[:3]); err != nil {
		t.Fatal(err)
	}
	// As version 3 left it: a client, its dialog, a message and a deleted
	// one, each indexed the old way.
	if _, err := db.Exec(`INSERT INTO clients (id, name, name_folded, data) VALUES ('c1', 'Фёдор', 'федор', '{}');
		INSERT INTO clients_fts (rowid, name) SELECT rowid, name_folded FROM clients;
		INSERT INTO dialogs (id, client_id, line_id, status, data) VALUES ('d1', 'c1', 'l1', 'unassigned', '{}');
		INSERT INTO dialogs (id, client_id, line_id, status, blacklisted, data) VALUES ('d2', 'c1', 'l1', 'closed', 1, '{}');
		INSERT INTO messages (id, dialog_id, kind, created_at, data) VALUES
			('m1', 'd1', 'inbound', 1, '{"id":"m1","dialogId":"d1","text":"Оплата счёта"}'),
			('m2', 'd1', 'inbound', 2, '{"id":"m2","dialogId":"d1","text":"Оплата удалена","deletedAt":"2026-01-01T00:00:00Z"}');`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a version 3 replica: %v", err)
	}
	defer rp.Close()
	hits, err := rp.Search(ctx, "опла счет", 10)
	if err != nil || len(hits) != 1 || hits[0].Message.ID != "m1" {
		t.Errorf("Search(опла счет) after migrating = %+v, %v; want m1 only (m2 is deleted)", hits, err)
	}
	clients, err := rp.SearchClients(ctx, "федо", 10)
	if err != nil || len(clients) != 1 {
		t.Errorf("SearchClients(федо) after migrating = %+v, %v; want c1 once", clients, err)
	}
	counts, err := rp.Counts(ctx, "op-me")
	if err != nil || counts[TabUnassigned] != 1 || counts[TabBlacklist] != 1 || counts[TabAll] != 1 {
		t.Errorf("Counts after migrating = %v, %v; want the old rows counted", counts, err)
	}
}
