package relay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"switchboard/inbox"
	"switchboard/server"
	"switchboard/server/relay"
	"switchboard/server/store"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// addChannel configures a channel of the test connector (id is its plugin
// id: echo, or quiet) in the support line, listening on listen, and
// installs the plugin.
func (e *env) addChannel(channelID, pluginID, bin, listen string) {
	e.t.Helper()
	ctx := context.Background()
	ch := &inbox.Channel{ID: channelID, Name: pluginID, Kind: inbox.KindCustom, ConnectorID: pluginID, LineID: "line-support", State: inbox.ChannelActive}
	if err := e.st.PutChannelSettings(ctx, ch.ID, fmt.Appendf(nil, `{"greeting":"hi","listen":%q}`, listen)); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Write(ctx, func(tx store.Tx) error { _, err := tx.PutOrg(wire.KindChannel, ch.ID, ch); return err }); err != nil {
		e.t.Fatal(err)
	}
	installPlugin(e.t, e.plugins, pluginID, pluginID, bin, e.key)
}

// testChannel is the customer's side of a test connector's channel.
type testChannel struct {
	t      *testing.T
	listen string
}

// write makes the channel receive text from the customer from.
func (c testChannel) write(from, text string) {
	c.t.Helper()
	res, err := http.Post("http://"+c.listen+"/in?"+url.Values{"text": {text}, "from": {from}}.Encode(), "", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		c.t.Fatalf("POST /in = %s", res.Status)
	}
}

// calls are the typing and read calls the plugin heard.
func (c testChannel) calls() []string {
	c.t.Helper()
	var out []string
	call(c.t, http.DefaultClient, "GET", "http://"+c.listen+"/calls", "", nil, &out)
	return out
}

