package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"switchboard/inbox"
	"switchboard/wire"
)

// TestPermissionMatrix walks roles × endpoints: an operator cannot read,
// sync or change a dialog outside its lines; those who see all can.
func TestPermissionMatrix(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		// dl-demo-03 is a WhatsApp dialog of line Підтримка (Taras's).
		const dialog = "dl-demo-03"
		tokens := map[string]string{}
		for _, who := range []string{"anna", "taras", "james", "sofia", "admin"} {
			tokens[who] = e.login(who + "@demo.switchboard")
		}
		sees := map[string]bool{"anna": false, "taras": true, "james": false, "sofia": true, "admin": true}
		for who, tok := range tokens {
			code, _ := e.call("GET", "/api/v1/dialogs/"+dialog, tok, nil)
			if (code == 200) != sees[who] {
				t.Errorf("GET dialog as %s = %d, sees = %v", who, code, sees[who])
			}
			code, _ = e.call("GET", "/api/v1/dialogs/"+dialog+"/messages", tok, nil)
			if (code == 200) != sees[who] {
				t.Errorf("GET messages as %s = %d, sees = %v", who, code, sees[who])
			}
			_, pulled := findChange(e.pull(tok, 0), wire.KindDialog, dialog)
			if pulled != sees[who] {
				t.Errorf("pull as %s has the dialog = %v, want %v", who, pulled, sees[who])
			}
			_, msg := findChange(e.pull(tok, 0), wire.KindMessage, dialog+"-m01")
			if msg != sees[who] {
				t.Errorf("pull as %s has its message = %v, want %v", who, msg, sees[who])
			}
		}
		for _, who := range []string{"anna", "james"} {
			for _, c := range []struct{ typ, payload string }{
				{"dialog.take", `{"dialogId":"` + dialog + `"}`},
				{"dialog.close", `{"dialogId":"` + dialog + `"}`},
				{"message.send", `{"messageId":"x-` + who + `","dialogId":"` + dialog + `","kind":"comment","text":"peek"}`},
			} {
				r := e.command(tokens[who], c.typ, json.RawMessage(c.payload))
				if r.OK || r.Code != "dialog.not_found" {
					t.Errorf("%s as %s = %+v, want refused dialog.not_found", c.typ, who, r)
				}
			}
		}
		// Operators may not change the org or pose as a channel.
		code, body := e.call("PUT", "/api/v1/admin/lines/line-x", tokens["anna"], inbox.Line{Name: "X"})
		wantError(t, "operator changing lines", code, body, 403, "auth.forbidden")
		code, body = e.call("GET", "/api/v1/admin/org", tokens["anna"], nil)
		wantError(t, "operator reading admin org", code, body, 403, "auth.forbidden")
		code, body = e.call("POST", "/api/v1/ingest", tokens["anna"], IngestRequest{Events: []IngestEvent{{Type: "inbound.message", Payload: json.RawMessage(`{}`)}}})
		wantError(t, "operator ingesting", code, body, 403, "auth.forbidden")
		r := e.command(tokens["admin"], "inbound.message", json.RawMessage(`{"channelId":"ch-telegram","externalId":"z","contact":{"externalId":"z"}}`))
		if r.OK || r.Code != "command.forbidden" {
			t.Errorf("an operator sending inbound.message = %+v, want command.forbidden", r)
		}
	})
}

