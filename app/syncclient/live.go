package syncclient

import (
	"context"
	"errors"
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
	u.RawQuery = url.Values{"after": {strconv.FormatInt(after, 10)}}.Encode()
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
	c.cfg.Sink.Connection(StateOnline, nil)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pushErr := make(chan error, 1)
	go func() {
		err := c.pushLoop(ctx)
		cancel() // a failed push ends the session: unblock the reader
		pushErr <- err
	}()

	for {
		var f wire.Frame
		if err := wsjson.Read(ctx, conn, &f); err != nil {
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
	case wire.FramePresence:
		c.cfg.Sink.Presence(f.OperatorID, f.Online)
	}
	// Typing, viewing and alerts are not shown yet; unknown frames are
	// ignored so a newer server can add kinds.
	return nil
}
