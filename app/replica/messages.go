package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"

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
	match := matchQuery(query)
	if match == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	const q = `SELECT m.data, coalesce(c.name, '')
		FROM messages_fts f
		JOIN messages m ON m.rowid = f.rowid
		LEFT JOIN dialogs d ON d.id = m.dialog_id
		LEFT JOIN clients c ON c.id = d.client_id
		WHERE messages_fts MATCH ?
		ORDER BY m.created_at DESC, m.rowid DESC
		LIMIT ?`
	rows, err := rp.r.QueryContext(ctx, q, match, limit)
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

// ClientHit is a client whose name the search found, with its newest
// dialog (the one to open).
type ClientHit struct {
	ClientID string
	Name     string
	DialogID string
}

// SearchClients finds clients whose name has every word of query as a word
// prefix, folded like message search; those with a dialog in the replica
// only, most recently active first.
func (rp *Replica) SearchClients(ctx context.Context, query string, limit int) ([]ClientHit, error) {
	match := matchQuery(query)
	if match == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 20
	}
	const q = `SELECT c.id, c.name,
			(SELECT d.id FROM dialogs d WHERE d.client_id = c.id ORDER BY d.last_message_at DESC LIMIT 1) AS dialog
		FROM clients_fts f JOIN clients c ON c.rowid = f.rowid
		WHERE clients_fts MATCH ? AND dialog IS NOT NULL
		ORDER BY (SELECT max(d.last_message_at) FROM dialogs d WHERE d.client_id = c.id) DESC, c.id
		LIMIT ?`
	rows, err := rp.r.QueryContext(ctx, q, match, limit)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	var hits []ClientHit
	for rows.Next() {
		var h ClientHit
		if err := rows.Scan(&h.ClientID, &h.Name, &h.DialogID); err != nil {
			return nil, sqlError(q, err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	return hits, nil
}
