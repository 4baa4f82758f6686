package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"

	"switchboard/server/store"
	"switchboard/wire"
)

func (s *Server) viewer(ctx context.Context, op string) (store.Viewer, error) {
	org, err := s.st.Org(ctx)
	if err != nil {
		return store.Viewer{}, err
	}
	return store.ViewerOf(org, op), nil
}

func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		e := errorf(http.StatusBadRequest, "request.wrong_type", "Parameter %q must be a whole number of zero or more.", name)
		e.Body.Fields = map[string]string{name: "wrong_type"}
		return 0, e
	}
	return n, nil
}

// pull is GET /api/v1/sync/pull?after=N&limit=M.
func (s *Server) pull(w http.ResponseWriter, r *http.Request, op string) error {
	after, err := queryInt(r, "after", 0)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 5000)
	if err != nil {
		return err
	}
	// The head is read before the operator's sight, and the page reports
	// no later head: every resync up to the reported head is reflected in
	// the sight this page was filtered by. A desktop pulling from 0 relies
	// on it to skip the resyncs it does not need (docs/sync.md).
	head, err := s.st.Head(r.Context())
	if err != nil {
		return err
	}
	v, err := s.viewer(r.Context(), op)
	if err != nil {
		return err
	}
	p, err := s.st.Pull(r.Context(), v, after, int(min(max(limit, 1), 10000)))
	if err != nil {
		return err
	}
	p.Head = min(p.Head, head)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(wire.PullNextHeader, strconv.FormatInt(p.Next, 10))
	h.Set(wire.PullMoreHeader, strconv.FormatBool(p.More))
	// The length lets the client read a page of megabytes into one buffer
	// instead of growing one as it reads.
	b := encodePull(p)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, err = w.Write(b)
	return err
}

// encodePull writes a wire.PullResponse by hand: the entities' JSON is
// already in the log, and encoding/json would re-validate and re-compact
// every byte of it (a bootstrap moves a million of them).
func encodePull(p store.Page) []byte {
	size := 64
	for i := range p.Changes {
		size += len(p.Changes[i].Data) + len(p.Changes[i].ID) + 64
	}
	b := make([]byte, 0, size)
	b = append(b, `{"changes":[`...)
	for i := range p.Changes {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendChange(b, &p.Changes[i])
	}
	b = append(b, `],"next":`...)
	b = strconv.AppendInt(b, p.Next, 10)
	b = append(b, `,"more":`...)
	b = strconv.AppendBool(b, p.More)
	b = append(b, `,"head":`...)
	b = strconv.AppendInt(b, p.Head, 10)
	return append(b, '}', '\n')
}

// appendChange appends c as encoding/json would, its Data as it is.
func appendChange(b []byte, c *wire.Change) []byte {
	b = append(b, `{"seq":`...)
	b = strconv.AppendInt(b, c.Seq, 10)
	b = append(b, `,"kind":`...)
	b = appendString(b, string(c.Kind))
	b = append(b, `,"id":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"op":`...)
	b = appendString(b, string(c.Op))
	if len(c.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, c.Data...)
	}
	return append(b, '}')
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// live is the WebSocket feed: GET /api/v1/sync/live?after=N. It first sends
// what happened after N (catch-up), then every change as it commits, plus
// presence and typing. The client sends typing and viewing frames. With
// compress=deflate, changes frames come compressed (wire.EncodeDeflateFrame).
func (s *Server) live(w http.ResponseWriter, r *http.Request, op string) error {
	after, err := queryInt(r, "after", 0)
	if err != nil {
		return err
	}
	var deflate bool
	switch r.URL.Query().Get(wire.LiveCompressParam) {
	case "":
	case wire.LiveCompressDeflate:
		deflate = true
	default:
		e := errorf(http.StatusBadRequest, "request.bad_value", "Parameter %q can only be %q.", wire.LiveCompressParam, wire.LiveCompressDeflate)
		e.Body.Fields = map[string]string{wire.LiveCompressParam: "bad_value"}
		return e
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return nil // Accept has answered
	}
	c.SetReadLimit(64 << 10)
	defer c.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// Hijacked connections outlive http.Server.Shutdown; end with the server.
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()

	sub, upTo, online := s.hub.join(op, deflate)
	defer s.hub.leave(sub)
	write := func(f outFrame) error {
		typ := websocket.MessageText
		if f.binary {
			typ = websocket.MessageBinary
		}
		wctx, done := context.WithTimeout(ctx, 10*time.Second)
		defer done()
		return c.Write(wctx, typ, f.b)
	}
	for _, id := range online {
		if err := write(outFrame{b: encodeFrame(wire.Frame{Type: wire.FramePresence, OperatorID: id, Online: true})}); err != nil {
			return nil
		}
	}
	// Catch up to where the live feed starts.
	v, err := s.viewer(ctx, op)
	if err != nil {
		return nil
	}
	for after < upTo {
		p, err := s.st.Pull(ctx, v, after, 5000)
		if err != nil {
			return nil
		}
		var page []wire.Change
		for _, ch := range p.Changes {
			if ch.Seq <= upTo {
				page = append(page, ch)
			}
		}
		if len(page) > 0 {
			f := outFrame{b: encodeFrame(wire.Frame{Type: wire.FrameChanges, Changes: page, Head: upTo})}
			if deflate {
				f = outFrame{b: wire.EncodeDeflateFrame(upTo, f.b), binary: true}
			}
			if err := write(f); err != nil {
				return nil
			}
		}
		if !p.More || p.Next >= upTo {
			break
		}
		after = p.Next
	}
	go s.readFrames(ctx, cancel, c, sub)
	for {
		select {
		case f := <-sub.out:
			if err := write(f); err != nil {
				return nil
			}
		case <-sub.closed:
			_ = c.Close(websocket.StatusTryAgainLater, "fell behind; pull and reconnect")
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

// readFrames relays the client's typing and viewing frames.
func (s *Server) readFrames(ctx context.Context, cancel func(), c *websocket.Conn, from *sub) {
	defer cancel()
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		var f wire.Frame
		if json.Unmarshal(b, &f) != nil || f.DialogID == "" {
			continue
		}
		if f.Type != wire.FrameTyping && f.Type != wire.FrameViewing {
			continue
		}
		org, err := s.st.Org(ctx)
		if err != nil {
			continue
		}
		d, err := s.st.Dialog(ctx, f.DialogID)
		if err != nil || !org.SeesDialog(from.op, d) {
			continue
		}
		f.OperatorID = from.op
		f.Changes, f.Text = nil, ""
		s.relayFrame(ctx, org, d, from, f)
		if a, ok := typingActivity(f); ok {
			s.heardActivity(a)
		}
	}
}
