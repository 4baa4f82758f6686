package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-telegram/bot"

	"switchboard/plugins/sdk"
)

// position is where an event stands in Telegram's update sequence: the
// update, and the event's index among the count the update gave. Its text
// form "<update_id>:<index>/<count>" is the cursor.
//
// Telegram keeps an update until getUpdates is called with a higher
// offset, which confirms it. The connector asks with a higher offset only
// once the host acknowledged every event of the updates before it, so an
// update whose events the host has not stored is still on Telegram's side
// after a crash, and a restarted connector gets it again. An update with
// several events (/start gives a profile and an action) that was stored in
// part is read again and only its remaining events are emitted.
type position struct {
	update       int64
	index, count int
}

func (p position) String() string { return fmt.Sprintf("%d:%d/%d", p.update, p.index, p.count) }

func (p position) zero() bool { return p.count == 0 }

func (p position) less(q position) bool {
	return p.update < q.update || (p.update == q.update && p.index < q.index)
}

// complete says the update's last event is at or before p.
func (p position) complete() bool { return p.index+1 >= p.count }

func parseCursor(s string) (position, error) {
	if s == "" {
		return position{}, nil
	}
	var p position
	n, _ := fmt.Sscanf(s, "%d:%d/%d", &p.update, &p.index, &p.count)
	if n != 3 || p.update <= 0 || p.index < 0 || p.count <= p.index || s != p.String() {
		return position{}, fmt.Errorf("cursor %q is not this connector's (want <update_id>:<index>/<count>)", s)
	}
	return p, nil
}

// Ack records that the host stored every event up to cursor; the next
// getUpdates call confirms the updates it completes.
func (c *connector) Ack(_ context.Context, cursor string) error {
	p, err := parseCursor(cursor)
	if err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.acked.less(p) || c.acked.zero() {
		c.acked = p
	}
	close(c.ackWake)
	c.ackWake = make(chan struct{})
	return nil
}

// waitAcked blocks until the host acknowledged p.
func (c *connector) waitAcked(ctx context.Context, p position) error {
	for {
		c.mu.Lock()
		done := !c.acked.zero() && !c.acked.less(p)
		wake := c.ackWake
		c.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// begin makes this Receive the only one, ending an older one first.
func (c *connector) begin(ctx context.Context, from position) (context.Context, func(), error) {
	c.mu.Lock()
	for c.recvCancel != nil {
		cancel, done := c.recvCancel, c.recvDone
		c.mu.Unlock()
		cancel()
		select {
		case <-done:
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		c.mu.Lock()
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	c.recvCancel, c.recvDone = cancel, done
	c.acked = from
	c.mu.Unlock()
	return rctx, func() {
		cancel()
		c.mu.Lock()
		c.recvCancel, c.recvDone = nil, nil
		c.mu.Unlock()
		close(done)
	}, nil
}

func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	a, _, cfg, err := c.state()
	if err != nil {
		return err
	}
	from, err := parseCursor(after)
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	ctx, end, err := c.begin(ctx, from)
	if err != nil {
		return err
	}
	defer end()

	// offset is the next getUpdates offset; skip is the part of an update
	// the host already stored.
	var offset int64
	skip := position{}
	if !from.zero() {
		if from.complete() {
			offset = from.update + 1
		} else {
			offset, skip = from.update, from
		}
	}
	var emitted position // the newest event handed to the host
	var pause time.Duration
	webhookRemoved := false
	for {
		if !emitted.zero() {
			if err := c.waitAcked(ctx, emitted); err != nil {
				return err
			}
		}
		if pause > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pause):
			}
		}
		raws, err := a.getUpdates(ctx, offset, cfg.pollTimeout())
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			if codeOf(err) == "webhook_active" && !webhookRemoved {
				webhookRemoved = true
				c.log(ctx, sdk.LogWarn, "the bot had a webhook set, which stops long polling; removing it", nil)
				if derr := a.call(ctx, "deleteWebhook", func(ctx context.Context) error {
					_, err := a.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{})
					return err
				}); derr == nil {
					pause = 0
					continue
				}
			}
			pause = c.pollFailed(ctx, err, pause)
			continue
		}
		c.setPollErr(nil)
		pause = 0
		for _, raw := range raws {
			var u tgUpdate
			if err := json.Unmarshal(raw, &u); err != nil || u.UpdateID == 0 {
				var id struct {
					UpdateID int64 `json:"update_id"`
				}
				if json.Unmarshal(raw, &id) != nil || id.UpdateID == 0 {
					return fmt.Errorf("receive: Telegram sent an update without update_id")
				}
				c.log(ctx, sdk.LogWarn, "an update could not be read and is skipped", map[string]string{"update_id": strconv.FormatInt(id.UpdateID, 10)})
				offset = id.UpdateID + 1
				continue
			}
			if u.UpdateID < offset {
				continue // confirmed already (the server answered from an older offset)
			}
			evs, err := c.eventsOf(ctx, &u)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// Read this update again later; what came before is emitted.
				pause = c.pollFailed(ctx, err, pause)
				break
			}
			c.log(ctx, sdk.LogDebug, "update", map[string]string{"update_id": strconv.FormatInt(u.UpdateID, 10), "kind": u.kind(), "events": strconv.Itoa(len(evs))})
			for i := range evs {
				p := position{u.UpdateID, i, len(evs)}
				if !skip.zero() && p.update == skip.update && !skip.less(p) {
					continue
				}
				evs[i].Cursor = p.String()
				if err := emit(evs[i]); err != nil {
					return err
				}
				emitted = p
			}
			offset = u.UpdateID + 1
		}
	}
}

// pollFailed records a poll failure for Health and returns how long to
// wait before the next try: retry_after on a 429, growing delays else.
func (c *connector) pollFailed(ctx context.Context, err error, last time.Duration) time.Duration {
	ce := channelError(err)
	c.setPollErr(ce)
	var ae *apiError
	if errors.As(err, &ae) && ae.code == 429 {
		c.log(ctx, sdk.LogWarn, "Telegram asks to slow down", map[string]string{"retry_after": strconv.Itoa(ae.retryAfter)})
		return time.Duration(max(ae.retryAfter, 1)) * time.Second
	}
	next := min(max(2*last, 500*time.Millisecond), 30*time.Second)
	fields := map[string]string{"code": codeOf(err), "retry_in": next.String()}
	if fields["code"] == "" {
		fields["error"] = err.Error() // a bug of ours: the text names no customer content
	}
	c.log(ctx, sdk.LogWarn, "polling Telegram failed", fields)
	return next
}

func (c *connector) setPollErr(err error) {
	if !sdk.IsChannelError(err) && err != nil {
		err = &sdk.ChannelError{Code: "channel_error", Message: err.Error()}
	}
	c.mu.Lock()
	c.pollErr = err
	c.mu.Unlock()
}
