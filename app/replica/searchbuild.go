package replica

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"strconv"
	"time"
)

// The messages' search index after a pull from 0 is filled in the
// background, not at the pull's end: the inbox is usable once the pages
// and the dialogs' indexes are in (FinishPull), and the builder indexes
// the messages afterwards, newest first, a chunk at a time on the writer,
// each chunk its own short transaction, so an operator's write waits for
// one chunk at most.
//
// What is left to index is one number in meta, the watermark
// (metaSearchBelow): every message whose rowid is below it is not in the
// index yet; every one at or above it is, and is kept there by the writes
// as they come (searchKept). A write below the watermark leaves the index
// alone — the builder reads the row's text as it is when it gets there,
// and a deleted row is simply not found — so no message is ever indexed
// twice or left out. (FTS5 would forgive a row indexed twice: in a
// contentless_delete index, an insert of a rowid it holds replaces the
// entry; it would cost the work twice.) The builder lowers the watermark in the transaction
// that indexes the chunk below it, and removes it once nothing is left;
// the watermark lives in the file, so a build cut short by a quit goes on
// after the next Open. Wipe and a resync drop it with the rows.
const (
	// metaSearchBelow is the watermark: messages with a lower rowid are
	// not indexed yet.
	metaSearchBelow = "search_below"
	// metaSearchTop is the rowid of the newest message when the build
	// began: how much there was to index, for the progress shown.
	metaSearchTop = "search_top"
)

// searchChunk is how many messages one step of the builder indexes at
// most, ~35 ms of SQLite's work (tokenizing, writing the prefix indexes):
// a step that small costs a segment of its own, and the merges that fold
// the segments together, so 100-message steps took 2.3 times the CPU of
// the one pass over 200k messages, 2000-message ones 1.13 times. An
// operator's write does not wait for a step: it interrupts it (see
// interruptBuild), and the builder halves its steps after each
// interruption (down to searchChunkMin) and doubles them after each
// step that went through, so a stream of writes still lets it on.
var searchChunk = 2000

// searchChunkMin is the smallest step: ~3 ms.
const searchChunkMin = 100

// searchBelow reads the watermark in tx: 0 when no build is under way
// (every message at or above 0 is kept in the index as it is written).
func searchBelow(ctx context.Context, tx *sql.Tx) (int64, error) {
	v, err := getMeta(ctx, tx, metaSearchBelow)
	if err != nil || v == "" {
		return 0, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("replica %s %q: %w", metaSearchBelow, v, err)
	}
	return n, nil
}

// searchKept says whether the write of the message at rowid keeps its
// entry in the search index (the row is at or above the watermark), in
// tx. isNew says the write inserted the row: SQLite gives a new row the
// rowid after the largest one (an INTEGER PRIMARY KEY without
// AUTOINCREMENT), so a new row below the watermark means every row from
// its rowid up to the watermark was deleted; the watermark comes down to
// it, and the new message is found at once.
func searchKept(ctx context.Context, tx *sql.Tx, rowid int64, isNew bool) (bool, error) {
	below, err := searchBelow(ctx, tx)
	if err != nil {
		return false, err
	}
	return lowerSearchBelow(ctx, tx, below, rowid, isNew)
}

// lowerSearchBelow is searchKept with the watermark read already.
func lowerSearchBelow(ctx context.Context, tx *sql.Tx, below, rowid int64, isNew bool) (bool, error) {
	if rowid >= below {
		return true, nil
	}
	if !isNew {
		return false, nil
	}
	return true, setMeta(ctx, tx, metaSearchBelow, strconv.FormatInt(rowid, 10))
}

// startSearchBuild, at the end of a pull from 0, empties the messages'
// search index (a message the operator sent during the pull was indexed
// as it was written) and sets the watermark above the newest message, in
// tx. It reports whether there is anything to index.
func startSearchBuild(ctx context.Context, tx *sql.Tx) (bool, error) {
	if err := exec(ctx, tx, clearSearch("messages_fts")); err != nil {
		return false, err
	}
	const q = `SELECT coalesce(max(rowid), 0) FROM messages`
	var top int64
	if err := tx.QueryRowContext(ctx, q).Scan(&top); err != nil {
		return false, sqlError(q, err)
	}
	if top == 0 {
		return false, dropSearchBuild(ctx, tx)
	}
	if err := setMeta(ctx, tx, metaSearchTop, strconv.FormatInt(top, 10)); err != nil {
		return false, err
	}
	return true, setMeta(ctx, tx, metaSearchBelow, strconv.FormatInt(top+1, 10))
}

// dropSearchBuild forgets a build under way, in tx: the rows went with it
// (a resync, a new pull from 0).
func dropSearchBuild(ctx context.Context, tx *sql.Tx) error {
	return exec(ctx, tx, `DELETE FROM meta WHERE key IN (?, ?)`, metaSearchBelow, metaSearchTop)
}

// fillSearchChunk indexes the messages with rowids in [?, ?), in rowid
// order (the index takes ascending rowids into one segment), with the
// same text and the same rows as fillMessageSearch.
var fillSearchChunk = `INSERT INTO messages_fts (rowid, text)
	SELECT rowid, ` + searchTextSQL(`json_extract(data, '$.text')`) + ` FROM messages
	WHERE rowid >= ? AND rowid < ?
		AND coalesce(json_extract(data, '$.text'), '') <> '' AND json_extract(data, '$.deletedAt') IS NULL
	ORDER BY rowid`

