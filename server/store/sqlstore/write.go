package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"switchboard/inbox"
	"switchboard/server/store"
)

// Write runs fn in one serialised transaction; see the package store doc.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	return s.write(ctx, nil, fn)
}

var _ store.PrefetchWriter = (*Store)(nil)

// WritePrefetched is Write with Prefetch(refs) run before fn. On
// PostgreSQL the prefetch goes in the round trip that opens the
// transaction and takes the lock; on SQLite a single ref is not worth a
// prefetch (fn's own reads cost the same) and is left to them.
func (s *Store) WritePrefetched(ctx context.Context, refs []store.InboundRef, fn func(store.Tx) error) error {
	return s.write(ctx, refs, fn)
}

func (s *Store) write(ctx context.Context, refs []store.InboundRef, fn func(store.Tx) error) error {
	// A connection of its own, so that on PostgreSQL the write can hand
	// several statements to pgx at once (pipeline) inside its transaction.
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer conn.Close()
	t := s.newTx(ctx, conn)
	if s.lockSQL != "" {
		err = t.runPG(refs, fn)
	} else {
		err = t.runSQLite(refs, fn)
	}
	if err != nil {
		return err
	}
	t.committed()
	return nil
}

// newTx is a write's state on conn, before anything is read.
func (s *Store) newTx(ctx context.Context, conn *sql.Conn) *tx {
	return &tx{s: s, conn: conn, ctx: ctx, seen: map[string]*inbox.Dialog{}, pend: newPending(),
		fresh: map[string]bool{}, contactsOf: map[string][]inbox.Contact{}, stored: map[string][]any{},
		wrote: newWriteSet()}
}

// committed hands what the write logged to the OnCommitted hooks, after
// its commit.
func (t *tx) committed() {
	s := t.s
	if t.seq > t.seq0 && s.committedFns != nil {
		// The cache holds an org only with the version it was read at,
		// so one of the version this write committed is the org as of
		// its commit (on PostgreSQL the hub saves a round trip before
		// every fan-out).
		c := store.Committed{From: t.seq0, To: t.seq, Complete: !t.logIncomplete, Org: s.cachedOrg(t.orgVer)}
		if c.Complete {
			c.Changes = make([]store.Logged, 0, len(t.logged))
			for _, l := range t.logged {
				if l.Seq != 0 {
					c.Changes = append(c.Changes, l)
				}
			}
		}
		for _, fn := range s.committedFns {
			fn(c)
		}
	}
}

