package main

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
)

// TestTheTeamsTypingAndReadReceiptsReachTheVisitorsPage drives the real
// plugin through a real host: the team typing shows on the visitor's open
// page with the name the host gives (as text, whatever it holds), and
// reading the visitor's lines marks them read in the history and on the
// page, up to the line named and no further.
func TestTheTeamsTypingAndReadReceiptsReachTheVisitorsPage(t *testing.T) {
	in := &inbox{got: make(chan host.InboundEvent, 100)}
	h, addr := hostWithWebchat(t, in.deliver)
	visitor := newCustomer(t, addr)
	visitor.do("POST", "/api/session", map[string]string{"name": "Оксана"})
	for _, text := range []string{"Добрый день", "Где мой заказ?"} {
		if code, body := visitor.do("POST", "/api/messages", map[string]string{"text": text}); code != http.StatusCreated {
			t.Fatalf("POST /api/messages = %d %s", code, body)
		}
	}
	first, second := in.next(t, "message"), in.next(t, "message")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := h.Connector("site")
	if err != nil {
		t.Fatal(err)
	}
	d, err := conn.Describe(ctx)
	if err != nil || !d.Capabilities.Typing || !d.Capabilities.ReadReceipts {
		t.Fatalf("Describe = %+v, %v; want typing and read receipts declared", d.Capabilities, err)
	}
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/api/ws", &websocket.DialOptions{HTTPClient: visitor.http})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	next := func(typ string) wsOut {
		t.Helper()
		for {
			var out wsOut
			if err := wsjson.Read(ctx, ws, &out); err != nil {
				t.Fatalf("read ws waiting for %s: %v", typ, err)
			}
			if out.Type == typ {
				return out
			}
		}
	}
	// The page is connected once typing reaches it: repeat until then.
	name := "Підтримка <b>&</b>"
	got := make(chan wsOut, 1)
	go func() { got <- next("typing") }()
	var typing wsOut
	for typing.Type == "" {
		if err := conn.SendTyping(ctx, first.ChatID, name); err != nil {
			t.Fatalf("SendTyping: %v", err)
		}
		select {
		case typing = <-got:
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("the typing never reached the page")
		}
	}
	if typing.Name != name {
		t.Errorf("the page was told %q is typing, want %q", typing.Name, name)
	}
	var ce *sdk.ChannelError
	if err := conn.SendTyping(ctx, "not-a-visitor", name); !errors.As(err, &ce) || ce.Code != "chat_unknown" {
		t.Errorf("SendTyping to no visitor = %v, want chat_unknown", err)
	}

	read := func() []bool {
		var out []bool
		for _, l := range visitor.history() {
			out = append(out, l.Read)
		}
		return out
	}
	if err := conn.MarkRead(ctx, first.ChatID, first.Message.ExternalID); err != nil {
		t.Fatalf("MarkRead: %v", err)
	}
	if r := next("read"); r.UpTo != first.Message.ExternalID {
		t.Errorf("the page was told the lines up to %q are read, want %q", r.UpTo, first.Message.ExternalID)
	}
	if r := read(); len(r) != 2 || !r[0] || r[1] {
		t.Errorf("read marks in the history = %v, want the first line only", r)
	}
	if err := conn.MarkRead(ctx, first.ChatID, second.Message.ExternalID); err != nil {
		t.Fatalf("MarkRead: %v", err)
	}
	next("read")
	if r := read(); len(r) != 2 || !r[0] || !r[1] {
		t.Errorf("read marks in the history = %v, want both lines", r)
	}
	if err := conn.MarkRead(ctx, first.ChatID, second.Message.ExternalID); err != nil {
		t.Errorf("MarkRead again = %v, want it harmless", err)
	}
	for _, upTo := range []string{"v-nope", ""} {
		if err := conn.MarkRead(ctx, first.ChatID, upTo); !errors.As(err, &ce) || ce.Code != "message_unknown" {
			t.Errorf("MarkRead(%q) = %v, want message_unknown", upTo, err)
		}
	}
}
