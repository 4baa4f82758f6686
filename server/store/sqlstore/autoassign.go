package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"switchboard/inbox"
)

// SetPresence replaces the instance's online operators in one transaction.
func (s *Store) SetPresence(ctx context.Context, instanceID string, operatorIDs []string, expires time.Time) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM presence WHERE instance_id = ?`), instanceID); err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	ids := slices.Clone(operatorIDs)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO presence (operator_id, instance_id, expires_at) VALUES (?, ?, ?)`),
			id, instanceID, expires.UnixMilli()); err != nil {
			return fmt.Errorf("presence of %s: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	return nil
}

// Online returns the operators whose presence has not expired at now.
func (s *Store) Online(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT DISTINCT operator_id FROM presence WHERE expires_at > ? ORDER BY operator_id`), now.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("read presence: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read presence: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// AssignBoard reads presence, in-progress counts and the auto-assignment
// history inside the write transaction, after flushing its buffered rows
// so the counts include this write's own changes.
func (t *tx) AssignBoard(now time.Time) (*inbox.Board, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	b := inbox.NewBoard()
	err := t.each(`SELECT DISTINCT operator_id FROM presence WHERE expires_at > ?`, []any{now.UnixMilli()}, func(scan func(...any) error) error {
		var id string
		if err := scan(&id); err != nil {
			return err
		}
		b.Online[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read presence: %w", err)
	}
	err = t.each(`SELECT assignee_id, COUNT(*) FROM dialogs WHERE status = 'in_progress' AND assignee_id <> '' GROUP BY assignee_id`, nil,
		func(scan func(...any) error) error {
			var id string
			var n int
			if err := scan(&id, &n); err != nil {
				return err
			}
			b.InProgress[id] = n
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("count dialogs in progress: %w", err)
	}
	newest := map[string]int64{} // line -> n of its newest auto-assignment
	err = t.each(`SELECT line_id, operator_id, n FROM auto_assigned`, nil, func(scan func(...any) error) error {
		var line, op string
		var n int64
		if err := scan(&line, &op, &n); err != nil {
			return err
		}
		if n > newest[line] {
			newest[line], b.LastChosen[line] = n, op
		}
		b.LastOrder[op] = max(b.LastOrder[op], n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read auto-assignment history: %w", err)
	}
	return b, nil
}

// Waiting returns the line's unassigned dialogs, longest waiting first.
func (t *tx) Waiting(lineID string, limit int) ([]*inbox.Dialog, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	// The queue time lives in the JSON, so the line's whole queue is read
	// and sorted here; a queue is what operators can work through, not
	// the archive.
	ds, err := many[inbox.Dialog](t, "waiting dialogs", `SELECT data FROM dialogs WHERE line_id = ? AND status = 'unassigned'`, lineID)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ds, inbox.WaitingOrder)
	if len(ds) > limit {
		ds = ds[:limit]
	}
	for i, d := range ds {
		if cached, ok := t.seen[d.ID]; ok {
			ds[i] = cached.Clone()
		} else {
			ds[i] = t.remember(d)
		}
	}
	return ds, nil
}

// RecordAutoAssigned keeps the line's auto-assignment history.
func (t *tx) RecordAutoAssigned(lineID, operatorID string, n int64) error {
	return t.exec(`INSERT INTO auto_assigned (line_id, operator_id, n) VALUES (?, ?, ?)
		ON CONFLICT (line_id, operator_id) DO UPDATE SET n = excluded.n`, lineID, operatorID, n)
}

// each runs a query and calls fn per row with the row's Scan.
func (t *tx) each(q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := t.tx.QueryContext(t.ctx, t.s.d.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
