package replica

import (
	"context"

	"switchboard/inbox"
)

// UnreadDialogs returns the dialogs of a tab (for operator me, every line)
// that have unread client messages: what "mark all as read" marks.
func (rp *Replica) UnreadDialogs(ctx context.Context, me string, tab Tab) ([]inbox.Dialog, error) {
	where, args, _, err := tabFilter(tab, me)
	if err != nil {
		return nil, err
	}
	q := `SELECT d.data FROM dialogs d WHERE ` + where + ` AND json_extract(d.data, '$.unread') > 0`
	rows, err := rp.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqlError(q, err)
	}
	return scanJSON[inbox.Dialog](rows, q)
}
