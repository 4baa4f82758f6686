package replica

import "context"

// LineLoad is one line's queue on the live floor.
type LineLoad struct {
	LineID     string
	Unassigned int
	// OldestQueuedAt is when the longest-waiting unassigned dialog entered
	// the queue, unix ms; 0 when the queue is empty.
	OldestQueuedAt int64
	InProgress     int
}

// OperatorLoad is one operator's open dialogs on the live floor.
type OperatorLoad struct {
	OperatorID string
	InProgress int
	Snoozed    int
}

// Floor counts, from the replica, each line's queue and each operator's
// open dialogs. Blacklisted clients' dialogs never queue, so they are left
// out of the queue as the Unassigned tab leaves them out.
func (rp *Replica) Floor(ctx context.Context) ([]LineLoad, []OperatorLoad, error) {
	const lq = `SELECT line_id,
		sum(CASE WHEN status = 'unassigned' AND blacklisted = 0 THEN 1 ELSE 0 END),
		coalesce(min(CASE WHEN status = 'unassigned' AND blacklisted = 0 THEN queued_at END), 0),
		sum(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END)
		FROM dialogs WHERE status IN ('unassigned', 'in_progress') GROUP BY line_id ORDER BY line_id`
	rows, err := rp.r.QueryContext(ctx, lq)
	if err != nil {
		return nil, nil, sqlError(lq, err)
	}
	lines := []LineLoad{}
	for rows.Next() {
		var l LineLoad
		if err := rows.Scan(&l.LineID, &l.Unassigned, &l.OldestQueuedAt, &l.InProgress); err != nil {
			rows.Close()
			return nil, nil, sqlError(lq, err)
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, sqlError(lq, err)
	}
	const oq = `SELECT assignee_id,
		sum(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'snoozed' THEN 1 ELSE 0 END)
		FROM dialogs WHERE assignee_id <> '' AND status IN ('in_progress', 'snoozed') GROUP BY assignee_id ORDER BY assignee_id`
	rows, err = rp.r.QueryContext(ctx, oq)
	if err != nil {
		return nil, nil, sqlError(oq, err)
	}
	defer rows.Close()
	ops := []OperatorLoad{}
	for rows.Next() {
		var o OperatorLoad
		if err := rows.Scan(&o.OperatorID, &o.InProgress, &o.Snoozed); err != nil {
			return nil, nil, sqlError(oq, err)
		}
		ops = append(ops, o)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, sqlError(oq, err)
	}
	return lines, ops, nil
}
