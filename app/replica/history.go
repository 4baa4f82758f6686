package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"switchboard/inbox"
)

// Around is a page of a conversation centred on one message, oldest first,
// with the dialog's log entries between its messages.
type Around struct {
	History
	// Newer is true when newer messages exist after this page.
	Newer bool
}

// HistoryAround returns the message messageID of the dialog with up to half
// messages before and after it: where a search hit opens the conversation,
// however far back the message is. The error wraps inbox.ErrNotFound when
// the dialog holds no such message.
func (rp *Replica) HistoryAround(ctx context.Context, dialogID, messageID string, half int) (Around, error) {
	if half <= 0 || half > 250 {
		half = 25
	}
	created, rowid, err := rp.messageAt(ctx, dialogID, messageID)
	if err != nil {
		return Around{}, err
	}
	const olderQ = `SELECT data FROM messages WHERE dialog_id = ?
			AND (created_at < ? OR (created_at = ? AND rowid < ?))
		ORDER BY created_at DESC, rowid DESC LIMIT ?`
	rows, err := rp.r.QueryContext(ctx, olderQ, dialogID, created, created, rowid, half+1)
	if err != nil {
		return Around{}, sqlError(olderQ, err)
	}
	older, err := scanJSON[inbox.Message](rows, olderQ)
	if err != nil {
		return Around{}, err
	}
	var a Around
	if len(older) > half {
		a.More, older = true, older[:half]
	}
	const newerQ = `SELECT data FROM messages WHERE dialog_id = ?
			AND (created_at > ? OR (created_at = ? AND rowid >= ?))
		ORDER BY created_at, rowid LIMIT ?`
	rows, err = rp.r.QueryContext(ctx, newerQ, dialogID, created, created, rowid, half+2)
	if err != nil {
		return Around{}, sqlError(newerQ, err)
	}
	newer, err := scanJSON[inbox.Message](rows, newerQ)
	if err != nil {
		return Around{}, err
	}
	if len(newer) > half+1 {
		a.Newer, newer = true, newer[:half+1]
	}
	for i, j := 0, len(older)-1; i < j; i, j = i+1, j-1 {
		older[i], older[j] = older[j], older[i]
	}
	a.Messages = append(older, newer...)
	from, to := int64(0), int64(math.MaxInt64)
	if a.More {
		from = millis(a.Messages[0].CreatedAt)
	}
	if a.Newer {
		to = millis(a.Messages[len(a.Messages)-1].CreatedAt) + 1
	}
	a.Events, err = rp.eventsBetween(ctx, dialogID, from, to)
	return a, err
}

// HistoryAfter returns up to limit messages of the dialog that come after
// the message afterID (by time, then by arrival: messages of the same
// millisecond are neither skipped nor repeated), oldest first, with the
// log entries of the same span; More is true when still newer ones exist.
func (rp *Replica) HistoryAfter(ctx context.Context, dialogID, afterID string, limit int) (History, error) {
	return rp.historyFrom(ctx, dialogID, afterID, limit, true)
}

// HistoryBefore is HistoryAfter towards the past: up to limit messages
// before the message beforeID, oldest first; More is true when still
// older ones exist.
func (rp *Replica) HistoryBefore(ctx context.Context, dialogID, beforeID string, limit int) (History, error) {
	return rp.historyFrom(ctx, dialogID, beforeID, limit, false)
}

func (rp *Replica) historyFrom(ctx context.Context, dialogID, anchorID string, limit int, forward bool) (History, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	created, rowid, err := rp.messageAt(ctx, dialogID, anchorID)
	if err != nil {
		return History{}, err
	}
	q := `SELECT data FROM messages WHERE dialog_id = ?
			AND (created_at > ? OR (created_at = ? AND rowid > ?))
		ORDER BY created_at, rowid LIMIT ?`
	if !forward {
		q = `SELECT data FROM messages WHERE dialog_id = ?
			AND (created_at < ? OR (created_at = ? AND rowid < ?))
		ORDER BY created_at DESC, rowid DESC LIMIT ?`
	}
	rows, err := rp.r.QueryContext(ctx, q, dialogID, created, created, rowid, limit+1)
	if err != nil {
		return History{}, sqlError(q, err)
	}
	msgs, err := scanJSON[inbox.Message](rows, q)
	if err != nil {
		return History{}, err
	}
	h := History{Messages: msgs}
	if len(msgs) > limit {
		h.More, h.Messages = true, msgs[:limit]
	}
	// The log entries between the messages: a page owns those from its
	// oldest message's millisecond to the next page's (the same split as
	// History and HistoryAround make).
	var from, to int64
	if forward {
		from, to = created+1, math.MaxInt64
		if h.More {
			to = millis(h.Messages[len(h.Messages)-1].CreatedAt) + 1
		}
	} else {
		for i, j := 0, len(h.Messages)-1; i < j; i, j = i+1, j-1 {
			h.Messages[i], h.Messages[j] = h.Messages[j], h.Messages[i]
		}
		from, to = 0, created
		if h.More {
			from = millis(h.Messages[0].CreatedAt)
		}
	}
	h.Events, err = rp.eventsBetween(ctx, dialogID, from, to)
	return h, err
}

// messageAt returns where a message of the dialog sits in its order; the
// error wraps inbox.ErrNotFound when the dialog holds no such message.
func (rp *Replica) messageAt(ctx context.Context, dialogID, messageID string) (created, rowid int64, err error) {
	const q = `SELECT created_at, rowid FROM messages WHERE id = ? AND dialog_id = ?`
	err = rp.r.QueryRowContext(ctx, q, messageID, dialogID).Scan(&created, &rowid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("message %s in dialog %s: %w", messageID, dialogID, inbox.ErrNotFound)
	}
	if err != nil {
		return 0, 0, sqlError(q, err)
	}
	return created, rowid, nil
}

// eventsBetween returns the dialog's log entries at from <= at < to.
func (rp *Replica) eventsBetween(ctx context.Context, dialogID string, from, to int64) ([]inbox.DialogEvent, error) {
	const q = `SELECT data FROM events WHERE dialog_id = ? AND at >= ? AND at < ? ORDER BY at, id`
	rows, err := rp.r.QueryContext(ctx, q, dialogID, from, to)
	if err != nil {
		return nil, sqlError(q, err)
	}
	return scanJSON[inbox.DialogEvent](rows, q)
}
