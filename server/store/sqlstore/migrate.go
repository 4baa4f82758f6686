package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each once, in its own transaction. Never
// edit a released one: append a new one. The same SQL runs on SQLite and
// PostgreSQL (TEXT, BIGINT and INTEGER mean the same to both).
var migrations = []string{
	// 1: the whole first schema.
	`CREATE TABLE meta (k TEXT PRIMARY KEY, v BIGINT NOT NULL);
	INSERT INTO meta (k, v) VALUES ('seq', 0), ('org_version', 0), ('dialog_number', 0);
	CREATE TABLE org (kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id));
	CREATE TABLE clients (id TEXT PRIMARY KEY, data TEXT NOT NULL);
	CREATE TABLE contacts (
		channel_id TEXT NOT NULL, external_id TEXT NOT NULL, client_id TEXT NOT NULL,
		PRIMARY KEY (channel_id, external_id));
	CREATE INDEX contacts_client ON contacts (client_id);
	CREATE TABLE dialogs (
		id TEXT PRIMARY KEY, client_id TEXT NOT NULL, channel_id TEXT NOT NULL, line_id TEXT NOT NULL,
		status TEXT NOT NULL, snoozed_until BIGINT NOT NULL, number BIGINT NOT NULL, created_at BIGINT NOT NULL,
		data TEXT NOT NULL);
	CREATE INDEX dialogs_client ON dialogs (client_id, channel_id, created_at);
	CREATE INDEX dialogs_status ON dialogs (status, snoozed_until);
	CREATE TABLE messages (
		id TEXT PRIMARY KEY, dialog_id TEXT NOT NULL, channel_id TEXT NOT NULL, external_id TEXT NOT NULL,
		created_at BIGINT NOT NULL, data TEXT NOT NULL);
	CREATE INDEX messages_dialog ON messages (dialog_id, created_at);
	CREATE UNIQUE INDEX messages_external ON messages (channel_id, external_id) WHERE external_id <> '';
	CREATE TABLE events (id TEXT PRIMARY KEY, dialog_id TEXT NOT NULL, data TEXT NOT NULL);
	CREATE INDEX events_dialog ON events (dialog_id);
	CREATE TABLE notes (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, data TEXT NOT NULL);
	CREATE TABLE tasks (id TEXT PRIMARY KEY, client_id TEXT NOT NULL, data TEXT NOT NULL);
	CREATE TABLE templates (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, data TEXT NOT NULL);
	CREATE TABLE credentials (operator_id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, hash TEXT NOT NULL);
	CREATE TABLE sessions (
		token_hash TEXT PRIMARY KEY, operator_id TEXT NOT NULL, expires_at BIGINT NOT NULL);
	CREATE TABLE commands (
		id TEXT PRIMARY KEY, actor_id TEXT NOT NULL, result TEXT NOT NULL, at BIGINT NOT NULL);
	CREATE TABLE changes (
		seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL,
		everyone INTEGER NOT NULL, user_id TEXT NOT NULL, line_id TEXT NOT NULL, members TEXT NOT NULL,
		dialog_id TEXT NOT NULL, data TEXT NOT NULL);
	CREATE UNIQUE INDEX changes_entity ON changes (kind, id, user_id);
	CREATE INDEX changes_dialog ON changes (dialog_id) WHERE dialog_id <> '';`,
}

// migrate brings the schema up to date in one transaction. lock, when set,
// is run first so two server instances starting together on one PostgreSQL
// do not both migrate (SQLite's writer begins IMMEDIATE, which locks).
func migrate(ctx context.Context, db *sql.DB, d dialect, lock string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin migration: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if lock != "" {
		if _, err := tx.ExecContext(ctx, lock); err != nil {
			return fmt.Errorf("lock for migration: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_version: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("database schema %d is newer than this server (%d): update the server", have, len(migrations))
	}
	for i := have; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO schema_version (version) VALUES (?)`), i+1); err != nil {
			return fmt.Errorf("migration %d: record version: %w", i+1, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit migrations: %w", err)
	}
	return nil
}