// buildSearchStep indexes the chunk messages just below the watermark
// and lowers it past them, in one transaction on the writer; with none
// left, it ends the build. It reports whether there may be more to do.
// Cancelling interrupt stops the indexing statement (sqlite3_interrupt)
// and rolls the step back; only that statement gets it: a cancelled
// transaction's context makes database/sql close the connection, the
// writer's page cache and prepared statements with it.
func (rp *Replica) buildSearchStep(ctx, interrupt context.Context, chunk int) (more bool, err error) {
	tx, err := rp.w.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	below, err := searchBelow(ctx, tx)
	if err != nil || below == 0 {
		return false, err
	}
	const q = `SELECT coalesce(min(rowid), 0) FROM (SELECT rowid FROM messages WHERE rowid < ? ORDER BY rowid DESC LIMIT ?)`
	var from int64
	if err := tx.QueryRowContext(ctx, q, below, chunk).Scan(&from); err != nil {
		return false, sqlError(q, err)
	}
	if from == 0 {
		if err := dropSearchBuild(ctx, tx); err != nil {
			return false, err
		}
		// The steps' segments, merged as they came, lie on several
		// levels; the merger now merges them into one (see mergeSearch).
		if err := setMeta(ctx, tx, metaSearchWhole, "1"); err != nil {
			return false, err
		}
		if err := tx.Commit(); err != nil {
			return false, err
		}
		signal(rp.toMerge)
		return false, nil
	}
	// FTS5 writes the step's segment when the transaction commits, ~4 ms
	// of a 2000-message step that no interrupt would reach; a config
	// command writes it first (automerge stays 0: the merger merges).
	if err := exec(interrupt, tx, fillSearchChunk+`;`+setAutomerge("messages_fts", 0), from, below); err != nil {
		return false, err
	}
	if err := setMeta(ctx, tx, metaSearchBelow, strconv.FormatInt(from, 10)); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	signal(rp.toMerge) // a segment more to merge, pages in the log
	signal(rp.wrote)
	return true, nil
}

// buildSearch runs the builder's steps until the index is whole, stop is
// closed or a step fails. It gives way to the operator's writes (and the
// sync client's): a step starts only while none waits, and a write that
// comes during a step interrupts it (write calls interruptBuild).
func (rp *Replica) buildSearch(stop <-chan struct{}) error {
	ctx := context.Background()
	chunk := searchChunk
	for {
		interrupt, end := rp.interruptible(&rp.buildCancel)
		// Registered before the check: a write that comes after it
		// cancels this step.
		for rp.writing.Load() > 0 {
			select {
			case <-stop:
				end()
				return nil
			case <-time.After(time.Millisecond):
			}
		}
		select {
		case <-stop:
			end()
			return nil
		default:
		}
		more, err := rp.buildSearchStep(ctx, interrupt, chunk)
		interrupted := err != nil && interrupt.Err() != nil
		end()
		switch {
		case interrupted:
			chunk = max(min(searchChunkMin, searchChunk), chunk/2)
		case err != nil || !more:
			return err
		default:
			chunk = min(searchChunk, chunk*2)
			// Each step is a segment: merge them before the next, or the
			// merger, which gives way to every write, falls behind, and
			// SQLite's crisis merge (16 segments on a level) merges the
			// steps' large segments inside an operator's send.
			rp.mergeSearch(stop)
		}
	}
}

// interruptible returns the context a background step's one statement
// runs under, kept in *slot (a field under buildMu) so that a write
// interrupts it (interruptBuild), and the func that ends the step.
func (rp *Replica) interruptible(slot *context.CancelFunc) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	rp.buildMu.Lock()
	*slot = cancel
	rp.buildMu.Unlock()
	return ctx, func() {
		rp.buildMu.Lock()
		*slot = nil
		rp.buildMu.Unlock()
		cancel()
	}
}

// interruptBuild stops the builder's or the merger's step under way, if
// any: a write is about to wait for the writer.
func (rp *Replica) interruptBuild() {
	rp.buildMu.Lock()
	if rp.buildCancel != nil {
		rp.buildCancel()
	}
	if rp.mergeCancel != nil {
		rp.mergeCancel()
	}
	rp.buildMu.Unlock()
}

// searchBuilder fills the search index in the background when a pull from
// 0 left it to be filled (FinishPull signals it), and at Open when a build
// was cut short by a quit.
// A step that fails (the writer busy past its timeout) is tried again
// after a pause, longer each time up to a minute.
func (rp *Replica) searchBuilder() {
	defer close(rp.buildDone)
	for {
		select {
		case <-rp.stopCkpt:
			return
		case <-rp.toBuild:
		}
		for pause := time.Second; ; pause = min(2*pause, time.Minute) {
			err := rp.buildSearch(rp.stopCkpt)
			if err == nil {
				break
			}
			log.Printf("replica: search index: %v; trying again in %v", err, pause)
			select {
			case <-rp.stopCkpt:
				return
			case <-time.After(pause):
			}
		}
	}
}

// SearchIndexing reports how far the search index's background fill is:
// done of total messages (by rowid, so deleted ones count as done), and
// building true while it is under way. Search meanwhile finds only the
// messages indexed so far: every message from the newest down to the
// ones done, and every message written since the pull.
func (rp *Replica) SearchIndexing(ctx context.Context) (done, total int64, building bool, err error) {
	const q = `SELECT key, value FROM meta WHERE key IN (?, ?)`
	rows, err := rp.r.QueryContext(ctx, q, metaSearchBelow, metaSearchTop)
	if err != nil {
		return 0, 0, false, sqlError(q, err)
	}
	defer rows.Close()
	var below, top int64
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return 0, 0, false, sqlError(q, err)
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		if k == metaSearchBelow {
			below = n
		} else {
			top = n
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, false, sqlError(q, err)
	}
	if below == 0 {
		return 0, 0, false, nil
	}
	total = max(top, below-1)
	return total - (below - 1), total, true, nil
}
