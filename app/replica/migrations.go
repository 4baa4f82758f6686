package replica

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each once, each in its own transaction;
// the schema version is SQLite's user_version. Never edit a released step:
// append a new one.
var migrations = []string{
	// 1: the synced entities, the search index and the outbox.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
-- Small org entities (operators, lines, channels, roles, groups, tags,
-- templates, the workspace): kept whole as JSON, read into an inbox.Org.
CREATE TABLE entities (
	kind TEXT NOT NULL,
	id   TEXT NOT NULL,
	data TEXT NOT NULL,
	PRIMARY KEY (kind, id)
);
CREATE TABLE clients (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	-- name_folded is fold(name), for the list's filter box.
	name_folded TEXT NOT NULL DEFAULT '',
	blacklisted INTEGER NOT NULL DEFAULT 0,
	data        TEXT NOT NULL
);
CREATE TABLE notes (
	id        TEXT PRIMARY KEY,
	client_id TEXT NOT NULL,
	data      TEXT NOT NULL
);
CREATE INDEX notes_client ON notes (client_id);
-- Times are unix milliseconds (0 = unset) so lists sort on integers.
CREATE TABLE dialogs (
	id              TEXT PRIMARY KEY,
	client_id       TEXT NOT NULL,
	line_id         TEXT NOT NULL,
	status          TEXT NOT NULL,
	assignee_id     TEXT NOT NULL DEFAULT '',
	closed_by_id    TEXT NOT NULL DEFAULT '',
	blacklisted     INTEGER NOT NULL DEFAULT 0,
	queued_at       INTEGER NOT NULL DEFAULT 0,
	last_message_at INTEGER NOT NULL DEFAULT 0,
	closed_at       INTEGER NOT NULL DEFAULT 0,
	-- seq is the change-log position of the server version in data; an
	-- optimistic edit keeps it, so a rollback knows whether the server has
	-- spoken since.
	seq             INTEGER NOT NULL DEFAULT 0,
	data            TEXT NOT NULL
);
CREATE INDEX dialogs_unassigned ON dialogs (status, blacklisted, queued_at);
CREATE INDEX dialogs_assignee ON dialogs (assignee_id, status, last_message_at);
CREATE INDEX dialogs_closed_by ON dialogs (closed_by_id, status, closed_at);
CREATE INDEX dialogs_line ON dialogs (line_id, status);
CREATE INDEX dialogs_recent ON dialogs (blacklisted, last_message_at);
-- rowid is the search index's key.
CREATE TABLE messages (
	rowid      INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	dialog_id  TEXT NOT NULL,
	kind       TEXT NOT NULL,
	author_id  TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	delivery   TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL
);
CREATE INDEX messages_dialog ON messages (dialog_id, created_at);
CREATE TABLE events (
	id        TEXT PRIMARY KEY,
	dialog_id TEXT NOT NULL,
	at        INTEGER NOT NULL,
	data      TEXT NOT NULL
);
CREATE INDEX events_dialog ON events (dialog_id, at);
-- The text is normalised in Go (see fold.go) before it is indexed.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
	text,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4 5'
);
CREATE TABLE outbox (
	pos        INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT NOT NULL UNIQUE,
	type       TEXT NOT NULL,
	payload    TEXT NOT NULL,
	dialog_id  TEXT NOT NULL DEFAULT '',
	state      TEXT NOT NULL DEFAULT 'pending',
	code       TEXT NOT NULL DEFAULT '',
	message    TEXT NOT NULL DEFAULT '',
	undo       TEXT NOT NULL DEFAULT '',
	issued_at  INTEGER NOT NULL
);
CREATE INDEX outbox_state ON outbox (state, pos);
`,
	// 2: client names in the search index, keyed by the clients rowid and
	// holding fold(name), which name_folded already is.
	`
CREATE VIRTUAL TABLE clients_fts USING fts5 (
	name,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4 5'
);
INSERT INTO clients_fts (rowid, name) SELECT rowid, name_folded FROM clients;
`,
}

// migrate brings the schema of db up to the newest version.
func migrate(ctx context.Context, db *sql.DB) error { return migrateWith(ctx, db, migrations) }

// migrateWith applies the steps of migrations that db has not had yet.
func migrateWith(ctx context.Context, db *sql.DB, migrations []string) error {
	var version int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("replica schema version %d is newer than this build knows (%d)", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %d: begin: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		// PRAGMA takes no bound parameters; i is ours, not input.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: set version: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: commit: %w", i+1, err)
		}
	}
	return nil
}