func TestCommandsAreIdempotentAndOrdered(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		tok := e.login("taras@demo.switchboard")
		req := wire.CommandsRequest{Commands: []wire.CommandEnvelope{
			{ID: "c-1", Type: "dialog.take", Payload: json.RawMessage(`{"dialogId":"dl-demo-03"}`)},
			{ID: "c-2", Type: "message.send", Payload: json.RawMessage(`{"messageId":"m-taras-1","dialogId":"dl-demo-03","kind":"outbound","text":"Спробуйте скинути пароль"}`)},
			{ID: "c-3", Type: "dialog.launch", Payload: json.RawMessage(`{}`)},
		}}
		var first, second wire.CommandsResponse
		for _, out := range []*wire.CommandsResponse{&first, &second} {
			code, body := e.call("POST", "/api/v1/commands", tok, req)
			if code != 200 {
				t.Fatalf("commands = %d %s", code, body)
			}
			_ = json.Unmarshal(body, out)
		}
		if !first.Results[0].OK || !first.Results[1].OK || first.Results[2].OK || first.Results[2].Code != "command.unknown" {
			t.Fatalf("results = %+v", first.Results)
		}
		if first.Results[1].Seq <= first.Results[0].Seq {
			t.Errorf("the send (seq %d) did not follow the take (seq %d)", first.Results[1].Seq, first.Results[0].Seq)
		}
		for i := range first.Results {
			if first.Results[i].Seq != second.Results[i].Seq || first.Results[i].OK != second.Results[i].OK {
				t.Errorf("retry of %s = %+v, first time %+v", first.Results[i].ID, second.Results[i], first.Results[i])
			}
		}
		msgs, _ := e.st.Messages(t.Context(), "dl-demo-03")
		n := 0
		for _, m := range msgs {
			if m.ID == "m-taras-1" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the retried send stored %d messages, want 1", n)
		}
	})
}

// TestOneRequestsMessagesKeepTheirOrder: an outbox sent in one request
// (the desktop back online) lists in the order it was written, though the
// messages are stored within the same millisecond and their ids sort the
// other way.
func TestOneRequestsMessagesKeepTheirOrder(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		tok := e.login("taras@demo.switchboard")
		var req wire.CommandsRequest
		var want []string
		for i := range 20 {
			id := fmt.Sprintf("m-order-%02d", 20-i) // ids sort against the order written
			want = append(want, id)
			payload, _ := json.Marshal(map[string]string{"messageId": id, "dialogId": "dl-demo-03", "kind": "comment", "text": fmt.Sprint("line ", i)})
			req.Commands = append(req.Commands, wire.CommandEnvelope{ID: "c-" + id, Type: "message.send", Payload: payload})
		}
		if code, body := e.call("POST", "/api/v1/commands", tok, req); code != 200 {
			t.Fatalf("commands = %d %s", code, body)
		}
		msgs, err := e.st.Messages(t.Context(), "dl-demo-03")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range msgs {
			if strings.HasPrefix(m.ID, "m-order-") {
				got = append(got, m.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("messages listed as %v, want %v", got, want)
		}
	})
}

// TestTakeRace: two operators take the same dialog at the same moment;
// exactly one wins and the other is told who.
func TestTakeRace(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		anna, james := e.login("anna@demo.switchboard"), e.login("james@demo.switchboard")
		// dl-demo-05 is an e-mail in line International, which both work.
		results := make(chan wire.CommandResult, 2)
		for _, tok := range []string{anna, james} {
			go func() { results <- e.command(tok, "dialog.take", map[string]string{"dialogId": "dl-demo-05"}) }()
		}
		a, b := <-results, <-results
		if a.OK == b.OK {
			t.Fatalf("both takes = %+v / %+v, want exactly one winner", a, b)
		}
		lost := a
		if a.OK {
			lost = b
		}
		if lost.Code != "dialog.already_taken" || lost.Args["operator"] == "" {
			t.Errorf("the loser got %+v, want dialog.already_taken naming the winner", lost)
		}
	})
}

// liveConn opens the live feed.
func (e *env) liveConn(tok string, after int64) *websocket.Conn {
	e.t.Helper()
	url := strings.Replace(e.ts.URL, "http", "ws", 1) + "/api/v1/sync/live?after=" + itoa(after) + "&token=" + tok
	c, _, err := websocket.Dial(e.t.Context(), url, nil)
	if err != nil {
		e.t.Fatalf("dial live: %v", err)
	}
	c.SetReadLimit(16 << 20)
	e.t.Cleanup(func() { c.CloseNow() })
	return c
}

// waitFrame reads frames until match returns true or 5 s pass.
func waitFrame(t *testing.T, c *websocket.Conn, what string, match func(wire.Frame) bool) wire.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		var f wire.Frame
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("bad frame %s", b)
		}
		if match(f) {
			return f
		}
	}
}

func hasChange(f wire.Frame, kind wire.Kind, id string, op wire.Op) bool {
	for _, c := range f.Changes {
		if c.Kind == kind && c.ID == id && c.Op == op {
			return true
		}
	}
	return false
}

