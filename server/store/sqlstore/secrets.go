package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// WorkspaceSecret returns a named settings document; nil when none was
// saved.
func (s *Store) WorkspaceSecret(ctx context.Context, name string) ([]byte, error) {
	var data string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT data FROM workspace_secrets WHERE name = ?`), name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read workspace secret %s: %w", name, err)
	}
	return []byte(data), nil
}

// PutWorkspaceSecret saves a named settings document (JSON), replacing it.
func (s *Store) PutWorkspaceSecret(ctx context.Context, name string, data []byte) error {
	if !json.Valid(data) {
		return fmt.Errorf("workspace secret %s is not JSON", name)
	}
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO workspace_secrets (name, data) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET data = excluded.data`), name, string(data))
	if err != nil {
		return fmt.Errorf("save workspace secret %s: %w", name, err)
	}
	return nil
}
