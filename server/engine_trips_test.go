package server

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/server/seed"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// The round trips to PostgreSQL that storing inbound messages costs, counted
// on the wire: each one wakes a backend on the same cores, and they are
// most of a stored message's latency. A count, not a time, so it cannot
// drift with the machine; a change that adds a round trip to the inbound
// path fails here and has to say why.
func TestInboundWriteRoundTrips(t *testing.T) {
	ctx := context.Background()
	st := demoPostgres(t)
	e := newEngine(st, time.Now, nil)
	n := 0
	inbound := func(contact string) *job {
		n++
		return &job{env: inboundEnv(contact, fmt.Sprintf("ext-%d", n)), done: make(chan wire.CommandResult, 1)}
	}
	commit := func(jobs ...*job) int64 {
		t.Helper()
		before := st.RoundTrips()
		e.commit(ctx, jobs)
		trips := st.RoundTrips() - before
		for _, j := range jobs {
			if r := <-j.done; !r.OK {
				t.Fatalf("inbound message: %+v", r)
			}
		}
		return trips
	}
	// Once of each kind first: a connection prepares a statement the first
	// time it runs it, and that is not what is counted.
	commit(inbound("warm-1"))
	commit(inbound("warm-1"))
	commit(inbound("warm-2"), inbound("warm-3"), inbound("warm-2"))
	commit(inbound("warm-4"), inbound("warm-3"))

	for _, c := range []struct {
		name string
		jobs []*job
		want int64
	}{
		{"a new customer's message", []*job{inbound("new-1")}, wantNew},
		{"a returning customer's message", []*job{inbound("new-1")}, wantReturning},
		{"a batch of three, new and returning", []*job{inbound("new-2"), inbound("new-1"), inbound("new-2")}, wantBatch},
	} {
		if got := commit(c.jobs...); got != c.want {
			t.Errorf("%s: %d round trips to PostgreSQL, want %d", c.name, got, c.want)
		}
	}
}

const (
	wantNew       = 2
	wantReturning = 2
	wantBatch     = 2
)

// openPostgres opens a store on the PostgreSQL schema dsn, closed when
// the test ends.
func openPostgres(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.OpenPostgres(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// demoPostgres opens a store on a fresh PostgreSQL schema holding the
// demo workspace.
func demoPostgres(t *testing.T) *sqlstore.Store {
	t.Helper()
	st := openPostgres(t, pgtest.Schema(t))
	if err := seed.Demo(context.Background(), st, time.Now()); err != nil {
		t.Fatal(err)
	}
	return st
}
