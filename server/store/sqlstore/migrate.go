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
	// 2: hosting connectors — the outbound queue (written with the message),
	// channel settings (secrets: never in the change log) and channel leases.
	`CREATE TABLE dispatch (
		message_id TEXT PRIMARY KEY, channel_id TEXT NOT NULL, client_id TEXT NOT NULL, created_at BIGINT NOT NULL);
	CREATE INDEX dispatch_channel ON dispatch (channel_id, created_at);
	CREATE TABLE channel_settings (channel_id TEXT PRIMARY KEY, data TEXT NOT NULL);
	CREATE TABLE leases (channel_id TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL);`,
	// 3: reports aggregate dialogs in SQL, so the report timestamps and
	// who holds the dialog get columns (unix ms, 0 = not yet); existing rows
	// are filled from their JSON by backfillDialogReportColumns.
	`ALTER TABLE dialogs ADD COLUMN assignee_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE dialogs ADD COLUMN outgoing INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE dialogs ADD COLUMN started_at BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE dialogs ADD COLUMN first_answer_at BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE dialogs ADD COLUMN closed_at BIGINT NOT NULL DEFAULT 0;
	CREATE INDEX dialogs_created ON dialogs (created_at);`,
	// 4 (export and ratings): workspace settings that hold secrets, such as
	// the SMTP server the export by e-mail sends through; never in the log.
	`CREATE TABLE workspace_secrets (name TEXT PRIMARY KEY, data TEXT NOT NULL);`,
	// 5 (composer: replies, edits and deletes reach the channel): a queued
	// message names the message it replies to, and the queue also holds
	// edits and deletes, keyed by the change they carry (inbox.ChangeVersion)
	// so a newer change is never taken off the queue by an older one's send.
	`ALTER TABLE dispatch ADD COLUMN reply_to_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE dispatch ADD COLUMN change_version BIGINT NOT NULL DEFAULT 0;`,
	// 6 (attachments): files content-addressed by SHA-256, their bytes in
	// chunks under a key of their upload (an upload that never finished
	// leaves chunks no file names, purged later), who uploaded each (an
	// operator may attach only files they uploaded), and which messages
	// carry each (an operator may fetch a file of a message they see).
	// BYTEA is PostgreSQL's binary type; SQLite stores the bytes as a BLOB.
	`CREATE TABLE files (
		id TEXT PRIMARY KEY, size BIGINT NOT NULL, type TEXT NOT NULL, blob_key TEXT NOT NULL, created_at BIGINT NOT NULL);
	CREATE TABLE file_chunks (
		blob_key TEXT NOT NULL, n INTEGER NOT NULL, data BYTEA NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (blob_key, n));
	CREATE INDEX file_chunks_created ON file_chunks (created_at);
	CREATE TABLE file_uploads (
		file_id TEXT NOT NULL, operator_id TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (file_id, operator_id));
	CREATE TABLE message_files (
		file_id TEXT NOT NULL, message_id TEXT NOT NULL, dialog_id TEXT NOT NULL, PRIMARY KEY (file_id, message_id));`,
	// 7 (auto-assignment): who is online, per server instance until an
	// expiry the instance renews (a dead instance's operators stop counting
	// when it passes); each line's auto-assignment history (n orders every
	// auto-assignment of the workspace: the newest per line is the
	// round-robin cursor, the newest per operator the least-loaded
	// tie-break); and the waiting queue of a line by index.
	`CREATE TABLE presence (
		operator_id TEXT NOT NULL, instance_id TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (operator_id, instance_id));
	CREATE INDEX presence_instance ON presence (instance_id);
	CREATE TABLE auto_assigned (
		line_id TEXT NOT NULL, operator_id TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (line_id, operator_id));
	CREATE INDEX dialogs_line_status ON dialogs (line_id, status);`,
	// 8 (reports): each dialog's metrics as inbox.MetricsOn counts them on
	// its line's business hours (ms; -1 = none yet), its accumulated
	// response times, its customer rating and when it came, and its tags in
	// their own table, so the reports aggregate in SQL without reading JSON
	// or messages. Filled for existing dialogs by backfillDialogMetrics.
	// dialogs_report holds every column a report reads, so a report over a
	// period reads that index alone, never the rows with their JSON.
	`ALTER TABLE dialogs ADD COLUMN frt_ms BIGINT NOT NULL DEFAULT -1;
	ALTER TABLE dialogs ADD COLUMN resolution_ms BIGINT NOT NULL DEFAULT -1;
	ALTER TABLE dialogs ADD COLUMN resp_count INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE dialogs ADD COLUMN resp_total_ms BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE dialogs ADD COLUMN resp_max_ms BIGINT NOT NULL DEFAULT 0;
	ALTER TABLE dialogs ADD COLUMN client_rating INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE dialogs ADD COLUMN rated_at BIGINT NOT NULL DEFAULT 0;
	CREATE TABLE dialog_tags (
		dialog_id TEXT NOT NULL, tag_id TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (dialog_id, tag_id));
	CREATE INDEX dialog_tags_created ON dialog_tags (created_at);
	CREATE INDEX dialogs_report ON dialogs (created_at, line_id, channel_id, assignee_id, status, outgoing, started_at,
		first_answer_at, closed_at, frt_ms, resolution_ms, resp_count, resp_total_ms, resp_max_ms, client_rating, id);
	CREATE INDEX dialogs_rated ON dialogs (rated_at, client_rating, line_id, channel_id, assignee_id);`,
	// 9 (ingest speed): nothing on SQLite; on PostgreSQL dialogs' pages
	// keep room for updates (fillfactorDialogs).
	`-- PostgreSQL only, in Go`,
	// 10 (pull speed): nothing on PostgreSQL; on SQLite the change log is
	// keyed by its seq (seqKeysTheLog).
	`-- SQLite only, in Go`,
}

