package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlite3 "github.com/mattn/go-sqlite3" // built with -tags sqlite_fts5
)

// Replica is an open replica file. It is safe for concurrent use: writes go
// through the single writer connection one at a time, reads through the
// pool.
type Replica struct {
	path string
	w    *sql.DB // exactly one connection: SQLite allows one writer anyway
	r    *sql.DB // read-only pool

	// The write-ahead log is copied into the file (checkpoint), and the
	// search indexes' segments merged (merger), by goroutines of their
	// own, not by whichever write happens to fill the log or add a
	// segment: an operator's click never waits for a checkpoint or a
	// whole merge.
	wrote     chan struct{} // a write committed; buffered 1
	toMerge   chan struct{} // likewise, for the merger
	stopCkpt  chan struct{} // closed by Close: both goroutines stop
	ckptDone  chan struct{}
	mergeDone chan struct{}
	closeOnce sync.Once
	// lastWrite is when the last write committed (unix nanoseconds) and
	// writing how many writes are under way: the merger, the
	// checkpointer's truncation and the search index's builder give way
	// to the operator's writes.
	lastWrite atomic.Int64
	writing   atomic.Int32

	// The messages' search index after a pull from 0 is filled by a
	// goroutine of its own (searchBuilder), which gives way to the writes
	// waiting (writing counts them) and is interrupted by those that
	// come during its step (buildCancel stops the step under way).
	toBuild     chan struct{} // buffered 1
	buildDone   chan struct{}
	buildMu     sync.Mutex
	buildCancel context.CancelFunc
	mergeCancel context.CancelFunc // likewise, the merger's step; under buildMu

	tableIdx tableIndexOnce // the dialog table's indexes, built on demand
}

