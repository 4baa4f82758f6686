package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"switchboard/inbox"
)

// History is one page of a conversation, oldest first: messages and the
// dialog's log entries that fall between them.
type History struct {
	Messages []inbox.Message
	Events   []inbox.DialogEvent
	// More is true when older messages exist before this page.
	More bool
}

// History returns up to limit messages of the dialog created before
// beforeMillis (0: the newest), with the log entries of the same span.
func (rp *Replica) History(ctx context.Context, dialogID string, beforeMillis int64, limit int) (History, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if beforeMillis <= 0 {
		beforeMillis = math.MaxInt64
	}
	const mq = `SELECT data FROM messages WHERE dialog_id = ? AND created_at < ?
		ORDER BY created_at DESC, rowid DESC LIMIT ?`
	rows, err := rp.r.QueryContext(ctx, mq, dialogID, beforeMillis, limit+1)
	if err != nil {
		return History{}, sqlError(mq, err)
	}
	msgs, err := scanJSON[inbox.Message](rows, mq)
	if err != nil {
		return History{}, err
	}
	var h History
	if len(msgs) > limit {
		h.More = true
		msgs = msgs[:limit]
	}
	// Oldest first, as the conversation reads.
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	h.Messages = msgs
	from := int64(0)
	if h.More && len(msgs) > 0 {
		from = millis(msgs[0].CreatedAt)
	}
	const eq = `SELECT data FROM events WHERE dialog_id = ? AND at >= ? AND at < ? ORDER BY at, id`
	rows, err = rp.r.QueryContext(ctx, eq, dialogID, from, beforeMillis)
	if err != nil {
		return History{}, sqlError(eq, err)
	}
	if h.Events, err = scanJSON[inbox.DialogEvent](rows, eq); err != nil {
		return History{}, err
	}
	return h, nil
}

// scanJSON decodes the single JSON column of every row and closes rows.
func scanJSON[T any](rows *sql.Rows, query string) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, sqlError(query, err)
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, fmt.Errorf("decode row: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(query, err)
	}
	return out, nil
}

// Hit is one message the search found.
type Hit struct {
	Message    inbox.Message
	ClientName string
}

