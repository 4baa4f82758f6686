package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"switchboard/inbox"
)

// savedDialog is a dialog as it was before an optimistic change, with the
// seq of that version (see undo.DialogSeq); Data is empty when the dialog
// did not exist.
type savedDialog struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data,omitempty"`
	Seq  int64           `json:"seq"`
}

// enqueueMore applies Optimistic.Others, noting in u what they replaced
// (the client itself is the card's row: putCardRows).
func enqueueMore(ctx context.Context, tx *sql.Tx, opt Optimistic, u *undo) error {
	for _, d := range opt.Others {
		s := savedDialog{ID: d.ID}
		const q = `SELECT data, seq FROM dialogs WHERE id = ?`
		var data string
		err := tx.QueryRowContext(ctx, q, d.ID).Scan(&data, &s.Seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return sqlError(q, err)
		default:
			s.Data = json.RawMessage(data)
		}
		if err := putDialog(ctx, tx, d, s.Seq); err != nil {
			return err
		}
		u.Others = append(u.Others, s)
	}
	return nil
}

// rollbackMore puts back what enqueueMore changed, where the server has
// not spoken since.
func rollbackMore(ctx context.Context, tx *sql.Tx, u undo) error {
	for _, s := range u.Others {
		const q = `SELECT seq FROM dialogs WHERE id = ?`
		var seq int64
		err := tx.QueryRowContext(ctx, q, s.ID).Scan(&seq)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return sqlError(q, err)
		case seq != s.Seq:
			continue
		case len(s.Data) == 0:
			if err := deleteDialog(ctx, tx, s.ID); err != nil {
				return err
			}
			continue
		}
		var d inbox.Dialog
		if err := json.Unmarshal(s.Data, &d); err != nil {
			return fmt.Errorf("decode saved dialog: %w", err)
		}
		if err := putDialog(ctx, tx, &d, seq); err != nil {
			return err
		}
	}
	return nil
}
