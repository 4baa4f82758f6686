package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"switchboard/plugins/sdk"
)

// position is where an event stands in the Bots Long Poll stream: the ts
// a poll asked from, and the update's index in that poll's answer. Its
// text form "<ts>:<index>" is the cursor.
//
// VK keeps recent events on the long poll server and hands out those
// after the ts asked for; nothing is confirmed to VK. The connector asks
// from a newer ts only once the host acknowledged every event of the
// answer before it, and a restarted connector asks again from the ts of
// the last acknowledged event, skipping the updates up to it. So an event
// the host did not store is asked for again, and a stored one is not
// emitted twice.
type position struct {
	ts    int64
	index int
}

func (p position) String() string { return fmt.Sprintf("%d:%d", p.ts, p.index) }

func (p position) less(q position) bool {
	return p.ts < q.ts || (p.ts == q.ts && p.index < q.index)
}

func parseCursor(s string) (position, bool, error) {
	if s == "" {
		return position{}, false, nil
	}
	var p position
	n, _ := fmt.Sscanf(s, "%d:%d", &p.ts, &p.index)
	if n != 2 || p.ts < 0 || p.index < 0 || s != p.String() {
		return position{}, false, fmt.Errorf("cursor %q is not this connector's (want <ts>:<index>)", s)
	}
	return p, true, nil
}

