package replica

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// A pull from 0 fills the dialogs table without its secondary indexes and
// builds them once at its end (a classic bulk load): each dialog written
// otherwise paid for 15 index entries (26 more with the dialog table's),
// scattered over pages that a bootstrap of 100k dialogs and 1M messages
// keeps pushing out of the page cache, where one CREATE INDEX sorts the
// rows once. The tab counters' triggers stay, so counts are right
// throughout; a list read while the pull runs scans the rows it has so
// far instead of walking an index. (The messages' search index is left
// alone during the pull too, and filled after it in the background:
// searchbuild.go.)
//
// The indexes' own CREATE statements are kept in meta (deferIndexPrefix
// and the index's name) in the transaction that drops them, and the
// indexes are made again from them, and the rows deleted, in one
// transaction too — FinishPull's, at the pull's end — so the file always
// holds either an index or the statement that makes it. Open makes any it
// finds again before it migrates (a pull cut short by a crash or a quit
// then goes on with its indexes kept row by row), so migrations always see
// the whole schema; Wipe, which empties meta, makes them again over the
// emptied tables.
const deferIndexPrefix = "deferred_index:"

// keptDuringPull are the dialog indexes the inbox's tabs walk for their
// first page (Unassigned, Mine and Snoozed, Closed, All and Blacklist):
// the inbox stays on screen during a pull and reads its tab again after
// every page, which without them would read and sort every dialog pulled
// so far (~50-90 ms of CPU at 100k dialogs) each time.
const keptDuringPull = `["dialogs_unassigned", "dialogs_assignee", "dialogs_closed_by", "dialogs_recent"]`

// deferIndexes drops the dialogs table's secondary indexes and keeps their
// statements in meta, in tx.
func deferIndexes(ctx context.Context, tx *sql.Tx) error {
	const q = `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'dialogs' AND sql IS NOT NULL
		AND name NOT IN (SELECT value FROM json_each(?)) ORDER BY name`
	rows, err := tx.QueryContext(ctx, q, keptDuringPull)
	if err != nil {
		return sqlError(q, err)
	}
	var names, stmts []string
	for rows.Next() {
		var name, stmt string
		if err := rows.Scan(&name, &stmt); err != nil {
			rows.Close()
			return sqlError(q, err)
		}
		names, stmts = append(names, name), append(stmts, stmt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sqlError(q, err)
	}
	for i, name := range names {
		if err := setMeta(ctx, tx, deferIndexPrefix+name, stmts[i]); err != nil {
			return err
		}
		// The name is SQLite's own, from sqlite_schema; quoted all the same.
		if err := exec(ctx, tx, `DROP INDEX "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			return err
		}
	}
	return nil
}

// restoreIndexes makes the deferred indexes again and forgets their
// statements, in tx; it reports whether there were any.
func restoreIndexes(ctx context.Context, tx *sql.Tx) (bool, error) {
	stmts, err := deferredIndexes(ctx, tx)
	if err != nil || len(stmts) == 0 {
		return false, err
	}
	return true, makeIndexes(ctx, tx, stmts)
}

// deferredIndexes reads the statements of the deferred indexes.
func deferredIndexes(ctx context.Context, tx *sql.Tx) ([]string, error) {
	const q = `SELECT value FROM meta WHERE key >= ? AND key < ? ORDER BY key`
	rows, err := tx.QueryContext(ctx, q, deferIndexPrefix, deferIndexPrefix+"\U0010FFFF")
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var stmts []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, sqlError(q, err)
		}
		stmts = append(stmts, s)
	}
	return stmts, rows.Err()
}

// makeIndexes runs the deferred indexes' statements and drops them from
// meta. An index made meanwhile under the same name is kept: the dialog
// table's (EnsureTableIndexes) may be made during the pull when that
// process had not made them before.
func makeIndexes(ctx context.Context, tx *sql.Tx, stmts []string) error {
	for _, s := range stmts {
		// sqlite_schema keeps "CREATE [UNIQUE] INDEX name ...", without IF
		// NOT EXISTS.
		s = strings.Replace(s, " INDEX ", " INDEX IF NOT EXISTS ", 1)
		if err := exec(ctx, tx, s); err != nil {
			return fmt.Errorf("make a deferred index again: %w", err)
		}
	}
	return exec(ctx, tx, `DELETE FROM meta WHERE key >= ? AND key < ?`, deferIndexPrefix, deferIndexPrefix+"\U0010FFFF")
}

// restoreIndexesAtOpen makes again the indexes a pull cut short left
// deferred, before db is migrated; a file with no schema yet has none.
func restoreIndexesAtOpen(ctx context.Context, db *sql.DB) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version == 0 {
		return nil
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("deferred indexes: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := restoreIndexes(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}
