package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"switchboard/inbox"
	"switchboard/server/store"
)

func land(t *testing.T, f store.Flight) error {
	t.Helper()
	<-f.Done()
	return f.Err()
}

// dialogsOf counts a contact's clients, dialogs and messages as stored.
// warm stores one customer's message, so that s holds the org cached as
// a running server's store does.
func warm(t *testing.T, s *Store) {
	t.Helper()
	_, fn := customerSays("warm", "warm-1")
	if err := s.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func dialogsOf(t *testing.T, s *Store, contact string) (clients, dialogs, messages int) {
	t.Helper()
	err := s.RawDB().QueryRow(`SELECT (SELECT count(DISTINCT client_id) FROM contacts WHERE channel_id = 'ch-telegram' AND external_id = $1),
		(SELECT count(*) FROM dialogs WHERE client_id IN (SELECT client_id FROM contacts WHERE channel_id = 'ch-telegram' AND external_id = $1)),
		(SELECT count(*) FROM messages WHERE dialog_id IN (SELECT id FROM dialogs WHERE client_id IN
			(SELECT client_id FROM contacts WHERE channel_id = 'ch-telegram' AND external_id = $1)))`, contact).Scan(&clients, &dialogs, &messages)
	if err != nil {
		t.Fatal(err)
	}
	return clients, dialogs, messages
}

// A write's rules run ahead only on what the write in flight did not
// touch: a customer's second message, read while the first is committing,
// must not be routed on rows read before that commit (it would make a
// second client and dialog). Another customer's may.
func TestWriteAheadOnlyPastWhatTheFlightWrote(t *testing.T) {
	ctx := context.Background()
	s := pgStores(t, 1)[0]
	warm(t, s)

	aRefs, aFn := customerSays("alice", "a-1")
	f1, err := s.WriteAhead(ctx, nil, aRefs, aFn)
	if err != nil {
		t.Fatal(err)
	}
	a2Refs, a2Fn := customerSays("alice", "a-2")
	if spec := s.Speculate(ctx, f1, a2Refs, a2Fn); spec != nil {
		spec.Discard()
		t.Errorf("Speculate(alice's second message) ran ahead of the write storing her first")
	}
	bRefs, bFn := customerSays("bob", "b-1")
	spec := s.Speculate(ctx, f1, bRefs, bFn)
	if spec == nil {
		t.Fatalf("Speculate(bob's message) did not run ahead of a write about alice")
	}
	if err := land(t, f1); err != nil {
		t.Fatal(err)
	}
	f2, err := s.WriteAhead(ctx, spec, bRefs, bFn)
	if err != nil {
		t.Fatal(err)
	}
	// Alice's second message runs ahead of Bob's write: not about her.
	spec = s.Speculate(ctx, f2, a2Refs, a2Fn)
	if spec == nil {
		t.Fatalf("Speculate(alice's second message) did not run ahead of a write about bob")
	}
	if err := land(t, f2); err != nil {
		t.Fatal(err)
	}
	f3, err := s.WriteAhead(ctx, spec, a2Refs, a2Fn)
	if err != nil {
		t.Fatal(err)
	}
	if err := land(t, f3); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		contact                    string
		clients, dialogs, messages int
	}{{"alice", 1, 1, 2}, {"bob", 1, 1, 1}} {
		cl, d, m := dialogsOf(t, s, c.contact)
		if cl != c.clients || d != c.dialogs || m != c.messages {
			t.Errorf("%s: %d clients, %d dialogs, %d messages; want %d, %d, %d", c.contact, cl, d, m, c.clients, c.dialogs, c.messages)
		}
	}
	checkLog(t, s)
}

// checkLog checks the change log's seqs run 1, 2, 3... with no gap and
// end at the counter: writes run ahead took their seqs from the write
// before them.
func checkLog(t *testing.T, s *Store) {
	t.Helper()
	var n, maxSeq, counter int64
	err := s.RawDB().QueryRow(`SELECT count(*), coalesce(max(seq), 0), (SELECT v FROM meta WHERE k = 'seq') FROM changes`).Scan(&n, &maxSeq, &counter)
	if err != nil {
		t.Fatal(err)
	}
	if maxSeq != counter {
		t.Errorf("the log ends at seq %d, the counter says %d", maxSeq, counter)
	}
	// An entity logged again replaces its entry, so the log has gaps
	// only where an entry was replaced; no seq is used twice.
	var dup int64
	if err := s.RawDB().QueryRow(`SELECT count(*) FROM (SELECT seq FROM changes GROUP BY seq HAVING count(*) > 1) d`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Errorf("%d seqs are used twice in the log", dup)
	}
}

