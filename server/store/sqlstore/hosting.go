package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
)

// ChannelSettings returns a channel's connector settings; nil when none
// were saved.
func (s *Store) ChannelSettings(ctx context.Context, channelID string) ([]byte, error) {
	var data string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT data FROM channel_settings WHERE channel_id = ?`), channelID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read settings of channel %s: %w", channelID, err)
	}
	return []byte(data), nil
}

// PutChannelSettings saves a channel's connector settings.
func (s *Store) PutChannelSettings(ctx context.Context, channelID string, settings []byte) error {
	if !json.Valid(settings) {
		return fmt.Errorf("settings of channel %s are not JSON", channelID)
	}
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO channel_settings (channel_id, data) VALUES (?, ?)
		ON CONFLICT (channel_id) DO UPDATE SET data = excluded.data`), channelID, string(settings))
	if err != nil {
		return fmt.Errorf("save settings of channel %s: %w", channelID, err)
	}
	return nil
}

// AcquireLease grants or renews a channel's lease to holder until now+ttl.
// It is one statement: the row changes only if it is free, expired or
// already the holder's, so of two hosts asking at once exactly one gets it.
func (s *Store) AcquireLease(ctx context.Context, channelID, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO leases (channel_id, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (channel_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`),
		channelID, holder, now.Add(ttl).UnixMilli(), now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("lease channel %s: %w", channelID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("lease channel %s: %w", channelID, err)
	}
	return n == 1, nil
}

// ReleaseLease gives a channel's lease up, if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, channelID, holder string) error {
	if _, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM leases WHERE channel_id = ? AND holder = ?`), channelID, holder); err != nil {
		return fmt.Errorf("release channel %s: %w", channelID, err)
	}
	return nil
}

// LeaseHeld says whether some host holds the channel's lease at now.
func (s *Store) LeaseHeld(ctx context.Context, channelID string, now time.Time) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM leases WHERE channel_id = ? AND expires_at > ?`),
		channelID, now.UnixMilli()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("lease of channel %s: %w", channelID, err)
	}
	return n > 0, nil
}

// LeaseHolder names the host holding the channel's lease at now; "" when
// none does.
func (s *Store) LeaseHolder(ctx context.Context, channelID string, now time.Time) (string, error) {
	var holder string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT holder FROM leases WHERE channel_id = ? AND expires_at > ?`),
		channelID, now.UnixMilli()).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("holder of channel %s: %w", channelID, err)
	}
	return holder, nil
}

// Dispatch returns up to limit queued outbound messages of the channels,
// oldest first.
func (s *Store) Dispatch(ctx context.Context, channelIDs []string, limit int) ([]store.Outbound, error) {
	if len(channelIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(channelIDs)+1)
	for _, id := range channelIDs {
		args = append(args, id)
	}
	args = append(args, limit)
	q := `SELECT m.data, COALESCE(c.external_id, ''), COALESCE(rm.external_id, ''), q.change_version
		FROM dispatch q JOIN messages m ON m.id = q.message_id
		LEFT JOIN contacts c ON c.client_id = q.client_id AND c.channel_id = q.channel_id
		LEFT JOIN messages rm ON q.reply_to_id <> '' AND rm.id = q.reply_to_id AND rm.channel_id = q.channel_id
		WHERE q.channel_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(channelIDs)), ", ") + `)
		ORDER BY q.created_at, q.message_id LIMIT ?`
	rows, err := s.r.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("read the outbound queue: %w", err)
	}
	defer rows.Close()
	var out []store.Outbound
	for rows.Next() {
		var data string
		var o store.Outbound
		if err := rows.Scan(&data, &o.ChatID, &o.ReplyToExternalID, &o.Version); err != nil {
			return nil, err
		}
		o.Message = new(inbox.Message)
		if err := json.Unmarshal([]byte(data), o.Message); err != nil {
			return nil, fmt.Errorf("decode queued message: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Dispatched takes a message off the outbound queue, unless a newer change
// of it was queued since the version was read.
func (s *Store) Dispatched(ctx context.Context, messageID string, version int64) error {
	if _, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM dispatch WHERE message_id = ? AND change_version = ?`), messageID, version); err != nil {
		return fmt.Errorf("take %s off the outbound queue: %w", messageID, err)
	}
	return nil
}

// Queued says whether the message is queued for the channel with that
// change.
func (s *Store) Queued(ctx context.Context, channelID, messageID string, version int64) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM dispatch WHERE message_id = ? AND channel_id = ? AND change_version = ?`),
		messageID, channelID, version).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is %s queued: %w", messageID, err)
	}
	return n > 0, nil
}
