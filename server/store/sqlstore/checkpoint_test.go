package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
)

// TestTheWriterLeavesCheckpointsToTheCheckpointer: the writer's commits
// never checkpoint (no copy and sync inside a command's commit), yet the
// WAL is copied into the database file shortly after, by the background
// checkpointer, for writes through Write and around it alike.
func TestTheWriterLeavesCheckpointsToTheCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sb.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var auto int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("the writer's wal_autocheckpoint = %d, %v; want 0", auto, err)
	}
	checkpointed := func(what string, write func()) {
		t.Helper()
		before := s.ckpt.runs.Load()
		write()
		deadline := time.Now().Add(30 * time.Second)
		for s.ckpt.runs.Load() == before {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no checkpoint followed within 30 s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
		// Nothing is left in the WAL for a checkpoint to copy.
		var busy, log, done int
		if err := s.r.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		if log != done {
			t.Errorf("%s: the WAL holds %d frames, %d of them checkpointed", what, log, done)
		}
	}
	dbSize := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	size0 := dbSize()
	checkpointed("a write", func() {
		err := s.Write(ctx, func(tx store.Tx) error {
			for i := range 500 {
				c := &inbox.Client{ID: "cl-" + itoa(i), OriginalName: "Клиент", CreatedAt: time.Now(), ModifiedAt: time.Now()}
				if _, err := tx.Apply(&inbox.Outcome{Clients: []*inbox.Client{c}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	if dbSize() <= size0 {
		t.Errorf("the database file stayed at %d bytes: the WAL was not copied into it", size0)
	}
	checkpointed("a statement outside Write", func() {
		if _, err := s.w.ExecContext(ctx, `UPDATE meta SET v = v + 1 WHERE k = 'org_version'`); err != nil {
			t.Fatal(err)
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
