package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"switchboard/server/store"
)

// Writes that overlap (store.AheadWriter, PostgreSQL only).
//
// A write's last round trip (the rows, the NOTIFY, COMMIT) keeps a backend
// busy for most of the write's time while the writer waits; the next
// batch's rules (decoding, routing, encoding rows) keep Go busy for about as
// long. WriteAhead sends the commit and returns; Speculate runs the next
// batch's rules meanwhile, on what the database will hold once the commit
// lands. That is known without waiting when:
//
//   - the next batch's reads are all answered by its prefetch (every other
//     read is fenced off: the run ahead is then dropped), and
//   - the prefetch asked about nothing the write in flight wrote (a
//     message's external id, a contact, a client, or a dialog of one of its
//     clients): whether the prefetch ran before or after that commit, it
//     read the same rows; and
//   - nobody else writes in between: the next write, once it holds the
//     lock, finds the counters where the one in flight left them (every
//     change an inbound message could read is logged, so it moves seq).
//
// Otherwise the write runs its rules again inside its transaction, as any
// write does. Writes still commit one at a time and in order: the caller
// waits for a flight before it begins the next write.

// errAhead is what a read or a write gets while rules run ahead.
var errAhead = errors.New("rules run ahead of their transaction: the database is not to be used yet")

// writeSet is what a write put: what a write run ahead of its commit must
// not have read.
type writeSet struct {
	clients  map[string]bool // written clients, and the clients of written dialogs
	contacts map[string]bool // channel \x00 external id
	external map[string]bool // channel \x00 external id of written messages
	// all says the write deleted rows, which the sets do not follow:
	// nothing may run ahead of it.
	all bool
}

func newWriteSet() *writeSet {
	return &writeSet{clients: map[string]bool{}, contacts: map[string]bool{}, external: map[string]bool{}}
}

// note adds the rows buffered in p.
func (w *writeSet) note(p *pending) {
	if w == nil {
		return
	}
	for id := range p.clients {
		w.clients[id] = true
	}
	for k := range p.contacts {
		w.contacts[k] = true
	}
	for k := range p.external {
		w.external[k] = true
	}
	// Every dialog put is behind its client's and channel's latest.
	for _, d := range p.latest {
		w.clients[d.ClientID] = true
	}
}

// noteDeleted records that the write deleted rows.
func (t *tx) noteDeleted() {
	if t.wrote != nil {
		t.wrote.all = true
	}
}

// flight is a write whose commit is on its way.
type flight struct {
	done chan struct{}
	err  error
	// after is the database as the write leaves it, for the next write to
	// run ahead on; nil when it may not (the write changed the org).
	after *afterWrite
}

type afterWrite struct {
	seq, num, orgVer int64
	wrote            *writeSet
}

func (f *flight) Done() <-chan struct{} { return f.done }
func (f *flight) Err() error            { return f.err }

// aheadRun is a write whose rules ran ahead; its connection is held, no
// transaction begun on it.
type aheadRun struct {
	t *tx
}

func (a *aheadRun) Discard() { _ = a.t.conn.Close() }

var _ store.AheadWriter = (*Store)(nil)

// WritesAhead reports whether writes overlap: on PostgreSQL.
func (s *Store) WritesAhead() bool { return s.lockSQL != "" }

// Speculate runs fn ahead of its write; see store.AheadWriter.
func (s *Store) Speculate(ctx context.Context, prev store.Flight, refs []store.InboundRef, fn func(store.Tx) error) store.Speculation {
	f, ok := prev.(*flight)
	if !ok || f.after == nil || f.after.wrote.all || len(refs) == 0 || !s.WritesAhead() {
		return nil
	}
	a := f.after
	if s.cachedOrg(a.orgVer) == nil {
		return nil // the rules would read the org
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil
	}
	t := s.newTx(ctx, conn)
	// The prefetch alone goes to the database, outside any transaction:
	// each of its statements sees the rows before or after the flight's
	// commit, and which does not matter for rows the flight did not write.
	if err := t.Prefetch(refs); err != nil || t.readsWritten(a.wrote, refs) {
		_ = conn.Close()
		return nil
	}
	t.seq0, t.seq = a.seq, a.seq
	t.num0, t.num = a.num, a.num
	t.orgVer0, t.orgVer = a.orgVer, a.orgVer
	t.tx, t.ahead = fence{t}, true
	err = fn(t)
	t.ahead = false
	if err != nil || t.fenced {
		_ = conn.Close()
		return nil
	}
	return &aheadRun{t: t}
}

