package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SavedFilter is a filter an operator named and kept. Saved filters live
// in this desktop's replica only, one list per operator: signing out keeps
// them, and a resync never touches them.
type SavedFilter struct {
	ID        string
	Name      string
	Filter    Filter
	CreatedAt time.Time
}

// SavedFilters returns the operator's saved filters by name.
func (rp *Replica) SavedFilters(ctx context.Context, operatorID string) ([]SavedFilter, error) {
	const q = `SELECT id, name, filter, created_at FROM saved_filters WHERE operator_id = ?`
	rows, err := rp.r.QueryContext(ctx, q, operatorID)
	if err != nil {
		return nil, sqlError(q, err)
	}
	defer rows.Close()
	out := []SavedFilter{}
	for rows.Next() {
		var f SavedFilter
		var data string
		var created int64
		if err := rows.Scan(&f.ID, &f.Name, &data, &created); err != nil {
			return nil, sqlError(q, err)
		}
		if err := json.Unmarshal([]byte(data), &f.Filter); err != nil {
			return nil, fmt.Errorf("decode saved filter %s: %w", f.ID, err)
		}
		f.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	slices.SortFunc(out, func(a, b SavedFilter) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// SaveFilter keeps a filter under a name; saving under a name the operator
// used before replaces that filter (keeping its id). It returns what was
// stored.
func (rp *Replica) SaveFilter(ctx context.Context, operatorID, id, name string, f Filter, now time.Time) (SavedFilter, error) {
	data, err := json.Marshal(f)
	if err != nil {
		return SavedFilter{}, fmt.Errorf("encode filter: %w", err)
	}
	out := SavedFilter{Name: name, Filter: f}
	err = rp.write(ctx, func(tx *sql.Tx) error {
		const q = `INSERT INTO saved_filters (id, operator_id, name, filter, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (operator_id, name) DO UPDATE SET filter = excluded.filter
			RETURNING id, created_at`
		var created int64
		if err := tx.QueryRowContext(ctx, q, id, operatorID, name, string(data), now.UnixMilli()).Scan(&out.ID, &created); err != nil {
			return sqlError(q, err)
		}
		out.CreatedAt = time.UnixMilli(created).UTC()
		return nil
	})
	return out, err
}

// DeleteFilter removes one of the operator's saved filters; another
// operator's, or one already gone, is left alone.
func (rp *Replica) DeleteFilter(ctx context.Context, operatorID, id string) error {
	return rp.write(ctx, func(tx *sql.Tx) error {
		return exec(ctx, tx, `DELETE FROM saved_filters WHERE operator_id = ? AND id = ?`, operatorID, id)
	})
}