func TestLiveFeed(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		taras, anna, sofia := e.login("taras@demo.switchboard"), e.login("anna@demo.switchboard"), e.login("sofia@demo.switchboard")
		head, _ := e.st.Head(t.Context())
		tc := e.liveConn(taras, 0)
		// Catch-up: a connection from 0 receives the dialogs of its lines.
		waitFrame(t, tc, "catch-up", func(f wire.Frame) bool { return hasChange(f, wire.KindDialog, "dl-demo-03", wire.OpPut) })
		ac := e.liveConn(anna, head)
		sc := e.liveConn(sofia, head)
		waitFrame(t, tc, "anna online", func(f wire.Frame) bool { return f.Type == wire.FramePresence && f.OperatorID == "op-anna" && f.Online })

		// An inbound message on the WhatsApp channel reaches Taras and Sofia, not Anna.
		code, body := e.call("POST", "/api/v1/ingest", "", nil)
		wantError(t, "ingest without a key", code, body, 401, "auth.required")
		ev := IngestRequest{Events: []IngestEvent{{Type: "inbound.message", Payload: json.RawMessage(
			`{"channelId":"ch-whatsapp","externalId":"wa-1","contact":{"externalId":"+380671234567"},"text":"Є новини?"}`)}}}
		res := e.ingest(ev)
		if !res.Results[0].OK {
			t.Fatalf("ingest = %+v", res.Results[0])
		}
		f := waitFrame(t, tc, "the inbound message", func(f wire.Frame) bool {
			return f.Type == wire.FrameChanges && len(f.Changes) > 0 && f.Changes[0].Seq > head
		})
		if !hasChange(f, wire.KindDialog, "dl-demo-03", wire.OpPut) {
			t.Errorf("the message went to a dialog other than the client's open one: %+v", f.Changes)
		}
		waitFrame(t, sc, "the inbound message for the supervisor", func(f wire.Frame) bool { return hasChange(f, wire.KindDialog, "dl-demo-03", wire.OpPut) })
		// Delivered twice: stored once, whether the host repeats the post
		// (same event id) or the connector redelivers (new event id).
		if again := e.ingest(ev); again.Results[0].Seq != 0 || !again.Results[0].OK {
			t.Errorf("repeated post = %+v, want ok with no change", again.Results[0])
		}
		ev.Events[0].ID = "redelivered"
		if again := e.ingest(ev); !again.Results[0].OK || again.Results[0].Seq != 0 {
			t.Errorf("redelivery = %+v, want ok with no change", again.Results[0])
		}
		msgs, _ := e.st.Messages(t.Context(), "dl-demo-03")
		if n := len(msgs); n != 3 {
			t.Errorf("dl-demo-03 has %d messages, want 3 (2 seeded + 1 once)", n)
		}
		// Taras transfers the dialog to Sales: he gets a removal, Anna the dialog.
		e.command(taras, "dialog.take", map[string]string{"dialogId": "dl-demo-03"})
		r := e.command(taras, "dialog.transfer", map[string]string{"dialogId": "dl-demo-03", "lineId": "line-sales"})
		if !r.OK {
			t.Fatalf("transfer = %+v", r)
		}
		waitFrame(t, tc, "the removal", func(f wire.Frame) bool { return hasChange(f, wire.KindDialog, "dl-demo-03", wire.OpDel) })
		waitFrame(t, ac, "the transferred dialog", func(f wire.Frame) bool { return hasChange(f, wire.KindMessage, "dl-demo-03-m01", wire.OpPut) })
		// Typing is relayed to those who see the dialog.
		typing, _ := json.Marshal(wire.Frame{Type: wire.FrameTyping, DialogID: "dl-demo-03", Typing: true})
		if err := ac.Write(t.Context(), websocket.MessageText, typing); err != nil {
			t.Fatal(err)
		}
		got := waitFrame(t, sc, "anna typing", func(f wire.Frame) bool { return f.Type == wire.FrameTyping })
		if got.OperatorID != "op-anna" || !got.Typing {
			t.Errorf("typing frame = %+v", got)
		}
		// Anna leaves: the others see her go offline.
		ac.Close(websocket.StatusNormalClosure, "")
		waitFrame(t, sc, "anna offline", func(f wire.Frame) bool { return f.Type == wire.FramePresence && f.OperatorID == "op-anna" && !f.Online })
	})
}