// afterMigration runs Go code after a migration's SQL, in its transaction,
// where SQL alone would differ between the two databases.
var afterMigration = map[int]func(ctx context.Context, tx *sql.Tx, d dialect) error{
	3:  backfillDialogReportColumns,
	8:  backfillDialogMetrics,
	9:  fillfactorDialogs,
	10: seqKeysTheLog,
}

// seqKeysTheLog rebuilds SQLite's change log with seq as its rowid
// (INTEGER PRIMARY KEY; BIGINT PRIMARY KEY is an index beside the rowid).
// A pull reads the log in seq order: through that index it looked up
// each row by rowid as well, two trees per row where one will do, and
// every logged change wrote both. PostgreSQL's table keeps its key.
func seqKeysTheLog(ctx context.Context, tx *sql.Tx, d dialect) error {
	if d.name == "postgres" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `CREATE TABLE changes_by_seq (
		seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, op TEXT NOT NULL,
		everyone INTEGER NOT NULL, user_id TEXT NOT NULL, line_id TEXT NOT NULL, members TEXT NOT NULL,
		dialog_id TEXT NOT NULL, data TEXT NOT NULL);
	INSERT INTO changes_by_seq (seq, kind, id, op, everyone, user_id, line_id, members, dialog_id, data)
		SELECT seq, kind, id, op, everyone, user_id, line_id, members, dialog_id, data FROM changes ORDER BY seq;
	DROP TABLE changes;
	ALTER TABLE changes_by_seq RENAME TO changes;
	CREATE UNIQUE INDEX changes_entity ON changes (kind, id, user_id);
	CREATE INDEX changes_dialog ON changes (dialog_id) WHERE dialog_id <> '';`)
	return err
}

// fillfactorDialogs leaves a third of each new page of dialogs free on
// PostgreSQL. A dialog is rewritten with every message; an update that
// changes no indexed column (writeDialog's JSON-only update) can then put
// the new version on the same page (a HOT update) instead of adding an
// entry to each of the table's nine indexes. Pages written before keep
// their fill until they are rewritten. SQLite updates rows in place.
func fillfactorDialogs(ctx context.Context, tx *sql.Tx, d dialect) error {
	if d.name != "postgres" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `ALTER TABLE dialogs SET (fillfactor = 70)`)
	return err
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
		if fn := afterMigration[i+1]; fn != nil {
			if err := fn(ctx, tx, d); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
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