// TestOperatorsTypingAndReadingReachTheCustomersChannel: an operator
// typing a reply in the app shows on the customer's channel (through the
// real plugin subprocess), at most once per TypingEvery per dialog; typing
// a comment never does; reading the customer's messages sends a read
// receipt up to the customer's last message. A plugin that does not
// declare typing and read receipts is never called for them, although it
// would take them. On PostgreSQL the operator is connected to another
// server instance than the one running the channels, so all of it crosses
// instances.
func TestOperatorsTypingAndReadingReachTheCustomersChannel(t *testing.T) {
	for _, b := range []struct {
		name string
		open func(t *testing.T) (relayStore, otherStore store.Store)
	}{
		{"sqlite", func(t *testing.T) (store.Store, store.Store) { return backends[0].open(t), nil }},
		{"postgres", func(t *testing.T) (store.Store, store.Store) {
			dsn := pgtest.Schema(t)
			var sts [2]store.Store
			for i := range sts {
				s, err := sqlstore.OpenPostgres(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				sts[i] = s
			}
			return sts[0], sts[1]
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st, other := b.open(t)
			// Typing goes on at most once an hour per dialog: the test
			// sees the second frame dropped without timing anything.
			e := newEnv(t, st, "", func(c *relay.Config) { c.TypingEvery = time.Hour })
			echo, quiet := testChannel{t, freeAddr(t)}, testChannel{t, freeAddr(t)}
			e.addChannel("ch-echo", "echo", echoBin, echo.listen)
			e.addChannel("ch-quiet", "quiet", quietBin, quiet.listen)
			eventually(t, "both channels running with their capabilities recorded", func() bool {
				org, err := e.st.Org(ctx)
				if err != nil || org.Channels["ch-echo"] == nil || org.Channels["ch-quiet"] == nil {
					return false
				}
				ec, qc := org.Channels["ch-echo"].Capabilities, org.Channels["ch-quiet"].Capabilities
				return ec.StartByPhone && ec.Typing && ec.ReadReceipts && qc.StartByPhone && !qc.Typing && !qc.ReadReceipts
			})

			// The operator works on another instance when there is one.
			api := e.api.URL
			if other != nil {
				srv2 := server.New(server.Config{Store: other})
				ctx2, stop2 := context.WithCancel(ctx)
				go srv2.Run(ctx2)
				api2 := httptest.NewServer(srv2.Handler())
				t.Cleanup(func() { api2.Close(); stop2(); other.Close() })
				api = api2.URL
			}
			taras := e.login("taras@demo.switchboard")

			echo.write("u2", "Where is my parcel?")
			echo.write("u3", "Do you ship to Lviv?")
			quiet.write("u2", "Hello from the quiet channel")
			var first, second, quietMsg *inbox.Message
			eventually(t, "the customers' messages at the server", func() bool {
				first, second, quietMsg = e.messageWith(taras, "Where is my parcel?"), e.messageWith(taras, "Do you ship to Lviv?"), e.messageWith(taras, "Hello from the quiet channel")
				return first != nil && second != nil && quietMsg != nil
			})

			wsURL := "ws" + api[len("http"):] + "/api/v1/sync/live?after=0&token=" + url.QueryEscape(taras)
			conn, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{wire.ProtocolHeader: {"1"}}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.CloseNow()
			go func() { // read the feed so the server never drops the connection
				for {
					if _, _, err := conn.Read(ctx); err != nil {
						return
					}
				}
			}()
			typing := func(dialogID string, reply bool) {
				t.Helper()
				if err := wsjson.Write(ctx, conn, wire.Frame{Type: wire.FrameTyping, DialogID: dialogID, Typing: true, Reply: reply}); err != nil {
					t.Fatal(err)
				}
			}
			// A comment's typing, a reply's twice, the quiet channel's
			// reply, then the second dialog's reply. The frames of one
			// connection pass in order, so when the second dialog's typing
			// has arrived, the plugins have had everything before it.
			typing(first.DialogID, false)
			typing(first.DialogID, true)
			typing(first.DialogID, true)
			typing(quietMsg.DialogID, true)
			typing(second.DialogID, true)
			want := []string{"typing u2 Підтримка", "typing u3 Підтримка"} // line-support shows the line's name
			eventually(t, "the second dialog's typing at the channel", func() bool { return len(echo.calls()) >= 2 })
			if got := echo.calls(); !slices.Equal(got, want) {
				t.Errorf("the channel heard %q, want %q: a comment's typing never, a dialog's at most once in TypingEvery", got, want)
			}

			// The operator reads the three dialogs (the second last, so
			// its receipt arriving means the others were decided).
			var res wire.CommandsResponse
			var cmds []wire.CommandEnvelope
			for i, d := range []string{first.DialogID, quietMsg.DialogID, second.DialogID} {
				p, _ := json.Marshal(map[string]string{"dialogId": d})
				cmds = append(cmds, wire.CommandEnvelope{ID: fmt.Sprintf("read-%d", i), Type: "dialog.read", Payload: p})
			}
			call(t, http.DefaultClient, "POST", api+"/api/v1/commands", taras, wire.CommandsRequest{Commands: cmds}, &res)
			for _, r := range res.Results {
				if !r.OK {
					t.Fatalf("dialog.read = %+v", res)
				}
			}
			want = append(want, "read u2 "+first.ExternalID, "read u3 "+second.ExternalID)
			eventually(t, "the second dialog's read receipt at the channel", func() bool { return len(echo.calls()) >= 4 })
			if got := echo.calls(); !slices.Equal(got, want) {
				t.Errorf("the channel heard %q, want %q", got, want)
			}
			if got := quiet.calls(); len(got) != 0 {
				t.Errorf("the channel that declares neither typing nor read receipts heard %q", got)
			}
			// Reading a dialog already read sends nothing again.
			p, _ := json.Marshal(map[string]string{"dialogId": first.DialogID})
			call(t, http.DefaultClient, "POST", api+"/api/v1/commands", taras,
				wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "read-again", Type: "dialog.read", Payload: p}}}, &res)
			echo.write("u3", "Hello?")
			eventually(t, "the follow-up at the server", func() bool { return e.messageWith(taras, "Hello?") != nil })
			follow := e.messageWith(taras, "Hello?")
			p, _ = json.Marshal(map[string]string{"dialogId": follow.DialogID})
			call(t, http.DefaultClient, "POST", api+"/api/v1/commands", taras,
				wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "read-follow", Type: "dialog.read", Payload: p}}}, &res)
			want = append(want, "read u3 "+follow.ExternalID)
			eventually(t, "the follow-up's read receipt", func() bool { return len(echo.calls()) >= 5 })
			if got := echo.calls(); !slices.Equal(got, want) {
				t.Errorf("the channel heard %q, want %q", got, want)
			}

			// Marking a whole tab read: more dialogs than one signal
			// carries, all in one request, every receipt arrives.
			const many = 45
			for i := range many {
				echo.write(fmt.Sprintf("bulk-%d", i), fmt.Sprintf("bulk question %d", i))
			}
			cmds = nil
			eventually(t, "the bulk questions at the server", func() bool {
				cmds = cmds[:0]
				for i := range many {
					m := e.messageWith(taras, fmt.Sprintf("bulk question %d", i))
					if m == nil {
						return false
					}
					p, _ := json.Marshal(map[string]string{"dialogId": m.DialogID})
					cmds = append(cmds, wire.CommandEnvelope{ID: fmt.Sprintf("bulk-read-%d", i), Type: "dialog.read", Payload: p})
				}
				return true
			})
			call(t, http.DefaultClient, "POST", api+"/api/v1/commands", taras, wire.CommandsRequest{Commands: cmds}, &res)
			eventually(t, "every bulk read receipt at the channel", func() bool { return len(echo.calls()) >= len(want)+many })
			got := map[string]bool{}
			for _, c := range echo.calls()[len(want):] {
				got[c] = true
			}
			for i := range many {
				if !slices.ContainsFunc(echo.calls(), func(c string) bool { return strings.HasPrefix(c, fmt.Sprintf("read bulk-%d ", i)) }) {
					t.Errorf("no read receipt for bulk-%d", i)
				}
			}
			if len(got) != many {
				t.Errorf("the bulk read made %d distinct calls, want %d", len(got), many)
			}
		})
	}
}

