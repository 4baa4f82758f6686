package syncclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"switchboard/wire"
)

// live follows the WebSocket feed from the replica's last seq and pushes
// the outbox whenever it is kicked, until either fails.
func (c *Client) live(ctx context.Context) (online bool, err error) {
	after, err := c.cfg.Replica.LastSeq(ctx)
	if err != nil {
		return false, err
	}
	u := *c.api.base
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	u.Path += "/api/v1/sync/live"
	// Changes frames come compressed: a busy workspace's feed is mostly
	// repeated keys, ids and timestamps (an older server sends text).
	u.RawQuery = url.Values{"after": {strconv.FormatInt(after, 10)},
		wire.LiveCompressParam: {wire.LiveCompressDeflate}}.Encode()
	opts := &websocket.DialOptions{HTTPClient: c.cfg.HTTP, HTTPHeader: map[string][]string{}}
	c.api.header(opts.HTTPHeader)
	conn, resp, err := websocket.Dial(ctx, u.String(), opts)
	if err != nil {
		if resp != nil && resp.StatusCode/100 != 1 && resp.StatusCode/100 != 2 {
			return false, errorFromResponse(resp)
		}
		return false, &Error{Code: CodeUnreachable, Message: "The live feed cannot be reached.", Err: err}
	}
	defer conn.CloseNow()
	// A bootstrap-sized burst of changes can exceed the 32 KiB default.
	conn.SetReadLimit(64 << 20)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Frames announced before this connection are stale: drop them. The
	// announcer runs before the sink hears "online", so what it repeats
	// then goes out.
	for len(c.announce) > 0 {
		<-c.announce
	}
	c.liveUp.Store(true)
	defer c.liveUp.Store(false)
	go c.announceLoop(ctx, conn)
	c.cfg.Sink.Connection(StateOnline, nil)
	pushErr := make(chan error, 1)
	go func() {
		err := c.pushLoop(ctx)
		cancel() // a failed push ends the session: unblock the reader
		pushErr <- err
	}()

	var in wire.Inflater
	for {
		f, err := readFrame(ctx, conn, &in)
		if err != nil {
			cancel()
			if perr := <-pushErr; perr != nil && !errors.Is(perr, context.Canceled) {
				return true, perr
			}
			return true, &Error{Code: CodeUnreachable, Message: "The live feed was interrupted.", Err: err}
		}
		if err := c.handleFrame(ctx, f); err != nil {
			cancel()
			<-pushErr
			return true, err
		}
	}
}

// readFrame reads the next frame of the live feed: a JSON text message, or
// a compressed changes frame.
func readFrame(ctx context.Context, conn *websocket.Conn, in *wire.Inflater) (wire.Frame, error) {
	var f wire.Frame
	typ, b, err := conn.Read(ctx)
	if err != nil {
		return f, err
	}
	if typ == websocket.MessageBinary {
		if b, err = in.Inflate(b); err != nil {
			return f, err
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("live frame: %w", err)
	}
	return f, nil
}

// announceLoop writes the operator's typing and viewing frames. A failed
// write ends nothing: the reader notices a dead connection.
func (c *Client) announceLoop(ctx context.Context, conn *websocket.Conn) {
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-c.announce:
			wctx, done := context.WithTimeout(ctx, 5*time.Second)
			_ = wsjson.Write(wctx, conn, f)
			done()
		}
	}
}

// pushLoop pushes the outbox on every Kick and every PushInterval. A push
// failure ends the session, so the reconnect logic takes over.
func (c *Client) pushLoop(ctx context.Context) error {
	t := time.NewTicker(c.cfg.PushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.kick:
		case <-t.C:
		}
		if err := c.Push(ctx); err != nil {
			return err
		}
	}
}

func (c *Client) handleFrame(ctx context.Context, f wire.Frame) error {
	switch f.Type {
	case wire.FrameChanges:
		if len(f.Changes) == 0 {
			return nil
		}
		applied, err := c.cfg.Replica.Apply(ctx, f.Changes)
		if err != nil {
			return err
		}
		c.cfg.Sink.Applied(applied)
		if applied.Reset {
			return errResync
		}
	case wire.FramePresence:
		c.cfg.Sink.Presence(f.OperatorID, f.Online)
	case wire.FrameTyping:
		if f.DialogID != "" && f.OperatorID != "" {
			c.cfg.Sink.Activity(Activity{Kind: ActivityTyping, DialogID: f.DialogID, OperatorID: f.OperatorID, On: f.Typing})
		}
	case wire.FrameViewing:
		if f.DialogID != "" && f.OperatorID != "" {
			c.cfg.Sink.Activity(Activity{Kind: ActivityViewing, DialogID: f.DialogID, OperatorID: f.OperatorID, On: f.Viewing})
		}
	case wire.FrameClientTyping:
		if f.DialogID != "" {
			c.cfg.Sink.Activity(Activity{Kind: ActivityClientTyping, DialogID: f.DialogID, On: f.Typing})
		}
	}
	// Alerts are not shown yet; unknown frames are ignored so a newer
	// server can add kinds.
	return nil
}
