package sqlstore

import (
	"context"
	"fmt"

	"switchboard/inbox"
	"switchboard/server/store"
)

// Write runs fn in one serialised transaction; see the package store doc.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer func() { _ = sqlTx.Rollback() }()
	if s.lockSQL != "" {
		if _, err := sqlTx.ExecContext(ctx, s.lockSQL); err != nil {
			return fmt.Errorf("take write lock: %w", err)
		}
	}
	t := &tx{s: s, tx: sqlTx, ctx: ctx, seen: map[string]*inbox.Dialog{}, pend: newPending()}
	if err := t.loadCounters(); err != nil {
		return err
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	if err := t.saveCounters(); err != nil {
		return err
	}
	if t.seq != t.seq0 && s.notifyChannel != "" {
		// Delivered to listeners when (and only if) the transaction commits.
		if _, err := sqlTx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, s.notifyChannel, fmt.Sprint(t.seq)); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (t *tx) loadCounters() error {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT k, v FROM meta`)
	if err != nil {
		return fmt.Errorf("read counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return fmt.Errorf("read counters: %w", err)
		}
		switch k {
		case "seq":
			t.seq0, t.seq = v, v
		case "dialog_number":
			t.num0, t.num = v, v
		case "org_version":
			t.orgVer0, t.orgVer = v, v
		}
	}
	return rows.Err()
}

func (t *tx) saveCounters() error {
	for _, c := range []struct {
		k        string
		old, now int64
	}{{"seq", t.seq0, t.seq}, {"dialog_number", t.num0, t.num}, {"org_version", t.orgVer0, t.orgVer}} {
		if c.old == c.now {
			continue
		}
		if err := t.exec(`UPDATE meta SET v = ? WHERE k = ?`, c.now, c.k); err != nil {
			return err
		}
	}
	return nil
}
