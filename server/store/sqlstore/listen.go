package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen calls fn with the new head whenever any server instance commits
// (PostgreSQL LISTEN/NOTIFY). It reconnects after errors until ctx ends.
// SQLite serves one instance, so it returns at once.
func (s *Store) Listen(ctx context.Context, fn func(head int64)) error {
	if s.notifyChannel == "" {
		return nil
	}
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, fn)
		if ctx.Err() != nil {
			break
		}
		_ = err // the connection dropped: wait and listen again
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return ctx.Err()
}

func (s *Store) listenOnce(ctx context.Context, fn func(head int64)) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return fmt.Errorf("listen: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.notifyChannel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// Anything committed while we were not listening: report the head once.
	if head, err := s.Head(ctx); err == nil {
		fn(head)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		head, err := strconv.ParseInt(n.Payload, 10, 64)
		if err != nil {
			continue
		}
		fn(head)
	}
}