// readsWritten reports whether the prefetch of refs asked about what w
// holds.
func (t *tx) readsWritten(w *writeSet, refs []store.InboundRef) bool {
	for _, r := range refs {
		if w.external[r.ChannelID+"\x00"+r.MessageExternalID] || w.contacts[r.ChannelID+"\x00"+r.ContactExternalID] {
			return true
		}
	}
	for _, c := range t.pre.contact {
		if c != nil && w.clients[c.ID] {
			return true
		}
	}
	for _, d := range t.pre.latest {
		if d != nil && w.clients[d.ClientID] {
			return true
		}
	}
	return false
}

// WriteAhead runs a write up to its commit and sends the commit; see
// store.AheadWriter.
func (s *Store) WriteAhead(ctx context.Context, spec store.Speculation, refs []store.InboundRef, fn func(store.Tx) error) (store.Flight, error) {
	if !s.WritesAhead() {
		return nil, fmt.Errorf("write ahead: %s writes do not overlap", s.d.name)
	}
	var t *tx
	ranAhead := false
	if a, ok := spec.(*aheadRun); ok && a != nil {
		t, ranAhead = a.t, true
		t.startAhead()
	} else {
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("begin write: %w", err)
		}
		t = s.newTx(ctx, conn)
		if err := t.startPG(refs, fn); err != nil {
			_ = conn.Close()
			return nil, err
		}
	}
	// What the write put, taken before its last rows go (the flush would
	// add them to the set while the next write reads it).
	w := t.wrote
	w.note(t.pend)
	t.wrote = nil
	f := &flight{done: make(chan struct{})}
	if t.orgVer == t.orgVer0 {
		f.after = &afterWrite{seq: t.seq, num: t.num, orgVer: t.orgVer, wrote: w}
	}
	go func() {
		defer close(f.done)
		defer t.conn.Close()
		if err := t.commitPG(); err != nil {
			f.err = err
			if ranAhead && wroteBetween(err) {
				f.err = fmt.Errorf("%w: %v", store.ErrWroteBetween, err)
			}
			return
		}
		t.committed()
	}()
	return f, nil
}

// startAhead readies a write whose rules ran ahead to commit in one round
// trip: BEGIN, the write lock and a check that the counters are where the
// rules took them to be go in front of its rows. If they are not (another
// instance wrote since the write before), the check fails the pipeline,
// the transaction rolls back and the flight ends with
// store.ErrWroteBetween: the caller runs the batch again.
func (t *tx) startAhead() {
	t.tx = t.conn
	t.preamble = []stmt{{q: "BEGIN"}, {q: t.s.lockSQL}, {q: checkCountersPG, args: []any{t.seq0, t.num0, t.orgVer0}}}
}

// checkCountersPG divides by zero unless all three counters hold the
// values given (22012, division_by_zero: the one error it can raise).
const checkCountersPG = `SELECT 1 / (CAST((SELECT count(*) FROM meta WHERE (k = 'seq' AND v = ?)
	OR (k = 'dialog_number' AND v = ?) OR (k = 'org_version' AND v = ?)) AS INT) / 3)`

// wroteBetween reports whether err is checkCountersPG's.
func wroteBetween(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "22012"
}

// fence is what rules running ahead read and write through: it refuses
// everything and marks the run as not counting.
type fence struct{ t *tx }

func (f fence) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	f.t.fenced = true
	return nil, errAhead
}

func (f fence) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	f.t.fenced = true
	return nil, errAhead
}

// QueryRowContext returns a row whose Scan fails (a *sql.Row cannot be
// made with an error but by a database that fails).
func (f fence) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	f.t.fenced = true
	return fencedDB().QueryRowContext(ctx, q, args...)
}

var fencedDB = sync.OnceValue(func() *sql.DB { return sql.OpenDB(fencedConnector{}) })

// fencedConnector connects nowhere.
type fencedConnector struct{}

func (fencedConnector) Connect(context.Context) (driver.Conn, error) { return nil, errAhead }
func (fencedConnector) Driver() driver.Driver                        { return fencedDriver{} }

type fencedDriver struct{}

func (fencedDriver) Open(string) (driver.Conn, error) { return nil, errAhead }
