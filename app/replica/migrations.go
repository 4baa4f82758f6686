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
	// 3: the notification centre: mentions and alerts of the signed-in
	// operator, read or not. The replica's own, like the outbox: a resync
	// keeps them, signing out wipes them.
	`
CREATE TABLE notices (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	dialog_id   TEXT NOT NULL DEFAULT '',
	message_id  TEXT NOT NULL DEFAULT '',
	actor_id    TEXT NOT NULL DEFAULT '',
	title       TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL DEFAULT '',
	count       INTEGER NOT NULL DEFAULT 1,
	at          INTEGER NOT NULL,
	read        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notices_at ON notices (at);
CREATE INDEX notices_unread ON notices (read, at);
`,
	// 4: both search indexes keep only which rows hold a word (detail=none):
	// search matches whole-word prefixes and never phrases, and the index
	// is half the work to fill during a bootstrap.
	`
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5 (
	text,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4 5',
	detail = none
);
INSERT INTO messages_fts (rowid, text)
	SELECT rowid, sb_fold(json_extract(data, '$.text')) FROM messages
	WHERE coalesce(json_extract(data, '$.text'), '') <> '' AND json_extract(data, '$.deletedAt') IS NULL;
DROP TABLE clients_fts;
CREATE VIRTUAL TABLE clients_fts USING fts5 (
	name,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4 5',
	detail = none
);
INSERT INTO clients_fts (rowid, name) SELECT rowid, name_folded FROM clients;
-- Each list's order is an index walked in order, ties broken by id in the
-- same direction, so a first page reads one page of rows.
DROP INDEX dialogs_unassigned;
CREATE INDEX dialogs_unassigned ON dialogs (status, blacklisted, queued_at, id);
DROP INDEX dialogs_assignee;
CREATE INDEX dialogs_assignee ON dialogs (assignee_id, status, last_message_at, id);
DROP INDEX dialogs_closed_by;
CREATE INDEX dialogs_closed_by ON dialogs (closed_by_id, status, closed_at, id);
DROP INDEX dialogs_recent;
CREATE INDEX dialogs_recent ON dialogs (blacklisted, last_message_at, id);
CREATE INDEX dialogs_line_recent ON dialogs (line_id, blacklisted, last_message_at, id);
CREATE INDEX dialogs_activity ON dialogs (last_message_at, id);
CREATE INDEX dialogs_client ON dialogs (client_id, last_message_at);
-- How many dialogs have each status, blacklisting, assignee and closer,
-- kept by triggers: every tab's counter without counting 100k rows. (No
-- OR IGNORE in the triggers: the firing statement's conflict policy would
-- override it.)
CREATE TABLE dialog_counts (
	status       TEXT NOT NULL,
	blacklisted  INTEGER NOT NULL,
	assignee_id  TEXT NOT NULL,
	closed_by_id TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (status, blacklisted, assignee_id, closed_by_id)
) WITHOUT ROWID;
INSERT INTO dialog_counts (status, blacklisted, assignee_id, closed_by_id, n)
	SELECT status, blacklisted, assignee_id, closed_by_id, count(*) FROM dialogs GROUP BY 1, 2, 3, 4;
CREATE TRIGGER dialogs_count_insert AFTER INSERT ON dialogs BEGIN
	INSERT INTO dialog_counts (status, blacklisted, assignee_id, closed_by_id, n)
		SELECT new.status, new.blacklisted, new.assignee_id, new.closed_by_id, 0
		WHERE NOT EXISTS (SELECT 1 FROM dialog_counts WHERE status = new.status AND blacklisted = new.blacklisted
			AND assignee_id = new.assignee_id AND closed_by_id = new.closed_by_id);
	UPDATE dialog_counts SET n = n + 1 WHERE status = new.status AND blacklisted = new.blacklisted
		AND assignee_id = new.assignee_id AND closed_by_id = new.closed_by_id;
END;
CREATE TRIGGER dialogs_count_delete AFTER DELETE ON dialogs BEGIN
	UPDATE dialog_counts SET n = n - 1 WHERE status = old.status AND blacklisted = old.blacklisted
		AND assignee_id = old.assignee_id AND closed_by_id = old.closed_by_id;
END;
CREATE TRIGGER dialogs_count_update AFTER UPDATE OF status, blacklisted, assignee_id, closed_by_id ON dialogs
	WHEN old.status IS NOT new.status OR old.blacklisted IS NOT new.blacklisted
		OR old.assignee_id IS NOT new.assignee_id OR old.closed_by_id IS NOT new.closed_by_id BEGIN
	UPDATE dialog_counts SET n = n - 1 WHERE status = old.status AND blacklisted = old.blacklisted
		AND assignee_id = old.assignee_id AND closed_by_id = old.closed_by_id;
	INSERT INTO dialog_counts (status, blacklisted, assignee_id, closed_by_id, n)
		SELECT new.status, new.blacklisted, new.assignee_id, new.closed_by_id, 0
		WHERE NOT EXISTS (SELECT 1 FROM dialog_counts WHERE status = new.status AND blacklisted = new.blacklisted
			AND assignee_id = new.assignee_id AND closed_by_id = new.closed_by_id);
	UPDATE dialog_counts SET n = n + 1 WHERE status = new.status AND blacklisted = new.blacklisted
		AND assignee_id = new.assignee_id AND closed_by_id = new.closed_by_id;
END;
`,
	// 5: the supervisor's dialog table sorts and filters on more of a
	// dialog than the operator's lists: virtual columns computed from the
	// stored JSON (so applying changes is untouched), times as unix
	// milliseconds like the columns above, indexed where a sort over every
	// dialog would otherwise read them all.
	`
ALTER TABLE dialogs ADD COLUMN number INTEGER GENERATED ALWAYS AS (coalesce(json_extract(data, '$.number'), 0)) VIRTUAL;
ALTER TABLE dialogs ADD COLUMN channel_id TEXT GENERATED ALWAYS AS (coalesce(json_extract(data, '$.channelId'), '')) VIRTUAL;
ALTER TABLE dialogs ADD COLUMN outgoing INTEGER GENERATED ALWAYS AS (coalesce(json_extract(data, '$.outgoing'), 0)) VIRTUAL;
ALTER TABLE dialogs ADD COLUMN created_ms INTEGER GENERATED ALWAYS AS (` + msOf("createdAt") + `) VIRTUAL;
ALTER TABLE dialogs ADD COLUMN first_answer_ms INTEGER GENERATED ALWAYS AS (` + msOf("firstAnswerAt") + `) VIRTUAL;
ALTER TABLE dialogs ADD COLUMN started_ms INTEGER GENERATED ALWAYS AS (` + msOf("startedAt") + `) VIRTUAL;
ALTER TABLE dialogs ADD COLUMN modified_ms INTEGER GENERATED ALWAYS AS (` + msOf("modifiedAt") + `) VIRTUAL;
CREATE INDEX dialogs_number ON dialogs (number);
CREATE INDEX dialogs_created ON dialogs (created_ms);
CREATE INDEX dialogs_modified ON dialogs (modified_ms);
CREATE INDEX dialogs_last_message ON dialogs (last_message_at);
`,
	// 6 (search by contacts): the client index holds the contacts too
	// (handles, and phone numbers by their digits; see contactTerms), so
	// the search finds a client by @handle, e-mail or phone as by name.
	`
DROP TABLE clients_fts;
CREATE VIRTUAL TABLE clients_fts USING fts5 (
	name,
	contacts,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4 5',
	detail = none
);
INSERT INTO clients_fts (rowid, name, contacts) SELECT rowid, name_folded, sb_contact_terms(data) FROM clients;
`,
	// 7 (the client card): tasks in a table of their own, indexed for the
	// card (a client's tasks) and the Important tab (an assignee's open
	// tasks by due time), moved out of the kept-whole entities; and a
	// client's messages on every channel in time order, for the card's
	// unified history.
	`
CREATE TABLE tasks (
	id          TEXT PRIMARY KEY,
	client_id   TEXT NOT NULL,
	assignee_id TEXT NOT NULL,
	done        INTEGER NOT NULL DEFAULT 0,
	due_at      INTEGER NOT NULL DEFAULT 0,
	data        TEXT NOT NULL
);
CREATE INDEX tasks_client ON tasks (client_id, done, due_at);
CREATE INDEX tasks_due ON tasks (assignee_id, done, due_at);
INSERT INTO tasks (id, client_id, assignee_id, done, due_at, data)
	SELECT id, coalesce(json_extract(data, '$.clientId'), ''), coalesce(json_extract(data, '$.assigneeId'), ''),
		coalesce(json_extract(data, '$.done'), 0), ` + msOf("dueAt") + `, data
	FROM entities WHERE kind = 'task';
DELETE FROM entities WHERE kind = 'task';
ALTER TABLE messages ADD COLUMN client_id TEXT GENERATED ALWAYS AS (coalesce(json_extract(data, '$.clientId'), '')) VIRTUAL;
CREATE INDEX messages_client ON messages (client_id, created_at);
`,
	// 8 (composer): the operator's unsent drafts, one per dialog. The
	// replica's own, like the outbox: a resync keeps them, signing out
	// wipes them.
	`
CREATE TABLE drafts (
	dialog_id   TEXT PRIMARY KEY,
	kind        TEXT NOT NULL DEFAULT '',
	text        TEXT NOT NULL DEFAULT '',
	reply_to_id TEXT NOT NULL DEFAULT '',
	updated_at  INTEGER NOT NULL
);
`,
	// 9 (tags and filters): which dialogs and messages carry which tag, so
	// the inbox's tag filter is an index lookup, and each operator's saved
	// filters. A dialog's tags follow its JSON through triggers (the
	// dialogs table has triggers already); a message's are written by
	// putMessageNew and deleteMessage, so the messages table keeps no
	// trigger and a resync still empties it in one step. The instr()
	// guard is exact: the key "tags": appears in a row's JSON only as its
	// tags (quotes inside text are escaped), so an untagged row costs no
	// JSON parse.
	`
CREATE TABLE dialog_tags (
	tag_id    TEXT NOT NULL,
	dialog_id TEXT NOT NULL,
	PRIMARY KEY (tag_id, dialog_id)
) WITHOUT ROWID;
CREATE INDEX dialog_tags_dialog ON dialog_tags (dialog_id);
INSERT INTO dialog_tags (tag_id, dialog_id)
	SELECT DISTINCT t.value, d.id FROM dialogs d, json_each(d.data, '$.tags') t
	WHERE instr(d.data, '"tags":') > 0 AND t.type = 'text';
CREATE TRIGGER dialogs_tags_insert AFTER INSERT ON dialogs WHEN instr(new.data, '"tags":') > 0 BEGIN
	DELETE FROM dialog_tags WHERE dialog_id = new.id;
	INSERT INTO dialog_tags (tag_id, dialog_id)
		SELECT DISTINCT value, new.id FROM json_each(new.data, '$.tags') WHERE type = 'text';
END;
CREATE TRIGGER dialogs_tags_update AFTER UPDATE OF data ON dialogs
	WHEN (instr(old.data, '"tags":') > 0 OR instr(new.data, '"tags":') > 0)
		AND json_extract(old.data, '$.tags') IS NOT json_extract(new.data, '$.tags') BEGIN
	DELETE FROM dialog_tags WHERE dialog_id = new.id;
	INSERT INTO dialog_tags (tag_id, dialog_id)
		SELECT DISTINCT value, new.id FROM json_each(new.data, '$.tags') WHERE type = 'text';
END;
CREATE TRIGGER dialogs_tags_delete AFTER DELETE ON dialogs WHEN instr(old.data, '"tags":') > 0 BEGIN
	DELETE FROM dialog_tags WHERE dialog_id = old.id;
END;
CREATE TABLE message_tags (
	tag_id     TEXT NOT NULL,
	dialog_id  TEXT NOT NULL,
	message_id TEXT NOT NULL,
	PRIMARY KEY (tag_id, dialog_id, message_id)
) WITHOUT ROWID;
CREATE INDEX message_tags_message ON message_tags (message_id);
INSERT INTO message_tags (tag_id, dialog_id, message_id)
	SELECT DISTINCT t.value, m.dialog_id, m.id FROM messages m, json_each(m.data, '$.tags') t
	WHERE instr(m.data, '"tags":') > 0 AND t.type = 'text';
-- The All tab narrowed to a channel or an operator, in the tab's order
-- (its counter and first page are ranges of these, not a read of every
-- dialog; the other tabs are short or have their own index in front).
CREATE INDEX dialogs_channel_recent ON dialogs (channel_id, blacklisted, last_message_at, id);
CREATE INDEX dialogs_assignee_recent ON dialogs (assignee_id, blacklisted, last_message_at, id);
-- The operator's own, like the outbox, but kept when signing out: each
-- operator who signs in on this desktop finds its filters again.
CREATE TABLE saved_filters (
	id          TEXT PRIMARY KEY,
	operator_id TEXT NOT NULL,
	name        TEXT NOT NULL,
	filter      TEXT NOT NULL,
	created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX saved_filters_name ON saved_filters (operator_id, name);
`,
	// 10 (bootstrap speed): both search indexes are contentless — they
	// keep which rows hold a word, not a second copy of every text (search
	// never reads it back); contentless_delete lets a row's entry go by
	// its rowid as before. The messages' index holds searchText (the
	// tokenizer folds the case), filled in SQL.
	`
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5 (
	text,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4 5',
	detail = none,
	content = '',
	contentless_delete = 1
);
` + fillMessageSearch + `
DROP TABLE clients_fts;
CREATE VIRTUAL TABLE clients_fts USING fts5 (
	name,
	contacts,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '3 4 5',
	detail = none,
	content = '',
	contentless_delete = 1
);
INSERT INTO clients_fts (rowid, name, contacts) SELECT rowid, name_folded, sb_contact_terms(data) FROM clients;
`,
	// 11 (the send's outliers): a commit that writes a search index no
	// longer merges the index's segments itself — one commit in 64 did
	// 64 pages of merging per level, ~20 ms of CPU inside an operator's
	// send. The replica's merger does that work in small steps after
	// writes (see mergeSearch); BuildSearch's one pass (since replaced by
	// the background builder, searchbuild.go) kept merging as it went.
	`
INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0);
INSERT INTO clients_fts (clients_fts, rank) VALUES ('automerge', 0);
`,
	// 12 (bootstrap speed): the dialog columns of step 5 and the messages'
	// client_id of step 7 become real columns, written by Apply from the
	// decoded value it has anyway, instead of VIRTUAL ones computed from the
	// JSON by json_extract (and, for the times, a date parse) for every
	// index over them each time a row is written. Same names, same values
	// (msOf's, see dialogTimeMs), so every query and plan stays as it was.
	// A column can only be dropped once nothing indexes it: the indexes
	// over these columns go first and are made again after the fill; the
	// dialog table's (tableIndexes) are made again when the table is next
	// needed.
	`
DROP INDEX IF EXISTS dialogs_number;
DROP INDEX IF EXISTS dialogs_created;
DROP INDEX IF EXISTS dialogs_modified;
DROP INDEX IF EXISTS dialogs_channel_recent;
DROP INDEX IF EXISTS dialogs_t_number;
DROP INDEX IF EXISTS dialogs_t_type;
DROP INDEX IF EXISTS dialogs_t_status;
DROP INDEX IF EXISTS dialogs_t_detailed;
DROP INDEX IF EXISTS dialogs_t_unread;
DROP INDEX IF EXISTS dialogs_t_client_rating;
DROP INDEX IF EXISTS dialogs_t_supervisor_rating;
DROP INDEX IF EXISTS dialogs_t_operator_rating;
DROP INDEX IF EXISTS dialogs_t_created;
DROP INDEX IF EXISTS dialogs_t_queued;
DROP INDEX IF EXISTS dialogs_t_first_answer;
DROP INDEX IF EXISTS dialogs_t_started;
DROP INDEX IF EXISTS dialogs_t_last_message;
DROP INDEX IF EXISTS dialogs_t_closed;
DROP INDEX IF EXISTS dialogs_t_modified;
DROP INDEX IF EXISTS dialogs_t_first_response;
DROP INDEX IF EXISTS dialogs_t_time_to_start;
DROP INDEX IF EXISTS dialogs_t_handling;
DROP INDEX IF EXISTS dialogs_t_duration;
DROP INDEX IF EXISTS dialogs_t_response_total;
DROP INDEX IF EXISTS dialogs_t_response_avg;
DROP INDEX IF EXISTS dialogs_t_response_max;
DROP INDEX IF EXISTS dialogs_t_line;
DROP INDEX IF EXISTS dialogs_t_channel;
DROP INDEX IF EXISTS dialogs_t_assignee;
ALTER TABLE dialogs DROP COLUMN number;
ALTER TABLE dialogs DROP COLUMN channel_id;
ALTER TABLE dialogs DROP COLUMN outgoing;
ALTER TABLE dialogs DROP COLUMN created_ms;
ALTER TABLE dialogs DROP COLUMN first_answer_ms;
ALTER TABLE dialogs DROP COLUMN started_ms;
ALTER TABLE dialogs DROP COLUMN modified_ms;
ALTER TABLE dialogs ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dialogs ADD COLUMN channel_id TEXT NOT NULL DEFAULT '';
ALTER TABLE dialogs ADD COLUMN outgoing INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dialogs ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dialogs ADD COLUMN first_answer_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dialogs ADD COLUMN started_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dialogs ADD COLUMN modified_ms INTEGER NOT NULL DEFAULT 0;
UPDATE dialogs SET number = coalesce(json_extract(data, '$.number'), 0),
	channel_id = coalesce(json_extract(data, '$.channelId'), ''),
	outgoing = coalesce(json_extract(data, '$.outgoing'), 0),
	created_ms = ` + msOf("createdAt") + `,
	first_answer_ms = ` + msOf("firstAnswerAt") + `,
	started_ms = ` + msOf("startedAt") + `,
	modified_ms = ` + msOf("modifiedAt") + `;
CREATE INDEX dialogs_number ON dialogs (number);
CREATE INDEX dialogs_created ON dialogs (created_ms);
CREATE INDEX dialogs_modified ON dialogs (modified_ms);
CREATE INDEX dialogs_channel_recent ON dialogs (channel_id, blacklisted, last_message_at, id);
DROP INDEX IF EXISTS messages_client;
ALTER TABLE messages DROP COLUMN client_id;
ALTER TABLE messages ADD COLUMN client_id TEXT NOT NULL DEFAULT '';
UPDATE messages SET client_id = coalesce(json_extract(data, '$.clientId'), '');
CREATE INDEX messages_client ON messages (client_id, created_at);
`,
	// 13 (a tab narrowed to a line, the lines' counters): the counts of
	// migration 4 kept per line as well, and by whether the dialog has
	// unread client messages, so a line's total and the inbox's per-line
	// counters are a few rows rather than a walk of the line's dialogs
	// (10k dialogs: ~0.5 ms) or of the queue and mine (100k: ~100 ms).
	`
CREATE TABLE dialog_line_counts (
	line_id      TEXT NOT NULL,
	status       TEXT NOT NULL,
	blacklisted  INTEGER NOT NULL,
	assignee_id  TEXT NOT NULL,
	closed_by_id TEXT NOT NULL,
	unread       INTEGER NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (line_id, status, blacklisted, assignee_id, closed_by_id, unread)
) WITHOUT ROWID;
INSERT INTO dialog_line_counts (line_id, status, blacklisted, assignee_id, closed_by_id, unread, n)
	SELECT line_id, status, blacklisted, assignee_id, closed_by_id, ` + unreadOf("data") + `, count(*) FROM dialogs GROUP BY 1, 2, 3, 4, 5, 6;
CREATE TRIGGER dialogs_line_count_insert AFTER INSERT ON dialogs BEGIN
	INSERT INTO dialog_line_counts (line_id, status, blacklisted, assignee_id, closed_by_id, unread, n)
		SELECT new.line_id, new.status, new.blacklisted, new.assignee_id, new.closed_by_id, ` + unreadOf("new.data") + `, 0
		WHERE NOT EXISTS (SELECT 1 FROM dialog_line_counts WHERE ` + lineCountIs("new") + `);
	UPDATE dialog_line_counts SET n = n + 1 WHERE ` + lineCountIs("new") + `;
END;
CREATE TRIGGER dialogs_line_count_delete AFTER DELETE ON dialogs BEGIN
	UPDATE dialog_line_counts SET n = n - 1 WHERE ` + lineCountIs("old") + `;
END;
CREATE TRIGGER dialogs_line_count_update AFTER UPDATE OF line_id, status, blacklisted, assignee_id, closed_by_id, data ON dialogs
	WHEN old.line_id IS NOT new.line_id OR old.status IS NOT new.status OR old.blacklisted IS NOT new.blacklisted
		OR old.assignee_id IS NOT new.assignee_id OR old.closed_by_id IS NOT new.closed_by_id
		OR ` + unreadOf("old.data") + ` IS NOT ` + unreadOf("new.data") + ` BEGIN
	UPDATE dialog_line_counts SET n = n - 1 WHERE ` + lineCountIs("old") + `;
	INSERT INTO dialog_line_counts (line_id, status, blacklisted, assignee_id, closed_by_id, unread, n)
		SELECT new.line_id, new.status, new.blacklisted, new.assignee_id, new.closed_by_id, ` + unreadOf("new.data") + `, 0
		WHERE NOT EXISTS (SELECT 1 FROM dialog_line_counts WHERE ` + lineCountIs("new") + `);
	UPDATE dialog_line_counts SET n = n + 1 WHERE ` + lineCountIs("new") + `;
END;
`,
}

// unreadOf is the SQL for whether a dialog's JSON (the column data) has
// unread client messages: 1 or 0.
func unreadOf(data string) string {
	return `(coalesce(json_extract(` + data + `, '$.unread'), 0) > 0)`
}

// lineCountIs is the SQL matching the dialog_line_counts row of row (new
// or old, in a trigger).
func lineCountIs(row string) string {
	return `line_id = ` + row + `.line_id AND status = ` + row + `.status AND blacklisted = ` + row + `.blacklisted
		AND assignee_id = ` + row + `.assignee_id AND closed_by_id = ` + row + `.closed_by_id AND unread = ` + unreadOf(row+".data")
}

// msOf is the SQL for a dialog's JSON time field as unix milliseconds, 0
// when unset.
func msOf(field string) string {
	return `coalesce(CAST(round(unixepoch(json_extract(data, '$.` + field + `'), 'subsec') * 1000) AS INTEGER), 0)`
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
