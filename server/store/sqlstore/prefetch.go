package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"switchboard/inbox"
	"switchboard/server/store"
)

// prefetched is what Prefetch loaded for a batch of inbound messages. A key
// present with a nil value is known to be absent. Buffered writes (pending)
// are newer and are always looked at first.
type prefetched struct {
	ext     map[string]*inbox.Message // channel \x00 external id
	contact map[string]*inbox.Client  // channel \x00 contact external id
	latest  map[string]*inbox.Dialog  // client \x00 channel
}

var _ store.Prefetcher = (*tx)(nil)

// Prefetch loads the messages, clients and latest dialogs a batch of
// inbound messages will ask for, so routing 200 messages costs a few
// queries instead of 600 (the difference is large on PostgreSQL, where
// each query is a round trip).
func (t *tx) Prefetch(refs []store.InboundRef) error {
	if len(refs) == 0 {
		return nil
	}
	if t.s.d.arrays {
		return t.pgx(func(c *pgx.Conn) error {
			b := &pgx.Batch{}
			read := t.queuePrefetch(b, refs)
			br := c.SendBatch(t.ctx, b)
			defer br.Close()
			if err := read(br); err != nil {
				return err
			}
			return br.Close()
		})
	}
	t.newPrefetched()
	chunk := flushChunk
	for from := 0; from < len(refs); from += chunk {
		if err := t.prefetch(refs[from:min(from+chunk, len(refs))]); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) newPrefetched() {
	if t.pre == nil {
		t.pre = &prefetched{ext: map[string]*inbox.Message{}, contact: map[string]*inbox.Client{}, latest: map[string]*inbox.Dialog{}}
	}
}

// queuePrefetch queues on b the three queries of a prefetch on PostgreSQL
// (they do not depend on each other's answers: the dialogs are looked up
// by the contacts in SQL) and returns what reads their answers, in order,
// from the batch's results.
func (t *tx) queuePrefetch(b *pgx.Batch, refs []store.InboundRef) func(pgx.BatchResults) error {
	t.newPrefetched()
	// Each pair once: a customer writing five times in a batch is read
	// once.
	var msgChans, msgExt, contactChans, contactExt []string
	seenMsg, seenContact := map[string]bool{}, map[string]bool{}
	for _, r := range refs {
		if k := r.ChannelID + "\x00" + r.MessageExternalID; !seenMsg[k] {
			seenMsg[k] = true
			msgChans, msgExt = append(msgChans, r.ChannelID), append(msgExt, r.MessageExternalID)
			t.pre.ext[k] = nil
		}
		if k := r.ChannelID + "\x00" + r.ContactExternalID; !seenContact[k] {
			seenContact[k] = true
			contactChans, contactExt = append(contactChans, r.ChannelID), append(contactExt, r.ContactExternalID)
			t.pre.contact[k] = nil
		}
	}
	d := t.s.d
	if len(refs) == 1 {
		// One message (the live path): plain lookups by key. The array
		// forms' join is planned for ten rows and scans the contacts,
		// and all of a client's dialogs are more than the one asked for.
		r := refs[0]
		b.Queue(d.rebind(prefetchMessagePG), r.ChannelID, r.MessageExternalID)
		b.Queue(d.rebind(prefetchContactPG), r.ChannelID, r.ContactExternalID)
		b.Queue(d.rebind(fmt.Sprintf(prefetchLatestDialogPG, storedDialogSQL)), r.ChannelID, r.ContactExternalID, r.ChannelID)
	} else {
		b.Queue(d.rebind(prefetchMessagesPG), msgChans, msgExt)
		b.Queue(d.rebind(prefetchContactsPG), contactChans, contactExt)
		b.Queue(d.rebind(fmt.Sprintf(prefetchDialogsOfContactsPG, storedDialogSQL)), contactChans, contactExt)
	}
	return func(br pgx.BatchResults) error {
		if err := scanPair(br, t.prefetchedMessage); err != nil {
			return err
		}
		if err := scanPair(br, func(key, data string) error {
			_, err := t.prefetchedContact(key, data)
			return err
		}); err != nil {
			return err
		}
		t.expectLatest(refs)
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
		defer rows.Close()
		return t.noteLatestRows(rows)
	}
}

// prefetchedMessage records a prefetched message (data: its JSON).
func (t *tx) prefetchedMessage(_, data string) error {
	m := new(inbox.Message)
	if err := json.Unmarshal([]byte(data), m); err != nil {
		return err
	}
	t.pre.ext[m.ChannelID+"\x00"+m.ExternalID] = m
	return nil
}

// prefetchedContact records the client a contact (key: "channel|external
// id") names (data: the client's JSON).
func (t *tx) prefetchedContact(key, data string) (*inbox.Client, error) {
	c := new(inbox.Client)
	if err := json.Unmarshal([]byte(data), c); err != nil {
		return nil, err
	}
	ch, ext, _ := strings.Cut(key, "|")
	t.pre.contact[ch+"\x00"+ext] = c
	return c, nil
}

// expectLatest marks the latest dialog of each known client's channel as
// asked for (absent until a prefetched dialog is noted).
func (t *tx) expectLatest(refs []store.InboundRef) {
	for _, r := range refs {
		if c := t.pre.contact[r.ChannelID+"\x00"+r.ContactExternalID]; c != nil {
			t.pre.latest[c.ID+"\x00"+r.ChannelID] = nil
		}
	}
}

// rowsOf is what both drivers' row sets offer (database/sql, pgx).
type rowsOf interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// noteLatestRows notes each dialog of rows (selected with storedDialogSQL).
func (t *tx) noteLatestRows(rows rowsOf) error {
	for rows.Next() {
		d, cols, err := scanDialog(rows.Scan)
		if err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
		t.noteLatest(d, cols)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	return nil
}

// noteLatest offers a prefetched dialog as the latest of its pair.
func (t *tx) noteLatest(d *inbox.Dialog, cols []any) {
	t.noteStored(d.ID, cols)
	pair := d.ClientID + "\x00" + d.ChannelID
	if cur, ok := t.pre.latest[pair]; ok && (cur == nil || newer(d, cur)) {
		t.pre.latest[pair] = d
	}
}

// scanPair reads the next two-column answer of a batch.
func scanPair(br pgx.BatchResults, fn func(a, b string) error) error {
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	defer rows.Close()
	return eachPair(rows, fn)
}

// eachPair calls fn with each row of a two-column answer.
func eachPair(rows rowsOf, fn func(a, b string) error) error {
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
		if err := fn(a, b); err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	return nil
}

// The prefetch queries: on SQLite with a list of row values; on PostgreSQL
// with arrays, one statement text for any number of refs (prepared once,
// planned as a join on the index instead of hundreds of ORed conditions).
const (
	prefetchMessagesSQLite = `SELECT channel_id || '|' || external_id, data FROM messages
		WHERE external_id <> '' AND (channel_id, external_id) IN (%s)`
	prefetchMessagesPG = `SELECT m.channel_id || '|' || m.external_id, m.data
		FROM unnest(?::text[], ?::text[]) AS r (channel_id, external_id)
		JOIN messages m ON m.channel_id = r.channel_id AND m.external_id = r.external_id
		WHERE m.external_id <> ''`
	prefetchContactsSQLite = `SELECT k.channel_id || '|' || k.external_id, c.data FROM contacts k JOIN clients c ON c.id = k.client_id
		WHERE (k.channel_id, k.external_id) IN (%s)`
	prefetchContactsPG = `SELECT k.channel_id || '|' || k.external_id, c.data
		FROM unnest(?::text[], ?::text[]) AS r (channel_id, external_id)
		JOIN contacts k ON k.channel_id = r.channel_id AND k.external_id = r.external_id
		JOIN clients c ON c.id = k.client_id`
	prefetchDialogsSQLite = `SELECT ` + "%s" + ` FROM dialogs WHERE client_id IN (%s)`
	// The same for one message.
	prefetchMessagePG = `SELECT channel_id || '|' || external_id, data FROM messages
		WHERE channel_id = ? AND external_id = ? AND external_id <> ''`
	prefetchContactPG = `SELECT k.channel_id || '|' || k.external_id, c.data FROM contacts k JOIN clients c ON c.id = k.client_id
		WHERE k.channel_id = ? AND k.external_id = ?`
	prefetchLatestDialogPG = `SELECT %s FROM dialogs
		WHERE client_id = (SELECT client_id FROM contacts WHERE channel_id = ? AND external_id = ?) AND channel_id = ?
		ORDER BY created_at DESC, number DESC LIMIT 1`
	// The dialogs of the clients the contacts name, in the same round trip
	// as the contacts.
	prefetchDialogsOfContactsPG = `SELECT %s FROM dialogs WHERE client_id IN (
		SELECT k.client_id FROM unnest(?::text[], ?::text[]) AS r (channel_id, external_id)
		JOIN contacts k ON k.channel_id = r.channel_id AND k.external_id = r.external_id)`
)

// prefetch runs a prefetch on SQLite: three queries with lists of row
// values.
func (t *tx) prefetch(refs []store.InboundRef) error {
	pairs := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(refs)), ", ")
	var msgArgs, contactArgs []any
	msgQ, contactQ := fmt.Sprintf(prefetchMessagesSQLite, pairs), fmt.Sprintf(prefetchContactsSQLite, pairs)
	for _, r := range refs {
		msgArgs = append(msgArgs, r.ChannelID, r.MessageExternalID)
		contactArgs = append(contactArgs, r.ChannelID, r.ContactExternalID)
		t.pre.ext[r.ChannelID+"\x00"+r.MessageExternalID] = nil
		t.pre.contact[r.ChannelID+"\x00"+r.ContactExternalID] = nil
	}
	if err := t.scan(msgQ, msgArgs, t.prefetchedMessage); err != nil {
		return err
	}
	var clientIDs []any
	if err := t.scan(contactQ, contactArgs, func(key, data string) error {
		c, err := t.prefetchedContact(key, data)
		if err == nil {
			clientIDs = append(clientIDs, c.ID)
		}
		return err
	}); err != nil {
		return err
	}
	t.expectLatest(refs)
	if len(clientIDs) == 0 {
		return nil
	}
	dialogQ := fmt.Sprintf(prefetchDialogsSQLite, storedDialogSQL, strings.TrimSuffix(strings.Repeat("?, ", len(clientIDs)), ", "))
	rows, err := t.tx.QueryContext(t.ctx, dialogQ, clientIDs...)
	if err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	defer rows.Close()
	return t.noteLatestRows(rows)
}

// scan runs a two-column query.
func (t *tx) scan(q string, args []any, fn func(a, b string) error) error {
	rows, err := t.tx.QueryContext(t.ctx, t.s.d.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	defer rows.Close()
	return eachPair(rows, fn)
}