// Search finds messages containing every word of query as a word prefix,
// ignoring case, diacritics and the ё/е, й/и difference; newest first.
func (rp *Replica) Search(ctx context.Context, query string, limit int) ([]Hit, error) {
	match, long := messageQuery(query)
	if match == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	// Newest first by rowid (the order messages arrived in), which the
	// index yields in order: a common word's thousands of matches cost
	// only the page asked for, where sorting them by time read them all.
	const q = `SELECT m.data, coalesce(c.name, '')
		FROM (SELECT f.rowid FROM messages_fts f JOIN messages m2 ON m2.rowid = f.rowid
			WHERE messages_fts MATCH ? AND (? = '' OR sb_has_prefixes(json_extract(m2.data, '$.text'), ?))
			ORDER BY f.rowid DESC LIMIT ?) f
		JOIN messages m ON m.rowid = f.rowid
		LEFT JOIN dialogs d ON d.id = m.dialog_id
		LEFT JOIN clients c ON c.id = d.client_id
		ORDER BY f.rowid DESC`
	rows, err := rp.r.QueryContext(ctx, q, match, long, long, limit)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var data string
		var h Hit
		if err := rows.Scan(&data, &h.ClientName); err != nil {
			return nil, sqlError(q, err)
		}
		if err := json.Unmarshal([]byte(data), &h.Message); err != nil {
			return nil, fmt.Errorf("decode message: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	return hits, nil
}

// ClientHit is a client whose name or contacts the search found, with its
// newest dialog (the one to open).
type ClientHit struct {
	ClientID string
	Name     string
	DialogID string
	Contacts []inbox.Contact
}

// SearchClients finds clients whose name and contacts (handles, e-mails,
// phone numbers) hold every word of query as a word prefix, folded like
// message search; those with a dialog in the replica only, most recently
// active first.
func (rp *Replica) SearchClients(ctx context.Context, query string, limit int) ([]ClientHit, error) {
	match := matchQuery(query)
	if match == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	rows, err := rp.clientMatches(ctx, match, 4*limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var hits []ClientHit
	seen := map[string]bool{}
	for rows.Next() && len(hits) < limit {
		var h ClientHit
		var contacts string
		if err := rows.Scan(&h.ClientID, &h.Name, &h.DialogID, &contacts); err != nil {
			return nil, err
		}
		if seen[h.ClientID] {
			continue
		}
		seen[h.ClientID] = true
		if err := json.Unmarshal([]byte(contacts), &h.Contacts); err != nil {
			return nil, fmt.Errorf("decode contacts of client %s: %w", h.ClientID, err)
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// contactsColumn is the SQL for a client's contacts as JSON.
const contactsColumn = `coalesce(json_extract(c.data, '$.contacts'), '[]')`

// fewClients is how many matching clients are few enough to look up one
// by one.
const fewClients = 500

// clientMatches yields (client id, name, dialog id, contacts JSON) of the
// clients whose name or contacts match, newest dialog first, up to n rows. A rare name goes from
// its few clients to their dialogs; a common one walks the dialogs from
// the most recently active and keeps those of a matching client, so the
// first page costs a page of dialogs either way.
func (rp *Replica) clientMatches(ctx context.Context, match string, n int) (*sql.Rows, error) {
	const few = `SELECT rowid FROM clients_fts WHERE clients_fts MATCH ? LIMIT ?`
	idRows, err := rp.r.QueryContext(ctx, few, match, fewClients+1)
	if err != nil {
		return nil, sqlError(few, err)
	}
	var ids []any
	for idRows.Next() {
		var id int64
		if err := idRows.Scan(&id); err != nil {
			idRows.Close()
			return nil, sqlError(few, err)
		}
		ids = append(ids, id)
	}
	idRows.Close()
	if err := idRows.Err(); err != nil {
		return nil, sqlError(few, err)
	}
	if len(ids) <= fewClients {
		if len(ids) == 0 {
			ids = append(ids, -1)
		}
		q := `SELECT c.id, c.name, d.id, ` + contactsColumn + ` FROM clients c JOIN dialogs d ON d.client_id = c.id
			WHERE c.rowid IN (?` + strings.Repeat(", ?", len(ids)-1) + `)
			ORDER BY d.last_message_at DESC, d.id DESC LIMIT ?`
		rows, err := rp.r.QueryContext(ctx, q, append(ids, n)...)
		if err != nil {
			return nil, sqlError(q, err)
		}
		return rows, nil
	}
	const common = `SELECT c.id, c.name, d.id, ` + contactsColumn + `
		FROM dialogs d INDEXED BY dialogs_activity JOIN clients c ON c.id = d.client_id
		WHERE c.rowid IN (SELECT rowid FROM clients_fts WHERE clients_fts MATCH ?)
		ORDER BY d.last_message_at DESC, d.id DESC
		LIMIT ?`
	rows, err := rp.r.QueryContext(ctx, common, match, n)
	if err != nil {
		return nil, sqlError(common, err)
	}
	return rows, nil
}

// OutboundSince returns the dialog's messages to the customer created
// after since, oldest first.
func (rp *Replica) OutboundSince(ctx context.Context, dialogID string, since time.Time) ([]inbox.Message, error) {
	const q = `SELECT data FROM messages WHERE dialog_id = ? AND kind = 'outbound' AND created_at > ?
		ORDER BY created_at, rowid`
	rows, err := rp.r.QueryContext(ctx, q, dialogID, millis(since))
	if err != nil {
		return nil, sqlError(q, err)
	}
	return scanJSON[inbox.Message](rows, q)
}

// DialogMessages returns all the dialog's messages, oldest first (a saved
// transcript holds the whole conversation, not a page of it).
func (rp *Replica) DialogMessages(ctx context.Context, dialogID string) ([]inbox.Message, error) {
	const q = `SELECT data FROM messages WHERE dialog_id = ? ORDER BY created_at, rowid`
	rows, err := rp.r.QueryContext(ctx, q, dialogID)
	if err != nil {
		return nil, sqlError(q, err)
	}
	return scanJSON[inbox.Message](rows, q)
}

// MessagesByID returns the messages of ids the replica holds, by id (a
// reply's quote reads the message it answers).
func (rp *Replica) MessagesByID(ctx context.Context, ids []string) (map[string]inbox.Message, error) {
	out := make(map[string]inbox.Message, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT data FROM messages WHERE id IN (?` + strings.Repeat(", ?", len(ids)-1) + `)`
	rows, err := rp.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqlError(q, err)
	}
	ms, err := scanJSON[inbox.Message](rows, q)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, nil
}
