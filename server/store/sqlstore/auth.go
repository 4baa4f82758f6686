package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/server/store"
)

// Credential returns the operator and password hash for an e-mail.
func (s *Store) Credential(ctx context.Context, email string) (string, string, error) {
	var id, hash string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT operator_id, hash FROM credentials WHERE email = ?`),
		strings.ToLower(strings.TrimSpace(email))).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("credential: %w", store.ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("read credential: %w", err)
	}
	return id, hash, nil
}

// Session returns the operator of a live session.
func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT operator_id FROM sessions WHERE token_hash = ? AND expires_at > ?`),
		tokenHash, now.UnixMilli()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("session: %w", store.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("read session: %w", err)
	}
	return id, nil
}

// CreateSession stores a session token's hash.
func (s *Store) CreateSession(ctx context.Context, tokenHash, operatorID string, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO sessions (token_hash, operator_id, expires_at) VALUES (?, ?, ?)`),
		tokenHash, operatorID, expires.UnixMilli())
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE token_hash = ?`), tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