// runSQLite runs fn in a database/sql transaction (BEGIN IMMEDIATE: the
// writer's lock).
func (t *tx) runSQLite(refs []store.InboundRef, fn func(store.Tx) error) error {
	sqlTx, err := t.conn.BeginTx(t.ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer func() { _ = sqlTx.Rollback() }()
	t.tx = sqlTx
	if err := t.loadCounters(); err != nil {
		return err
	}
	if len(refs) > 1 {
		if err := t.Prefetch(refs); err != nil {
			return err
		}
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flush(t.saveCounters()...); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// runPG runs fn in a transaction the write drives itself on its
// connection, so that its ends ride with other statements: BEGIN goes in
// one pipeline with the write lock, the counters and the prefetch, and
// COMMIT in the last flush with the buffered rows, the counters and the
// NOTIFY. A write whose reads the prefetch answers makes two round trips.
// (database/sql's Tx would send BEGIN and COMMIT alone: two more, each
// waking a backend.) Whatever fails, the transaction is rolled back
// before the connection goes back to the pool; should even that fail, the
// connection is closed, which ends the session and frees the write lock
// (an idle connection must not sit on it).
func (t *tx) runPG(refs []store.InboundRef, fn func(store.Tx) error) error {
	if err := t.startPG(refs, fn); err != nil {
		return err
	}
	return t.commitPG()
}

// startPG begins the transaction and runs fn; on failure it rolls back.
func (t *tx) startPG(refs []store.InboundRef, fn func(store.Tx) error) error {
	t.tx = t.conn
	if err := t.begin(refs); err != nil {
		t.abortPG()
		return err
	}
	if err := fn(t); err != nil {
		t.abortPG()
		return err
	}
	return nil
}

// commitPG sends the buffered rows, the counters, the NOTIFY and COMMIT
// in one round trip; on failure it rolls back.
func (t *tx) commitPG() error {
	if err := t.flush(append(t.saveCounters(), stmt{q: "COMMIT"})...); err != nil {
		t.abortPG()
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// abortPG rolls back whatever the write began. After a failed pipeline
// the transaction is aborted (the statements after the failed one, COMMIT
// included, were skipped); after a failed COMMIT there is none, and
// ROLLBACK only warns. Should even ROLLBACK fail, the connection is
// closed: that ends the session and frees the write lock (an idle
// connection must not sit on it).
func (t *tx) abortPG() {
	ctx := context.WithoutCancel(t.ctx)
	_, rbErr := t.conn.ExecContext(ctx, "ROLLBACK")
	_ = t.pgx(func(c *pgx.Conn) error {
		if rbErr != nil || c.PgConn().TxStatus() != 'I' {
			return c.Close(ctx)
		}
		return nil
	})
}

// OnCommitted registers fn to receive what each write logged, after its
// commit. Call before the first write.
func (s *Store) OnCommitted(fn func(store.Committed)) {
	s.committedFns = append(s.committedFns, fn)
}

// begin opens the transaction, takes the write lock and reads the
// counters (and prefetches refs, if any) in one pipeline. Its statements
// run in order, each with a snapshot of its own, so the counters and the
// prefetched rows are read after the lock is held.
func (t *tx) begin(refs []store.InboundRef) error {
	return t.pgx(func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue(t.s.lockSQL)
		b.Queue(`SELECT k, v FROM meta`)
		var readPrefetch func(pgx.BatchResults) error
		if len(refs) > 0 {
			readPrefetch = t.queuePrefetch(b, refs)
		}
		br := c.SendBatch(t.ctx, b)
		defer br.Close()
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("begin write: %w", err)
		}
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("take write lock: %w", err)
		}
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("read counters: %w", err)
		}
		for rows.Next() {
			var k string
			var v int64
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return fmt.Errorf("read counters: %w", err)
			}
			t.setCounter(k, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read counters: %w", err)
		}
		if readPrefetch != nil {
			if err := readPrefetch(br); err != nil {
				return err
			}
		}
		return br.Close()
	})
}

// pgx runs fn on the PostgreSQL connection under the write's transaction.
func (t *tx) pgx(fn func(*pgx.Conn) error) error {
	if t.ahead {
		t.fenced = true
		return errAhead
	}
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("write: the connection is a %T, not pgx", dc)
		}
		return fn(c.Conn())
	})
}

// stmt is one statement of a pipeline.
type stmt struct {
	q    string
	args []any
}

// run executes statements in order: on PostgreSQL sent together in one
// round trip (a pgx batch), on SQLite one after the other.
func (t *tx) run(stmts []stmt) error {
	if len(stmts) == 0 {
		return nil
	}
	if !t.s.d.arrays || len(stmts) == 1 {
		for _, s := range stmts {
			if err := t.exec(s.q, s.args...); err != nil {
				return err
			}
		}
		return nil
	}
	return t.pgx(func(c *pgx.Conn) error {
		b := &pgx.Batch{}
		for _, s := range stmts {
			b.Queue(t.s.d.rebind(s.q), s.args...)
		}
		br := c.SendBatch(t.ctx, b)
		for _, s := range stmts {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return fmt.Errorf("%s: %w", s.q, err)
			}
		}
		return br.Close()
	})
}

func (t *tx) loadCounters() error {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT k, v FROM meta`)
	if err != nil {
		return fmt.Errorf("read counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("read counters: %w", err)
		}
		t.setCounter(k, v)
	}
	return rows.Err()
}

func (t *tx) setCounter(k string, v int64) {
	switch k {
	case "seq":
		t.seq0, t.seq = v, v
	case "dialog_number":
		t.num0, t.num = v, v
	case "org_version":
		t.orgVer0, t.orgVer = v, v
	}
}

// saveCounters writes back the counters that moved and, on PostgreSQL,
// tells the other instances the log grew (delivered when, and only if,
// the transaction commits) — one round trip for both.
func (t *tx) saveCounters() []stmt {
	if t.seq == t.seq0 && t.num == t.num0 && t.orgVer == t.orgVer0 {
		return nil
	}
	const update = `UPDATE meta SET v = CASE k WHEN 'seq' THEN CAST(? AS BIGINT) WHEN 'dialog_number' THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END
		WHERE k IN ('seq', 'dialog_number', 'org_version')`
	args := []any{t.seq, t.num, t.orgVer}
	if t.seq == t.seq0 || t.s.notifyChannel == "" {
		return []stmt{{update, args}}
	}
	q := `WITH saved AS (` + update + ` RETURNING k) SELECT pg_notify(?, ?) FROM (SELECT count(*) FROM saved) s`
	return []stmt{{q, append(args, t.s.notifyChannel, notifyPayload(t.seq, t.s.id))}}
}
