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
	t := &tx{s: s, tx: sqlTx, ctx: ctx, seen: map[string]*inbox.Dialog{}, pend: newPending(),
		fresh: map[string]bool{}, contactsOf: map[string][]inbox.Contact{}, stored: map[string][]any{}}
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

// saveCounters writes back the counters that moved and, on PostgreSQL,
// tells the other instances the log grew (delivered when, and only if,
// the transaction commits) — one round trip for both.
func (t *tx) saveCounters() error {
	if t.seq == t.seq0 && t.num == t.num0 && t.orgVer == t.orgVer0 {
		return nil
	}
	const update = `UPDATE meta SET v = CASE k WHEN 'seq' THEN CAST(? AS BIGINT) WHEN 'dialog_number' THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END
		WHERE k IN ('seq', 'dialog_number', 'org_version')`
	args := []any{t.seq, t.num, t.orgVer}
	if t.seq == t.seq0 || t.s.notifyChannel == "" {
		return t.exec(update, args...)
	}
	q := `WITH saved AS (` + update + ` RETURNING k) SELECT pg_notify(?, ?) FROM (SELECT count(*) FROM saved) s`
	return t.exec(q, append(args, t.s.notifyChannel, fmt.Sprint(t.seq))...)
}
