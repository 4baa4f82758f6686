package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"switchboard/inbox"
)

// tagMessage keeps message_tags in step with a message just stored: known
// says the replica may hold an older version, whose tags go first. A new
// untagged message, the common case by far, costs nothing.
func tagMessage(ctx context.Context, tx *sql.Tx, m *inbox.Message, known bool) error {
	if known {
		if err := exec(ctx, tx, `DELETE FROM message_tags WHERE message_id = ?`, m.ID); err != nil {
			return err
		}
	}
	var done []string
	for _, tag := range m.Tags {
		if tag == "" || slices.Contains(done, tag) {
			continue
		}
		done = append(done, tag)
		if err := exec(ctx, tx, `INSERT INTO message_tags (tag_id, dialog_id, message_id) VALUES (?, ?, ?)`, tag, m.DialogID, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// putMessageRows writes an optimistic change's new versions of messages
// and returns what each replaced, for the rollback (restoreRow). A message
// the replica lacks is left alone.
func putMessageRows(ctx context.Context, tx *sql.Tx, msgs []*inbox.Message) ([]rowUndo, error) {
	var out []rowUndo
	for _, m := range msgs {
		before, err := rowData(ctx, tx, "messages", m.ID)
		if err != nil {
			return nil, err
		}
		if before == "" {
			continue
		}
		if err := putMessage(ctx, tx, m); err != nil {
			return nil, err
		}
		after, err := rowData(ctx, tx, "messages", m.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, rowUndo{Table: "messages", ID: m.ID, Before: before, After: after})
	}
	return out, nil
}

// DialogMessagesByID returns the messages of a dialog with the given ids, in the
// dialog's order; ids the replica does not hold there are left out.
func (rp *Replica) DialogMessagesByID(ctx context.Context, dialogID string, ids []string) ([]inbox.Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	data, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("encode ids: %w", err)
	}
	const q = `SELECT data FROM messages WHERE dialog_id = ? AND id IN (SELECT value FROM json_each(?))
		ORDER BY created_at, rowid`
	rows, err := rp.r.QueryContext(ctx, q, dialogID, string(data))
	if err != nil {
		return nil, sqlError(q, err)
	}
	return scanJSON[inbox.Message](rows, q)
}