// Open opens (creating when missing) the replica at path and migrates it.
func Open(ctx context.Context, path string) (*Replica, error) {
	// busy_timeout comes first so that the pragmas after it wait rather
	// than fail while another connection holds the file.
	common := url.Values{}
	common.Set("_busy_timeout", "5000")
	common.Set("_journal_mode", "WAL")
	common.Set("_synchronous", "NORMAL")
	common.Set("_foreign_keys", "on")
	// Every write and read is one of a few dozen statements: keep them
	// prepared (preparing cost a fifth of a bootstrap), and give the page
	// cache room for a replica of 100k dialogs' indexes (negative: KiB).
	common.Set("_stmt_cache_size", "64")
	common.Set("_cache_size", "-32768")

	wq := url.Values{}
	for k, v := range common {
		wq[k] = v
	}
	// IMMEDIATE takes the write lock at BEGIN, so a write transaction never
	// fails half-way on a lock upgrade.
	wq.Set("_txlock", "immediate")
	w, err := sql.Open(driverName, "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := restoreIndexesAtOpen(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}

	rq := url.Values{}
	for k, v := range common {
		rq[k] = v
	}
	rq.Set("_query_only", "1")
	r, err := sql.Open(driverName, "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open replica %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	r.SetMaxIdleConns(readIdle)
	rp := &Replica{path: path, w: w, r: r, wrote: make(chan struct{}, 1), toMerge: make(chan struct{}, 1),
		stopCkpt: make(chan struct{}), ckptDone: make(chan struct{}), mergeDone: make(chan struct{})}
	rp.toBuild, rp.buildDone = make(chan struct{}, 1), make(chan struct{})
	// A merge left unfinished by the last run (see mergeSearch) goes on.
	rp.toMerge <- struct{}{}
	go rp.checkpoint()
	go rp.merger()
	go rp.searchBuilder()
	signal(rp.toBuild) // a build cut short by a quit goes on
	return rp, nil
}

// readIdle is how many idle reading connections the replica keeps.
const readIdle = 4

// checkpointEvery is how long the checkpointer waits after a write before
// it copies the log into the file: a burst of writes costs one checkpoint.
const checkpointEvery = 200 * time.Millisecond

// truncateQuiet is how long no write may have committed before the
// checkpointer empties a grown log's file (see checkpointNow).
var truncateQuiet = time.Second

// checkpoint copies the write-ahead log into the database file after
// writes, without blocking readers or the writer (PASSIVE), on a
// connection of its own.
func (rp *Replica) checkpoint() {
	defer close(rp.ckptDone)
	for {
		select {
		case <-rp.stopCkpt:
			return
		case <-rp.wrote:
		}
		// Once writes pause: a bootstrap's pages, back to back, are
		// copied once at its end, not again and again while they come
		// (a page rewritten by every batch would be copied each time).
		if !rp.awaitQuietFor(checkpointEvery, rp.stopCkpt) {
			return
		}
		if !rp.checkpointNow() {
			continue
		}
		// The log is copied but its file has grown past walSizeLimit (a
		// bootstrap's pages follow each other too closely for the log
		// ever to start over meanwhile). Emptying the file holds the
		// writer's lock for tens of milliseconds, up to a few hundred
		// after a bootstrap: it is done once nothing has been written for
		// truncateQuiet, not while pages or an operator's writes are
		// coming. A write before then brings the checkpointer round again,
		// to copy what it wrote first.
		if !rp.awaitQuietFor(truncateQuiet, rp.stopCkpt) {
			return
		}
		select {
		case <-rp.wrote:
			signal(rp.wrote)
		default:
			rp.truncateLog()
		}
	}
}

// quietFor is how much longer the replica must stay without writes for
// none to have committed during d; 0 when none has.
func (rp *Replica) quietFor(d time.Duration) time.Duration {
	return max(0, time.Until(time.Unix(0, rp.lastWrite.Load()).Add(d)))
}

// checkpointNow copies the log into the file without blocking anyone
// (PASSIVE), and reports whether that copied the whole log while its file
// has grown past walSizeLimit: the file then wants emptying (truncateLog),
// so that no operator's write pays for cutting back hundreds of MiB when
// the log next starts over (journal_size_limit). A failed checkpoint
// leaves the log longer; the next one retries.
func (rp *Replica) checkpointNow() (grown bool) {
	var busy, logged, copied int
	if err := rp.r.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied); err != nil {
		return false
	}
	if busy != 0 || logged <= 0 || copied != logged {
		return false
	}
	return rp.walSize() > walSizeLimit
}

// truncateLog empties the log's file (TRUNCATE: a moment's hold on the
// writer, with nothing left to copy).
func (rp *Replica) truncateLog() {
	_, _ = rp.r.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
}

// walSize is the size of the write-ahead log's file; 0 when it is absent.
func (rp *Replica) walSize() int64 {
	fi, err := os.Stat(rp.path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// merger merges the search indexes (mergeSearch) after every write, at
// once: a burst of single-message commits adds a segment each, and
// SQLite's crisis merge (16 segments on a level) would merge inside the
// commit that makes the 16th, the larger segments a bootstrap left
// with them.
func (rp *Replica) merger() {
	defer close(rp.mergeDone)
	for {
		select {
		case <-rp.stopCkpt:
			return
		case <-rp.toMerge:
		}
		if rp.mergeSearch(rp.stopCkpt) {
			signal(rp.wrote) // the merged pages are in the log
		}
	}
}

// searchTables are the full-text indexes the merger keeps merged.
var searchTables = []string{"messages_fts", "clients_fts"}

// mergeStep is how many pages of merged index one step of the merger
// writes at most (a quarter of what automerge did per level at once):
// the work a write's interruption throws away.
const mergeStep = 16

// mergeSearch merges the search indexes' segments after writes. Each
// commit that writes an index adds a small segment to it; SQLite would
// merge them inside the committing write (automerge), which made one
// send in 64 take ~20 ms. Migration 11 turned that off: this merges the
// same way (a level of 4 segments or more is merged into one; SQLite's
// crisis merge at 16 still bounds a level if this falls behind), in steps
// of mergeStep pages, each its own transaction on the writer, taken only
// once the operator's writes pause (awaitQuiet) and interrupted by a write
// that comes during it, so a write does not wait for a step. Once the
// builder has filled the messages' index after a pull from 0
// (searchbuild.go), it first merges that index's segments into one
// (metaSearchWhole): the build leaves segments of several MiB on low
// levels, which the first few hundred new messages would otherwise
// bring into a merge — tens of MiB rewritten, inside a send's commit
// when it was SQLite's crisis merge. It returns once nothing is left to
// merge, a step fails (the next round retries), or stop is closed, and
// reports whether it merged anything.
func (rp *Replica) mergeSearch(stop <-chan struct{}) (merged bool) {
	for _, t := range searchTables {
		pages := mergeStep
		if t == "messages_fts" {
			if v, err := getMeta(context.Background(), rp.w, metaSearchWhole); err != nil {
				continue
			} else if v != "" {
				pages = -mergeStep // every segment may merge: into one
			}
		}
		for {
			if !rp.awaitQuiet(stop) {
				return merged
			}
			// Merging a large level writes tens of MiB: copy the log back
			// before it outgrows walSizeLimit, so that the next write
			// starts it over instead of growing its file.
			if rp.walSize() > walSizeLimit/2 {
				rp.checkpointNow()
			}
			more, err := rp.mergeStep(t, pages)
			if err != nil || !more {
				break
			}
			merged = true
		}
	}
	return merged
}

// mergeQuiet is how long no write may have committed before the merger
// takes a step: a burst of the operator's writes (a reply, a mark all as
// read) is not kept waiting for the merging its own segments brought,
// and a write that comes during a step interrupts it.
var mergeQuiet = 5 * time.Millisecond

// errGaveWay ends a merger's step that a write came before.
var errGaveWay = errors.New("replica: the merger gave way to a write")

// awaitQuiet waits until no write has committed for mergeQuiet and none
// is under way; false when stop is closed first.
func (rp *Replica) awaitQuiet(stop <-chan struct{}) bool {
	return rp.awaitQuietFor(mergeQuiet, stop)
}

// awaitQuietFor waits until no write has committed for d and none is
// under way; false when stop is closed first.
func (rp *Replica) awaitQuietFor(d time.Duration, stop <-chan struct{}) bool {
	for {
		select {
		case <-stop:
			return false
		default:
		}
		wait := rp.quietFor(d)
		if wait == 0 && rp.writing.Load() == 0 {
			return true
		}
		select {
		case <-stop:
			return false
		case <-time.After(max(wait, d/10)):
		}
	}
}

// mergeStep does one step of merging the index t, writing about |pages|
// pages (negative: any segments may merge, see mergeSearch), and reports
// whether it did any work (then there may be more). The 'merge' command
// writes two rows or more when it merged, none or one when nothing was
// eligible; a whole merge that finds nothing left ends itself.
func (rp *Replica) mergeStep(t string, pages int) (bool, error) {
	ctx := context.Background()
	tx, err := rp.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var before, after int64
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&before); err != nil {
		return false, err
	}
	// A write that comes during the step interrupts it (interruptBuild):
	// only this statement gets the context, as in the builder's step.
	interrupt, end := rp.interruptible(&rp.mergeCancel)
	defer end()
	if rp.writing.Load() > 0 {
		return false, errGaveWay
	}
	if _, err := tx.ExecContext(interrupt, fmt.Sprintf(`INSERT INTO %s (%s, rank) VALUES ('merge', %d)`, t, t, pages)); err != nil {
		return false, err
	}
	if err := tx.QueryRowContext(ctx, `SELECT total_changes()`).Scan(&after); err != nil {
		return false, err
	}
	did := after-before >= 2
	if !did && pages < 0 {
		if err := exec(ctx, tx, `DELETE FROM meta WHERE key = ?`, metaSearchWhole); err != nil {
			return false, err
		}
	}
	return did, tx.Commit()
}

// Path is the file the replica lives in.
func (rp *Replica) Path() string { return rp.path }

// WriterWaits reports how many times, and for how long in all, a write
// waited for the replica's one writing connection while something else
// held it (the merger's step, another write): database/sql's count.
func (rp *Replica) WriterWaits() (int64, time.Duration) {
	st := rp.w.Stats()
	return st.WaitCount, st.WaitDuration
}

// Close stops the checkpointer, the merger and the search index's
// builder and closes both connection pools.
func (rp *Replica) Close() error {
	rp.closeOnce.Do(func() {
		close(rp.stopCkpt)
		rp.interruptBuild() // a quit does not wait for the step
		<-rp.ckptDone
		<-rp.mergeDone
		<-rp.buildDone
	})
	return errors.Join(rp.r.Close(), rp.w.Close())
}

// write runs fn in one write transaction.
func (rp *Replica) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	rp.writing.Add(1)
	defer func() {
		rp.lastWrite.Store(time.Now().UnixNano())
		rp.writing.Add(-1)
	}()
	rp.interruptBuild()
	tx, err := rp.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	signal(rp.wrote)
	signal(rp.toMerge)
	return nil
}

// signal wakes the goroutine waiting on ch, unless a wake-up is pending
// already (ch is buffered 1).
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// sqlError attaches the failing statement to err, so a log line says which
// query broke.
func sqlError(query string, err error) error {
	return fmt.Errorf("%w [sql: %s]", err, query)
}

// Meta keys.
const (
	metaLastSeq  = "last_seq"
	metaServer   = "server"
	metaOperator = "operator"
	// metaResyncBase is the seq up to which a resync entry is stale: the
	// replica was pulled from 0 after it was committed (see Baseline).
	metaResyncBase = "resync_base"
	// metaSearchDeferred is set while a pull from 0 fills the replica: the
	// messages' search index is left alone until its end (FinishPull),
	// then filled in the background (searchbuild.go).
	metaSearchDeferred = "search_deferred"
	// metaSearchWhole is set while the merger is to merge the messages'
	// search index into one segment (see mergeSearch).
	metaSearchWhole = "search_whole"
)

func getMeta(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string) (string, error) {
	const query = `SELECT value FROM meta WHERE key = ?`
	var v string
	err := q.QueryRowContext(ctx, query, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", sqlError(query, err)
	}
	return v, nil
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	const query = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
	if _, err := tx.ExecContext(ctx, query, key, value); err != nil {
		return sqlError(query, err)
	}
	return nil
}

// Owner is whose data the replica holds: which server, which operator.
type Owner struct {
	Server     string
	OperatorID string
}

// Owner returns whose data the replica holds; zero for a fresh replica.
func (rp *Replica) Owner(ctx context.Context) (Owner, error) {
	s, err := getMeta(ctx, rp.w, metaServer)
	if err != nil {
		return Owner{}, err
	}
	o, err := getMeta(ctx, rp.w, metaOperator)
	return Owner{Server: s, OperatorID: o}, err
}

// SetOwner records whose data the replica holds.
func (rp *Replica) SetOwner(ctx context.Context, o Owner) error {
	return rp.write(ctx, func(tx *sql.Tx) error {
		if err := setMeta(ctx, tx, metaServer, o.Server); err != nil {
			return err
		}
		return setMeta(ctx, tx, metaOperator, o.OperatorID)
	})
}

// syncedTables hold what the server sent (and the optimistic changes
// laid over it); meta and outbox are the replica's own.
var syncedTables = []string{"entities", "clients", "notes", "dialogs", "messages", "events", "messages_fts", "clients_fts", "tasks",
	"dialog_tags", "message_tags"}

// Wipe deletes every synced row, the outbox, the notification centre, the
// drafts and the owner: what signing out leaves behind is an empty replica.
func (rp *Replica) Wipe(ctx context.Context) error {
	restored := false
	err := rp.write(ctx, func(tx *sql.Tx) error {
		// meta holds the statements of indexes a pull deferred: they are
		// made again, over the emptied tables.
		deferred, err := deferredIndexes(ctx, tx)
		if err != nil {
			return err
		}
		if err := clearTables(ctx, tx, append([]string{"meta", "outbox", "notices", "drafts"}, syncedTables...)); err != nil {
			return err
		}
		restored = len(deferred) > 0
		return makeIndexes(ctx, tx, deferred)
	})
	if err == nil && restored {
		rp.replanReads()
	}
	return err
}

func clearTables(ctx context.Context, tx *sql.Tx, tables []string) error {
	for _, t := range tables {
		q := "DELETE FROM " + t
		if strings.HasSuffix(t, "_fts") {
			q = clearSearch(t) // contentless: emptied by a command
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return sqlError(q, err)
		}
	}
	return nil
}

// walSizeLimit is the size the write-ahead log's file is cut back to
// when the log starts over (PRAGMA journal_size_limit).
var walSizeLimit int64 = 64 << 20

// driverName is SQLite with the replica's own SQL functions: sb_fold(text),
// the folding the search index holds (fold.go), and sb_contact_terms(client
// JSON), so SQL can fill the index; sb_has_prefixes checks search words.
const driverName = "sqlite3_replica"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		// Commits never checkpoint: the checkpointer does (see checkpoint).
		// Once the log starts over, its file is cut back to walSizeLimit: a
		// bootstrap grows it to the size of what it wrote (~700 MiB for
		// 100k dialogs), which the file would otherwise keep.
		if _, err := c.Exec(fmt.Sprintf(`PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = %d`, walSizeLimit), nil); err != nil {
			return err
		}
		if err := c.RegisterFunc("sb_has_prefixes", hasPrefixes, true); err != nil {
			return err
		}
		if err := c.RegisterFunc("sb_contact_terms", clientContactTerms, true); err != nil {
			return err
		}
		return c.RegisterFunc("sb_fold", fold, true)
	}})
}
