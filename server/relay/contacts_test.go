package relay_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// addEchoChannel configures a channel of the plugin tests' connector in
// the support line and installs the plugin.
func (e *env) addEchoChannel() {
	e.t.Helper()
	ctx := context.Background()
	ch := &inbox.Channel{ID: "ch-echo", Name: "Echo phone", Kind: inbox.KindCustom, ConnectorID: "echo", LineID: "line-support", State: inbox.ChannelActive}
	if err := e.st.PutChannelSettings(ctx, ch.ID, []byte(`{"greeting":"hi"}`)); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Write(ctx, func(tx store.Tx) error { _, err := tx.PutOrg(wire.KindChannel, ch.ID, ch); return err }); err != nil {
		e.t.Fatal(err)
	}
	installPlugin(e.t, e.plugins, "echo", "Echo (test)", echoBin, e.key)
}

func TestStartingADialogByPhoneAsksTheChannel(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, b.open(t), "")
			e.addEchoChannel()
			ctx := context.Background()
			// The channel's capabilities come from its running connector.
			eventually(t, "the echo channel recorded as able to start by phone", func() bool {
				org, err := e.st.Org(ctx)
				return err == nil && org.Channels["ch-echo"] != nil && org.Channels["ch-echo"].Capabilities.StartByPhone
			})
			taras, anna := e.login("taras@demo.switchboard"), e.login("anna@demo.switchboard")
			check := func(token, channel, phone string) (int, wire.ContactCheck, wire.Error) {
				var raw json.RawMessage
				code := call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/channels/"+channel+"/check-contact", token, wire.ContactCheckRequest{Phone: phone}, &raw)
				var ok wire.ContactCheck
				var bad wire.Error
				if code == 200 {
					_ = json.Unmarshal(raw, &ok)
				} else {
					_ = json.Unmarshal(raw, &bad)
				}
				return code, ok, bad
			}
			code, got, _ := check(taras, "ch-echo", "+380 (50) 123-45-67")
			if code != 200 || !got.Reachable || got.ChatID != "380501234567" {
				t.Fatalf("check of a good number = %d %+v, want reachable as 380501234567", code, got)
			}
			if code, got, _ := check(taras, "ch-echo", "+380 50 123 0000"); code != 200 || got.Reachable {
				t.Errorf("check of a number not on the channel = %d %+v, want unreachable", code, got)
			}
			for _, c := range []struct {
				what, token, channel, phone string
				status                      int
				code                        string
			}{
				{"a malformed number, in the channel's words", taras, "ch-echo", "12ab", 422, "contact.phone_invalid"},
				{"no number", taras, "ch-echo", "  ", 422, "contact.empty"},
				{"an operator outside the channel's line", anna, "ch-echo", "+380501234567", 404, "channel.not_found"},
				{"a channel that cannot start by phone", taras, "ch-webchat", "+380501234567", 422, "channel.no_start_by_phone"},
			} {
				code, _, e := check(c.token, c.channel, c.phone)
				if code != c.status || e.Code != c.code || e.Message == "" {
					t.Errorf("%s: check-contact = %d %+v, want %d %s", c.what, code, e, c.status, c.code)
				}
			}

			// The operator writes first; the message goes out through the
			// channel to the number the check gave.
			payload, _ := json.Marshal(map[string]any{"dialogId": "d-phone-1", "clientId": "cl-phone-1", "channelId": "ch-echo",
				"messageId": "m-phone-1", "text": "Ваш заказ готов",
				"contact": map[string]string{"externalId": got.ChatID, "handle": "+380 50 123 45 67", "name": "Мирослава"}})
			var res wire.CommandsResponse
			call(t, http.DefaultClient, "POST", e.api.URL+"/api/v1/commands", taras,
				wire.CommandsRequest{Commands: []wire.CommandEnvelope{{ID: "cmd-phone-1", Type: "dialog.start", Payload: payload}}}, &res)
			if len(res.Results) != 1 || !res.Results[0].OK {
				t.Fatalf("dialog.start by phone = %+v", res)
			}
			eventually(t, "the first message handed to the channel", func() bool {
				ms, _ := e.st.Messages(ctx, "d-phone-1")
				return len(ms) == 1 && ms[0].Delivery == inbox.DeliverySent && ms[0].ExternalID == "out-m-phone-1"
			})
			d, err := e.st.Dialog(ctx, "d-phone-1")
			if err != nil || d.ClientID != "cl-phone-1" || d.AssigneeID != "op-taras" || !d.Outgoing {
				t.Fatalf("dialog = %+v, %v; want taras's outgoing dialog with the new client", d, err)
			}
		})
	}
}
