package replica

import (
	"context"
	"database/sql"
	"errors"

	"switchboard/inbox"
)

// AllClientDialogs returns every dialog of a client the replica holds, newest
// first.
func (rp *Replica) AllClientDialogs(ctx context.Context, clientID string) ([]inbox.Dialog, error) {
	const q = `SELECT data FROM dialogs WHERE client_id = ? ORDER BY last_message_at DESC, id DESC`
	rows, err := rp.r.QueryContext(ctx, q, clientID)
	if err != nil {
		return nil, sqlError(q, err)
	}
	return scanJSON[inbox.Dialog](rows, q)
}

// ClientByContact returns the id and name of the client who has the
// channel identity, or "" when no client the replica holds has it. It
// reads every client (a start by phone number asks it once).
func (rp *Replica) ClientByContact(ctx context.Context, channelID, externalID string) (id, name string, err error) {
	const q = `SELECT c.id, c.name FROM clients c, json_each(c.data, '$.contacts') k
		WHERE json_extract(k.value, '$.channelId') = ? AND json_extract(k.value, '$.externalId') = ? LIMIT 1`
	err = rp.r.QueryRowContext(ctx, q, channelID, externalID).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", sqlError(q, err)
	}
	return id, name, nil
}