// Ack records that the host stored every event up to cursor; the poll
// moves past an answer once all its events are acknowledged.
func (c *connector) Ack(_ context.Context, cursor string) error {
	p, ok, err := parseCursor(cursor)
	if err != nil || !ok {
		return fmt.Errorf("ack: %w", errors.Join(err, errors.New("an empty cursor")))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.ackedSet || c.acked.less(p) {
		c.acked, c.ackedSet = p, true
	}
	close(c.ackWake)
	c.ackWake = make(chan struct{})
	return nil
}

func (c *connector) waitAcked(ctx context.Context, p position) error {
	for {
		c.mu.Lock()
		done := c.ackedSet && !c.acked.less(p)
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
func (c *connector) begin(ctx context.Context, from position, set bool) (context.Context, func(), error) {
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
	c.acked, c.ackedSet = from, set
	c.mu.Unlock()
	return rctx, func() {
		cancel()
		c.mu.Lock()
		c.recvCancel, c.recvDone = nil, nil
		c.mu.Unlock()
		close(done)
	}, nil
}

// longPoll is the server groups.getLongPollServer gave.
type longPoll struct {
	Key    string `json:"key"`
	Server string `json:"server"`
	TS     string `json:"ts"`
}

func (a *api) longPollServer(ctx context.Context) (longPoll, error) {
	var lp longPoll
	err := a.call(ctx, "groups.getLongPollServer", url.Values{"group_id": {strconv.FormatInt(a.groupID, 10)}}, &lp)
	return lp, err
}

// pollAnswer is the long poll server's answer: updates and the next ts,
// or failed 1 (history lost: go on from ts), 2 (key expired) or 3
// (information lost: new key and ts).
type pollAnswer struct {
	TS      json.Number       `json:"ts"`
	Updates []json.RawMessage `json:"updates"`
	Failed  int               `json:"failed"`
}

func (a *api) poll(ctx context.Context, lp longPoll, ts int64, wait time.Duration) (pollAnswer, error) {
	u, err := url.Parse(lp.Server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return pollAnswer{}, &apiError{method: "long poll", status: 200, Msg: "groups.getLongPollServer gave no usable server"}
	}
	q := url.Values{"act": {"a_check"}, "key": {lp.Key}, "ts": {strconv.FormatInt(ts, 10)}, "wait": {strconv.Itoa(int(wait / time.Second))}}
	u.RawQuery = q.Encode()
	ctx, cancel := context.WithTimeout(ctx, wait+15*time.Second)
	defer cancel()
	data, err := a.get(ctx, "long poll", u.String(), 64<<20)
	if err != nil {
		return pollAnswer{}, err
	}
	var ans pollAnswer
	if err := json.Unmarshal(data, &ans); err != nil {
		return pollAnswer{}, &apiError{method: "long poll", status: 200, Msg: "the answer is not the long poll server's JSON"}
	}
	return ans, nil
}

func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	a, h, cfg, err := c.state()
	if err != nil {
		return err
	}
	from, resume, err := parseCursor(after)
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	ctx, end, err := c.begin(ctx, from, resume)
	if err != nil {
		return err
	}
	defer end()

	var lp longPoll
	ts, skip := from.ts, -1
	if resume {
		skip = from.index
	}
	var emitted position
	emittedAny := false
	var pause time.Duration
	for {
		if emittedAny {
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
		if lp.Key == "" {
			if lp, err = a.longPollServer(ctx); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				pause = c.pollFailed(ctx, err, pause)
				continue
			}
			if !resume {
				// Nothing stored yet: from where the channel began (see
				// startKey); after failed 3, from the new ts.
				if err := c.markStart(ctx, h, lp.TS); err != nil {
					return fmt.Errorf("receive: %w", err)
				}
				raw, _, err := h.StateGet(ctx, startKey)
				if err != nil {
					return fmt.Errorf("receive: %w", err)
				}
				if ts, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
					return fmt.Errorf("receive: the stored start %q is not a ts", raw)
				}
				resume = true
			}
		}
		ans, err := a.poll(ctx, lp, ts, cfg.pollWait())
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			pause = c.pollFailed(ctx, err, pause)
			continue
		}
		switch ans.Failed {
		case 0:
		case 1:
			next, _ := ans.TS.Int64()
			c.log(ctx, sdk.LogWarn, "VK's long poll history is outdated; events between are lost",
				map[string]string{"ts": strconv.FormatInt(ts, 10), "new_ts": ans.TS.String()})
			ts, skip = next, -1
			continue
		case 2:
			c.log(ctx, sdk.LogInfo, "the long poll key expired; getting a new one", nil)
			lp.Key = ""
			continue
		case 3:
			c.log(ctx, sdk.LogWarn, "VK lost the long poll's information; continuing from a new ts, events between may be lost", nil)
			if lp, err = a.longPollServer(ctx); err != nil {
				lp.Key = ""
				pause = c.pollFailed(ctx, err, pause)
				continue
			}
			if ts, err = strconv.ParseInt(lp.TS, 10, 64); err != nil {
				return fmt.Errorf("receive: groups.getLongPollServer gave ts %q", lp.TS)
			}
			skip = -1
			continue
		default:
			pause = c.pollFailed(ctx, &apiError{method: "long poll", status: 200, Msg: fmt.Sprintf("failed %d", ans.Failed)}, pause)
			continue
		}
		c.setPollErr(nil)
		pause = 0
		done := true
		for i, raw := range ans.Updates {
			if i <= skip {
				continue
			}
			var u vkUpdate
			if err := json.Unmarshal(raw, &u); err != nil {
				c.log(ctx, sdk.LogWarn, "an update could not be read and is skipped", map[string]string{"ts": strconv.FormatInt(ts, 10), "index": strconv.Itoa(i)})
				continue
			}
			ev, err := c.eventOf(ctx, a, h, &u)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// Ask again from the same ts later; what came before is emitted.
				pause = c.pollFailed(ctx, err, pause)
				skip = i - 1
				done = false
				break
			}
			c.log(ctx, sdk.LogDebug, "update", map[string]string{"ts": strconv.FormatInt(ts, 10), "index": strconv.Itoa(i), "type": u.Type,
				"event": strconv.FormatBool(ev != nil)})
			if ev == nil {
				continue
			}
			p := position{ts, i}
			ev.Cursor = p.String()
			if err := emit(*ev); err != nil {
				return err
			}
			emitted, emittedAny = p, true
		}
		if done {
			next, err := ans.TS.Int64()
			if err != nil {
				return fmt.Errorf("receive: the long poll server gave ts %q", ans.TS)
			}
			if next != ts {
				ts, skip = next, -1
			}
		}
	}
}

// pollFailed records a poll failure for Health and returns how long to
// wait before the next try: growing delays up to 30 seconds.
func (c *connector) pollFailed(ctx context.Context, err error, last time.Duration) time.Duration {
	c.setPollErr(channelError(err))
	next := min(max(2*last, 500*time.Millisecond), 30*time.Second)
	fields := map[string]string{"code": codeOf(err), "retry_in": next.String()}
	if fields["code"] == "" {
		fields["error"] = err.Error() // a bug of ours: the text names no customer content
	}
	c.log(ctx, sdk.LogWarn, "polling VK failed", fields)
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