// TestAnApprovedTemplateReachesTheChannelAsATemplate: an operator's
// message.send and dialog.start carrying the channel's approved template
// (WhatsApp's way to write first or after 24 hours) reach the plugin as a
// template with its name, language and parameters, not as free text; a
// template on a comment or with files is refused before it is stored.
func TestAnApprovedTemplateReachesTheChannelAsATemplate(t *testing.T) {
	e := newEnv(t, backends[0].open(t), "")
	ctx := context.Background()
	echo := testChannel{t, freeAddr(t)}
	e.addChannel("ch-echo", "echo", echoBin, echo.listen)
	eventually(t, "the echo channel running", func() bool {
		org, err := e.st.Org(ctx)
		return err == nil && org.Channels["ch-echo"] != nil && org.Channels["ch-echo"].Capabilities.StartByPhone
	})
	taras := e.login("taras@demo.switchboard")
	echo.write("u2", "Any news on order 42?")
	var in *inbox.Message
	eventually(t, "the customer's message at the server", func() bool { in = e.messageWith(taras, "Any news on order 42?"); return in != nil })
	command := func(id, typ string, payload any) wire.CommandResult {
		t.Helper()
		p, _ := json.Marshal(payload)
		var res wire.CommandsResponse
		call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/commands", taras,
			wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: id, Type: typ, Payload: p}}}, &res)
		if len(res.Results) != 1 {
			t.Fatalf("%s = %+v", typ, res)
		}
		return res.Results[0]
	}
	tpl := map[string]any{"name": "order_shipped", "language": "en_US", "params": []string{"42", "Friday"}}
	if r := command("c-tpl", "message.send", map[string]any{"messageId": "m-tpl", "dialogId": in.DialogID, "kind": "outbound",
		"text": "Order 42 ships on Friday", "template": tpl}); !r.OK {
		t.Fatalf("message.send with a template = %+v", r)
	}
	for _, bad := range []struct {
		what    string
		payload map[string]any
		code    string
	}{
		{"a comment", map[string]any{"messageId": "m-c", "dialogId": in.DialogID, "kind": "comment", "text": "x", "template": tpl}, "message.template_invalid"},
		{"no language", map[string]any{"messageId": "m-l", "dialogId": in.DialogID, "kind": "outbound", "text": "x",
			"template": map[string]any{"name": "order_shipped"}}, "message.template_invalid"},
		{"files beside it", map[string]any{"messageId": "m-f", "dialogId": in.DialogID, "kind": "outbound", "text": "x", "template": tpl,
			"attachments": []map[string]any{{"blobId": strings.Repeat("ab", 32), "name": "a.pdf", "mime": "application/pdf", "size": 3}}}, "message.template_attachments"},
	} {
		if r := command("c-"+bad.what, "message.send", bad.payload); r.OK || r.Code != bad.code {
			t.Errorf("a template on %s = %+v, want refused with %s", bad.what, r, bad.code)
		}
	}
	// Starting a dialog by phone with a template.
	if r := command("c-start", "dialog.start", map[string]any{"dialogId": "d-tpl", "clientId": "cl-tpl", "channelId": "ch-echo",
		"messageId": "m-start", "text": "Your order is ready", "template": map[string]any{"name": "order_ready", "language": "uk"},
		"contact": map[string]string{"externalId": "380501234567", "handle": "+380 50 123 45 67", "name": "Мирослава"}}); !r.OK {
		t.Fatalf("dialog.start with a template = %+v", r)
	}
	want := []string{"template u2 order_shipped en_US 42,Friday", "template 380501234567 order_ready uk "}
	eventually(t, "both templates at the channel", func() bool { return len(echo.calls()) >= 2 })
	if got := echo.calls(); !slices.Equal(got, want) {
		t.Errorf("the channel got %q, want %q", got, want)
	}
	eventually(t, "the template recorded as sent", func() bool {
		ms, _ := e.st.Messages(ctx, in.DialogID)
		for _, m := range ms {
			if m.ID == "m-tpl" {
				return m.Delivery == inbox.DeliverySent && m.Template != nil && m.Template.Name == "order_shipped"
			}
		}
		return false
	})
}