func (e *env) ingest(req IngestRequest) wire.CommandsResponse {
	e.t.Helper()
	b, _ := json.Marshal(req)
	httpReq, _ := newRequest("POST", e.ts.URL+"/api/v1/ingest", b)
	httpReq.Header.Set("Authorization", "Host host-secret")
	res, err := httpDo(httpReq)
	if err != nil {
		e.t.Fatal(err)
	}
	var out wire.CommandsResponse
	if res.status != 200 || json.Unmarshal(res.body, &out) != nil {
		e.t.Fatalf("ingest = %d %s", res.status, res.body)
	}
	return out
}

// TestLiveFeedCompressed: a client that asks for compress=deflate gets the
// same changes frames, byte for byte once inflated, as binary messages whose
// header names the head; presence stays text; a bad value is refused.
func TestLiveFeedCompressed(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		sofia := e.login("sofia@demo.switchboard")
		head, _ := e.st.Head(t.Context())
		dial := func(after int64, compress string) *websocket.Conn {
			url := strings.Replace(e.ts.URL, "http", "ws", 1) + "/api/v1/sync/live?after=" + itoa(after) + "&token=" + sofia + "&compress=" + compress
			c, _, err := websocket.Dial(t.Context(), url, nil)
			if err != nil {
				t.Fatalf("dial live with compress=%s: %v", compress, err)
			}
			c.SetReadLimit(16 << 20)
			t.Cleanup(func() { c.CloseNow() })
			return c
		}
		var in wire.Inflater
		// next reads the next changes frame: its JSON, and (for a binary
		// message) the head its header names.
		next := func(c *websocket.Conn) (text []byte, binHead int64, binary bool) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			for {
				typ, b, err := c.Read(ctx)
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				if typ == websocket.MessageBinary {
					if binHead, err = wire.DeflateFrameHead(b); err != nil {
						t.Fatal(err)
					}
					if b, err = in.Inflate(b); err != nil {
						t.Fatal(err)
					}
				}
				var f wire.Frame
				if err := json.Unmarshal(b, &f); err != nil {
					t.Fatalf("bad frame %q: %v", b, err)
				}
				if f.Type == wire.FrameChanges {
					if typ == websocket.MessageBinary && binHead != f.Head {
						t.Errorf("the header says head %d, the frame %d", binHead, f.Head)
					}
					return append([]byte(nil), b...), binHead, typ == websocket.MessageBinary
				}
				if typ == websocket.MessageBinary {
					t.Errorf("a %s frame came compressed", f.Type)
				}
			}
		}
		// Catch-up from 0 comes compressed too.
		if _, h, bin := next(dial(0, "deflate")); !bin || h != head {
			t.Errorf("catch-up frame: binary %v head %d, want binary with head %d", bin, h, head)
		}
		plain, packed := e.liveConn(sofia, head), dial(head, "deflate")
		time.Sleep(50 * time.Millisecond) // both joined before the commit
		res := e.ingest(IngestRequest{Events: []IngestEvent{{Type: "inbound.message", Payload: json.RawMessage(
			`{"channelId":"ch-whatsapp","externalId":"wa-z1","contact":{"externalId":"+380671234567"},"text":"Стиснено <b>жирно</b>"}`)}}})
		if !res.Results[0].OK {
			t.Fatalf("ingest = %+v", res.Results[0])
		}
		want, _, bin := next(plain)
		if bin {
			t.Fatal("a client that did not ask got a compressed frame")
		}
		got, h, bin := next(packed)
		if !bin || h < res.Results[0].Seq {
			t.Errorf("live frame: binary %v head %d, want binary at or past %d", bin, h, res.Results[0].Seq)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("inflated frame differs from the text one:\n%s\n%s", got, want)
		}
		code, body := e.call("GET", "/api/v1/sync/live?after=0&compress=gzip", sofia, nil)
		wantError(t, "compress=gzip", code, body, 400, "request.bad_value")
	})
}
