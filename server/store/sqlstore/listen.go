package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard/server/store"
)

// Listen calls fn with the new head whenever any server instance commits
// (PostgreSQL LISTEN/NOTIFY). It reconnects after errors until ctx ends.
// SQLite serves one instance, so it returns at once.
func (s *Store) Listen(ctx context.Context, fn func(head int64)) error {
	if s.notifyChannel == "" {
		return nil
	}
	return s.listen(ctx, s.notifyChannel, func(ctx context.Context) {
		// Anything committed while we were not listening: report the head once.
		if head, err := s.Head(ctx); err == nil {
			fn(head)
		}
	}, func(payload string) {
		head, from := parseNotify(payload)
		if head > 0 && from != s.id { // this store's writes are told by OnCommitted
			fn(head)
		}
	})
}

// notifyPayload is the NOTIFY a commit sends: the new head and the id of
// the store that wrote it.
func notifyPayload(head int64, storeID string) string {
	return strconv.FormatInt(head, 10) + " " + storeID
}

// parseNotify reads a commit's NOTIFY; an older build sends the head alone.
func parseNotify(payload string) (head int64, storeID string) {
	h, id, _ := strings.Cut(payload, " ")
	head, err := strconv.ParseInt(h, 10, 64)
	if err != nil {
		return 0, ""
	}
	return head, id
}

// Signal sends payload to the instances listening for signals.
func (s *Store) Signal(ctx context.Context, payload []byte) error {
	if s.notifyChannel == "" {
		return nil
	}
	if len(payload) > store.MaxSignal {
		return fmt.Errorf("signal of %d bytes is over the %d a signal may carry", len(payload), store.MaxSignal)
	}
	_, err := s.w.ExecContext(ctx, `SELECT pg_notify($1, $2)`, s.signalChannel(), string(payload))
	if err != nil {
		return fmt.Errorf("signal: %w", err)
	}
	return nil
}

// Shared says other instances may serve this database: PostgreSQL.
func (s *Store) Shared() bool { return s.notifyChannel != "" }

// ListenSignals calls fn with every signal any instance sends.
func (s *Store) ListenSignals(ctx context.Context, fn func(payload []byte)) error {
	if s.notifyChannel == "" {
		return nil
	}
	return s.listen(ctx, s.signalChannel(), nil, func(payload string) { fn([]byte(payload)) })
}

func (s *Store) signalChannel() string {
	return "sb_signals_" + strings.TrimPrefix(s.notifyChannel, "sb_changes_")
}

// listen holds a connection listening on channel, calling joined each time
// it (re)connects and fn with each notification, until ctx ends.
func (s *Store) listen(ctx context.Context, channel string, joined func(context.Context), fn func(payload string)) error {
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, channel, joined, fn)
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

func (s *Store) listenOnce(ctx context.Context, channel string, joined func(context.Context), fn func(payload string)) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return fmt.Errorf("listen: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if joined != nil {
		joined(ctx)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("listen: %w", err)
		}
		fn(n.Payload)
	}
}
