package sqlstore

import (
	"encoding/json"
	"fmt"
	"strings"

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
	if t.pre == nil {
		t.pre = &prefetched{ext: map[string]*inbox.Message{}, contact: map[string]*inbox.Client{}, latest: map[string]*inbox.Dialog{}}
	}
	chunk := flushChunk
	if t.s.d.arrays {
		chunk = len(refs)
	}
	for from := 0; from < len(refs); from += chunk {
		if err := t.prefetch(refs[from:min(from+chunk, len(refs))]); err != nil {
			return err
		}
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
	prefetchDialogsPG     = `SELECT %s FROM dialogs WHERE client_id = ANY(?::text[])`
)

func (t *tx) prefetch(refs []store.InboundRef) error {
	pairs := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(refs)), ", ")
	var msgArgs, contactArgs []any
	msgQ, contactQ := fmt.Sprintf(prefetchMessagesSQLite, pairs), fmt.Sprintf(prefetchContactsSQLite, pairs)
	if t.s.d.arrays {
		msgQ, contactQ = prefetchMessagesPG, prefetchContactsPG
		// Each pair once: a customer writing five times in a batch is
		// read once.
		var msgChans, msgExt, contactChans, contactExt []string
		seenMsg, seenContact := map[string]bool{}, map[string]bool{}
		for _, r := range refs {
			if k := r.ChannelID + "\x00" + r.MessageExternalID; !seenMsg[k] {
				seenMsg[k] = true
				msgChans, msgExt = append(msgChans, r.ChannelID), append(msgExt, r.MessageExternalID)
			}
			if k := r.ChannelID + "\x00" + r.ContactExternalID; !seenContact[k] {
				seenContact[k] = true
				contactChans, contactExt = append(contactChans, r.ChannelID), append(contactExt, r.ContactExternalID)
			}
		}
		msgArgs, contactArgs = []any{msgChans, msgExt}, []any{contactChans, contactExt}
	}
	for _, r := range refs {
		if !t.s.d.arrays {
			msgArgs = append(msgArgs, r.ChannelID, r.MessageExternalID)
			contactArgs = append(contactArgs, r.ChannelID, r.ContactExternalID)
		}
		t.pre.ext[r.ChannelID+"\x00"+r.MessageExternalID] = nil
		t.pre.contact[r.ChannelID+"\x00"+r.ContactExternalID] = nil
	}
	if err := t.scan(msgQ, msgArgs, func(key, data string) error {
		m := new(inbox.Message)
		if err := json.Unmarshal([]byte(data), m); err != nil {
			return err
		}
		t.pre.ext[m.ChannelID+"\x00"+m.ExternalID] = m
		return nil
	}); err != nil {
		return err
	}
	var clientIDs []string
	if err := t.scan(contactQ, contactArgs, func(key, data string) error {
		c := new(inbox.Client)
		if err := json.Unmarshal([]byte(data), c); err != nil {
			return err
		}
		ch, ext, _ := strings.Cut(key, "|")
		t.pre.contact[ch+"\x00"+ext] = c
		clientIDs = append(clientIDs, c.ID)
		return nil
	}); err != nil {
		return err
	}
	for _, r := range refs {
		if c := t.pre.contact[r.ChannelID+"\x00"+r.ContactExternalID]; c != nil {
			t.pre.latest[c.ID+"\x00"+r.ChannelID] = nil
		}
	}
	if len(clientIDs) == 0 {
		return nil
	}
	dialogQ, dialogArgs := fmt.Sprintf(prefetchDialogsPG, storedDialogSQL), []any{clientIDs}
	if !t.s.d.arrays {
		dialogQ = fmt.Sprintf(prefetchDialogsSQLite, storedDialogSQL, strings.TrimSuffix(strings.Repeat("?, ", len(clientIDs)), ", "))
		dialogArgs = make([]any, len(clientIDs))
		for i, id := range clientIDs {
			dialogArgs[i] = id
		}
	}
	rows, err := t.tx.QueryContext(t.ctx, t.s.d.rebind(dialogQ), dialogArgs...)
	if err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d, cols, err := scanDialog(rows.Scan)
		if err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
		t.noteStored(d.ID, cols)
		pair := d.ClientID + "\x00" + d.ChannelID
		if cur, ok := t.pre.latest[pair]; ok && (cur == nil || newer(d, cur)) {
			t.pre.latest[pair] = d
		}
	}
	return rows.Err()
}

// scan runs a two-column query.
func (t *tx) scan(q string, args []any, fn func(a, b string) error) error {
	rows, err := t.tx.QueryContext(t.ctx, t.s.d.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
		if err := fn(a, b); err != nil {
			return fmt.Errorf("prefetch: %w", err)
		}
	}
	return rows.Err()
}
