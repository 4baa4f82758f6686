package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/server/store/pgtest"
)

// A PostgreSQL write drives its own transaction (BEGIN with the lock,
// COMMIT with the last flush). However it fails, no connection may go back
// to the pool still holding the write lock: an idle connection would stop
// every writer of every instance until the pool happened to reuse it.
func TestFailedWritesFreeTheWriteLock(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	s, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	// Looked at from a connection of its own, outside the store's pool.
	watch, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = watch.Close() })
	key := strings.TrimSuffix(strings.TrimPrefix(s.lockSQL, "SELECT pg_advisory_xact_lock("), ")")
	held := func() int {
		t.Helper()
		var n int
		err := watch.QueryRowContext(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
			AND ((classid::bigint << 32) | objid::bigint) = `+key+`::bigint AND objsubid = 1`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	dialog := func(id, ext string) *inbox.Outcome {
		return &inbox.Outcome{
			Dialogs: []*inbox.Dialog{{ID: id, Number: 1, ClientID: "cl", ChannelID: "ch", Status: inbox.StatusUnassigned, CreatedAt: time.Now()}},
			Messages: []*inbox.Message{{ID: "m-" + id, DialogID: id, ClientID: "cl", ChannelID: "ch", Kind: inbox.MsgInbound,
				ExternalID: ext, CreatedAt: time.Now()}},
		}
	}
	if err := s.Write(ctx, func(tx store.Tx) error { _, err := tx.Apply(dialog("d-1", "x-1")); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	for _, c := range []struct {
		name string
		fn   func(ctx context.Context, cancel func(), tx store.Tx) error
	}{
		{"fn fails", func(_ context.Context, _ func(), tx store.Tx) error {
			if _, err := tx.Apply(dialog("d-2", "x-2")); err != nil {
				return err
			}
			return boom
		}},
		{"a statement fails before COMMIT in the last pipeline", func(_ context.Context, _ func(), tx store.Tx) error {
			_, err := tx.Apply(dialog("d-3", "x-1")) // x-1 is taken
			return err
		}},
		{"a read fails inside the transaction", func(_ context.Context, _ func(), w store.Tx) error {
			if _, err := w.Apply(dialog("d-4", "x-4")); err != nil {
				return err
			}
			return w.(*tx).exec(`SELECT 1/0`)
		}},
		{"the context ends inside the transaction", func(_ context.Context, cancel func(), tx store.Tx) error {
			if _, err := tx.Apply(dialog("d-5", "x-5")); err != nil {
				return err
			}
			cancel()
			_, err := tx.Dialog("d-1")
			return err
		}},
	} {
		wctx, cancel := context.WithCancel(ctx)
		err := s.Write(wctx, func(tx store.Tx) error { return c.fn(wctx, cancel, tx) })
		cancel()
		if err == nil {
			t.Fatalf("%s: the write succeeded", c.name)
		}
		if n := held(); n != 0 {
			t.Errorf("%s: the write lock is still held (%d) after the write failed", c.name, n)
		}
	}
	for _, id := range []string{"d-2", "d-3", "d-4", "d-5"} {
		if _, err := s.Dialog(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("dialog %s of a failed write: %v, want not found", id, err)
		}
	}
	if err := s.Write(ctx, func(tx store.Tx) error { _, err := tx.Apply(dialog("d-6", "x-6")); return err }); err != nil {
		t.Fatal(err)
	}
}