// When another instance commits between the flight and the write run
// ahead of it, the rules ran on what is no longer there: the write must
// commit nothing and say so, and the batch then stores normally.
func TestWriteAheadAfterAnotherInstanceCommitsNothing(t *testing.T) {
	ctx := context.Background()
	stores := pgStores(t, 2)
	s, other := stores[0], stores[1]
	warm(t, s)
	aRefs, aFn := customerSays("alice", "a-1")
	f1, err := s.WriteAhead(ctx, nil, aRefs, aFn)
	if err != nil {
		t.Fatal(err)
	}
	// Bob's message runs ahead; meanwhile he writes again through the
	// other instance.
	bRefs, bFn := customerSays("bob", "b-1")
	spec := s.Speculate(ctx, f1, bRefs, bFn)
	if spec == nil {
		t.Fatal("Speculate(bob's message) did not run ahead")
	}
	if err := land(t, f1); err != nil {
		t.Fatal(err)
	}
	_, otherFn := customerSays("bob", "b-0")
	if err := other.Write(ctx, otherFn); err != nil {
		t.Fatal(err)
	}
	f2, err := s.WriteAhead(ctx, spec, bRefs, bFn)
	if err != nil {
		t.Fatal(err)
	}
	if err := land(t, f2); !errors.Is(err, store.ErrWroteBetween) {
		t.Fatalf("the write run ahead of another instance's commit: err = %v, want ErrWroteBetween", err)
	}
	if cl, d, m := dialogsOf(t, s, "bob"); cl != 1 || d != 1 || m != 1 {
		t.Fatalf("after the refused write bob has %d clients, %d dialogs, %d messages; want 1, 1, 1", cl, d, m)
	}
	// The lock is free and the batch stores when run again.
	if err := s.Write(ctx, bFn); err != nil {
		t.Fatal(err)
	}
	if cl, d, m := dialogsOf(t, s, "bob"); cl != 1 || d != 1 || m != 2 {
		t.Errorf("bob has %d clients, %d dialogs, %d messages; want 1, 1, 2", cl, d, m)
	}
	checkLog(t, s)
}

// Rules running ahead can reach nothing but what the prefetch answered:
// a read or a write of anything else drops the run, and nothing of it
// reaches the database.
func TestWriteAheadIsFencedOffTheDatabase(t *testing.T) {
	ctx := context.Background()
	s := pgStores(t, 1)[0]
	warm(t, s)
	aRefs, aFn := customerSays("alice", "a-1")
	f1, err := s.WriteAhead(ctx, nil, aRefs, aFn)
	if err != nil {
		t.Fatal(err)
	}
	bRefs, bFn := customerSays("bob", "b-1")
	for _, c := range []struct {
		name string
		fn   func(store.Tx) error
	}{
		{"a read the prefetch did not answer", func(tx store.Tx) error {
			if err := bFn(tx); err != nil {
				return err
			}
			_, err := tx.Client("someone-else")
			if errors.Is(err, inbox.ErrNotFound) {
				return nil // what a rule would make of a failed read
			}
			return err
		}},
		{"the buffered rows flushed (a pipeline)", func(st store.Tx) error {
			if err := bFn(st); err != nil {
				return err
			}
			_ = st.(*tx).flush()
			return nil
		}},
		{"a statement of its own", func(st store.Tx) error {
			if err := bFn(st); err != nil {
				return err
			}
			_ = st.(*tx).exec(`DELETE FROM templates WHERE id = ?`, "tpl-none")
			return nil
		}},
		{"the org read afresh", func(st store.Tx) error {
			w := st.(*tx)
			w.orgVer++ // not the cached version
			_ = w.Org()
			w.orgVer--
			return bFn(st)
		}},
	} {
		if spec := s.Speculate(ctx, f1, bRefs, c.fn); spec != nil {
			spec.Discard()
			t.Errorf("%s: the run ahead stands", c.name)
		}
	}
	if err := land(t, f1); err != nil {
		t.Fatal(err)
	}
	if cl, d, m := dialogsOf(t, s, "bob"); cl != 0 || d != 0 || m != 0 {
		t.Errorf("runs ahead that were dropped stored %d clients, %d dialogs, %d messages of bob's", cl, d, m)
	}
	checkLog(t, s)
}

// Many writes in a row, each run ahead of the one before, customers
// returning across them: each customer ends with one client, one dialog
// and every message, once.
func TestWriteAheadChain(t *testing.T) {
	ctx := context.Background()
	s := pgStores(t, 1)[0]
	warm(t, s)
	const writes, customers = 40, 6
	var prev store.Flight
	ahead := 0
	for i := range writes {
		refs, fn := customerSays(fmt.Sprintf("c-%d", i%customers), fmt.Sprintf("m-%d", i))
		var spec store.Speculation
		if prev != nil {
			spec = s.Speculate(ctx, prev, refs, fn)
			if spec != nil {
				ahead++
			}
			if err := land(t, prev); err != nil {
				t.Fatal(err)
			}
		}
		f, err := s.WriteAhead(ctx, spec, refs, fn)
		if err != nil {
			t.Fatal(err)
		}
		prev = f
	}
	if err := land(t, prev); err != nil {
		t.Fatal(err)
	}
	if ahead == 0 {
		t.Errorf("no write ran ahead")
	}
	for c := range customers {
		want := writes / customers
		if c < writes%customers {
			want++
		}
		if cl, d, m := dialogsOf(t, s, fmt.Sprintf("c-%d", c)); cl != 1 || d != 1 || m != want {
			t.Errorf("c-%d: %d clients, %d dialogs, %d messages; want 1, 1, %d", c, cl, d, m, want)
		}
	}
	checkLog(t, s)
}
