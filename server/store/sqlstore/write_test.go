package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/seed"
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

// A customer writing several times within one batch: each message
// routes on the dialog as the one before left it. (The buffer's newest
// dialog of a client and channel kept the first version put, so the
// third message counted from the first's: unread 2 for 3 messages.)
func TestBatchOfOneCustomersMessagesCountsEach(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var s *Store
			if name == "postgres" {
				s = pgStores(t, 1)[0]
			} else {
				var err error
				if s, err = OpenSQLite(ctx, filepath.Join(t.TempDir(), "sb.db")); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				if err := seed.Demo(ctx, s, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			n := 0
			for round := 1; round <= 3; round++ {
				var refs []store.InboundRef
				var fns []func(store.Tx) error
				for range 3 {
					n++
					r, fn := customerSays("zed", fmt.Sprintf("z-%d", n))
					refs, fns = append(refs, r...), append(fns, fn)
				}
				err := s.WritePrefetched(ctx, refs, func(tx store.Tx) error {
					for _, fn := range fns {
						if err := fn(tx); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				var unread, msgs int
				err = s.RawDB().QueryRow(s.d.rebind(`SELECT d.data, (SELECT count(*) FROM messages m WHERE m.dialog_id = d.id) FROM dialogs d
					WHERE d.client_id = (SELECT client_id FROM contacts WHERE channel_id = 'ch-telegram' AND external_id = 'zed')`)).Scan(jsonField("unread", &unread), &msgs)
				if err != nil {
					t.Fatal(err)
				}
				if unread != msgs || msgs != 3*round {
					t.Errorf("after batch %d: the dialog counts %d unread of its %d messages, want %d of %d", round, unread, msgs, 3*round, 3*round)
				}
			}
		})
	}
}

// jsonField scans a JSON column and reads one integer field of it.
func jsonField(name string, dst *int) sql.Scanner { return jsonInt{name, dst} }

type jsonInt struct {
	name string
	dst  *int
}

func (j jsonInt) Scan(v any) error {
	var b []byte
	switch v := v.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scan %s: a %T", j.name, v)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	return json.Unmarshal(m[j.name], j.dst)
}

// pgStores opens n stores (server instances) over one fresh PostgreSQL
// schema holding the demo workspace.
func pgStores(t *testing.T, n int) []*Store {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.Schema(t)
	var out []*Store
	for range n {
		s, err := OpenPostgres(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		out = append(out, s)
	}
	if err := seed.Demo(ctx, out[0], time.Now()); err != nil {
		t.Fatal(err)
	}
	return out
}

// customerSays is the body of a write storing one inbound message from a
// Telegram contact, with the prefetch refs it names.
func customerSays(contact, ext string) ([]store.InboundRef, func(store.Tx) error) {
	cmd := &inbox.InboundMessage{ChannelID: "ch-telegram", ExternalID: ext,
		Contact: inbox.InboundContact{ExternalID: contact, Name: "Customer " + contact}, Text: "hello " + ext}
	refs := []store.InboundRef{{ChannelID: "ch-telegram", MessageExternalID: ext, ContactExternalID: contact}}
	return refs, func(tx store.Tx) error {
		out, err := cmd.Execute(tx, inbox.Env{Now: time.Now(), NewID: tx.NewID, NextDialogNumber: tx.NextDialogNumber})
		if err != nil {
			return err
		}
		_, err = tx.Apply(out)
		return err
	}
}
