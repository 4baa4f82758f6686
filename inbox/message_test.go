package inbox

import (
	"strings"
	"testing"
	"time"
)

func TestSend(t *testing.T) {
	long := strings.Repeat("я", MaxTextRunes+1)
	tests := []struct {
		name, owner, actor, payload, want string
		check                             func(t *testing.T, m *mem, id string, o *Outcome)
	}{
		{"answering a queued dialog takes it", "", "anna", `"kind":"outbound","text":"Добрый день"`, "", func(t *testing.T, m *mem, id string, o *Outcome) {
			d := m.dialogs[id]
			if d.AssigneeID != "anna" || d.Status != StatusInProgress || !hasEvent(o, EvTaken) {
				t.Errorf("dialog %s/%q after answering, want in_progress/anna with a taken event", d.Status, d.AssigneeID)
			}
			if d.Unread != 0 || d.Detailed != DetOperatorAnswered || d.FirstAnswerAt != t0 || !d.LastMessageFromTeam || d.LastMessageText != "Добрый день" {
				t.Errorf("dialog row after answer: %+v", d)
			}
			if m.messages["m1"].Delivery != DeliverySending {
				t.Errorf("delivery = %s, want sending", m.messages["m1"].Delivery)
			}
		}},
		{"answering a colleague's dialog is refused", "oleg", "anna", `"kind":"outbound","text":"hi"`, "dialog.not_yours", nil},
		{"a comment on a colleague's dialog is fine and mentions add participants", "oleg", "anna", `"kind":"comment","text":"@Taras look","mentions":["taras"]`, "", func(t *testing.T, m *mem, id string, o *Outcome) {
			if !m.dialogs[id].IsParticipant("taras") || !hasEvent(o, EvParticipantAdded) {
				t.Errorf("taras was mentioned but is not a participant")
			}
			if m.dialogs[id].LastMessageFromTeam {
				t.Errorf("a comment changed the dialog's last message")
			}
		}},
		{"mentioning someone unknown is refused", "oleg", "anna", `"kind":"comment","text":"x","mentions":["ghost"]`, "operator.not_found", nil},
		{"a private note", "anna", "anna", `"kind":"note","text":"call back at 5"`, "", nil},
		{"an empty message is refused", "anna", "anna", `"kind":"outbound","text":"   "`, "message.empty", nil},
		{"a message over 10000 characters is refused", "anna", "anna", `"kind":"outbound","text":"` + long + `"`, "message.too_long", nil},
		{"an unknown kind is refused", "anna", "anna", `"kind":"shout","text":"x"`, "message.kind", nil},
		{"replying to a message of another dialog is refused", "anna", "anna", `"kind":"outbound","text":"x","replyToId":"elsewhere"`, "message.reply_unknown", nil},
		{"an attachment without its file is refused", "anna", "anna", `"kind":"outbound","text":"","attachments":[{"name":"a.pdf"}]`, "message.attachment", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, tc.owner)
			o, err := m.run(t, tc.actor, t0, "message.send", `{"messageId":"m1","dialogId":"`+id+`",`+tc.payload+`}`)
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("message.send = %q, want %q", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, m, id, o)
			}
		})
	}
}

func TestSendIsIdempotent(t *testing.T) {
	m, id := queued(t, "anna")
	p := `{"messageId":"m1","dialogId":"` + id + `","kind":"outbound","text":"hi"}`
	m.must(t, "anna", t0, "message.send", p)
	if o := m.must(t, "anna", t0.Add(time.Second), "message.send", p); !o.Empty() {
		t.Fatalf("a resent message changed %d messages", len(o.Messages))
	}
}

func TestEditAndDeleteWindows(t *testing.T) {
	m, id := queued(t, "anna")
	m.must(t, "anna", t0, "message.send", `{"messageId":"m1","dialogId":"`+id+`","kind":"outbound","text":"hi"}`)
	m.must(t, "anna", t0, "message.send", `{"messageId":"c1","dialogId":"`+id+`","kind":"comment","text":"fyi"}`)
	tests := []struct {
		name, actor, typ, payload string
		at                        time.Duration
		want                      string
	}{
		{"the author edits within the channel's hour", "anna", "message.edit", `{"messageId":"m1","text":"hello"}`, 30 * time.Minute, ""},
		{"editing after the channel's window is refused", "anna", "message.edit", `{"messageId":"m1","text":"hey"}`, 2 * time.Hour, "message.edit_window"},
		{"only the author edits", "oleg", "message.edit", `{"messageId":"c1","text":"x"}`, 0, "message.not_author"},
		{"a comment is editable any time", "anna", "message.edit", `{"messageId":"c1","text":"fyi!"}`, 300 * time.Hour, ""},
		{"deleting on a channel without a limit works late", "anna", "message.delete", `{"messageId":"m1"}`, 300 * time.Hour, ""},
		{"a deleted message cannot be edited", "anna", "message.edit", `{"messageId":"m1","text":"x"}`, 0, "message.deleted"},
		{"an unknown message", "anna", "message.delete", `{"messageId":"nope"}`, 0, "message.not_found"},
	}
	for _, tc := range tests {
		_, err := m.run(t, tc.actor, t0.Add(tc.at), tc.typ, tc.payload)
		if got := refusalCode(err); got != tc.want {
			t.Errorf("%s: %s = %q, want %q", tc.name, tc.typ, got, tc.want)
		}
	}
	if m.messages["m1"].Text != "" || m.messages["m1"].DeletedAt.IsZero() {
		t.Errorf("deleted message still has text %q", m.messages["m1"].Text)
	}
	// A channel that cannot edit at all.
	m2 := newMem()
	d := m2.inbound(t, "mail", "c9", "e1", t0)
	m2.must(t, "taras", t0, "message.send", `{"messageId":"em","dialogId":"`+d.ID+`","kind":"outbound","text":"hi"}`)
	if _, err := m2.run(t, "taras", t0, "message.edit", `{"messageId":"em","text":"x"}`); refusalCode(err) != "message.edit_unsupported" {
		t.Errorf("editing a sent e-mail = %v, want message.edit_unsupported", err)
	}
}

func TestStartDialog(t *testing.T) {
	m := newMem()
	d := m.inbound(t, "tg", "c1", "x0", t0.Add(-100*time.Hour))
	m.must(t, "anna", t0.Add(-99*time.Hour), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
	start := func(id string) error {
		_, err := m.run(t, "anna", t0, "dialog.start", `{"dialogId":"`+id+`","clientId":"`+d.ClientID+`","channelId":"tg","messageId":"m-`+id+`","text":"Ваш заказ готов"}`)
		return err
	}
	if err := start("out1"); err != nil {
		t.Fatalf("start = %v", err)
	}
	o := m.dialogs["out1"]
	if !o.Outgoing || o.AssigneeID != "anna" || o.Status != StatusInProgress || o.Number == 0 || m.messages["m-out1"].Kind != MsgOutbound {
		t.Errorf("outgoing dialog = %+v", o)
	}
	if err := start("out1"); err != nil {
		t.Errorf("resending the same start = %v, want nothing", err)
	}
	if got := refusalCode(start("out2")); got != "dialog.already_open" {
		t.Errorf("a second start while one is open = %q, want dialog.already_open", got)
	}
	_, err := m.run(t, "anna", t0, "dialog.start", `{"dialogId":"x","clientId":"`+d.ClientID+`","channelId":"mail","messageId":"mx","text":"hi"}`)
	if got := refusalCode(err); got != "dialog.no_contact" {
		t.Errorf("starting on a channel the client never used = %q, want dialog.no_contact", got)
	}
}

func TestClientsAndTemplates(t *testing.T) {
	m := newMem()
	d := m.inbound(t, "tg", "c1", "x0", t0)
	cid := d.ClientID
	tests := []struct {
		name, actor, typ, payload, want string
	}{
		{"an operator of another line may not blacklist", "taras", "client.blacklist", `{"clientId":"` + cid + `","on":true}`, "client.blacklist_forbidden"},
		{"a supervisor blacklists", "sofia", "client.blacklist", `{"clientId":"` + cid + `","on":true}`, ""},
		{"an operator pins a client to itself", "anna", "client.pin", `{"clientId":"` + cid + `","operatorId":"anna"}`, ""},
		{"an operator may not pin a client to a colleague", "anna", "client.pin", `{"clientId":"` + cid + `","operatorId":"oleg"}`, "client.pin_forbidden"},
		{"renaming a client", "oleg", "client.rename", `{"clientId":"` + cid + `","name":"Мария (VIP)"}`, ""},
		{"renaming an unknown client", "oleg", "client.rename", `{"clientId":"nope","name":"x"}`, "client.not_found"},
		{"a note on a client", "oleg", "client.note.add", `{"clientId":"` + cid + `","noteId":"n1","text":"prefers calls"}`, ""},
		{"an operator saves a personal template", "anna", "template.save", `{"templateId":"t1","title":"Hi","text":"Hello!"}`, ""},
		{"an operator may not save a global template", "anna", "template.save", `{"templateId":"t2","title":"Hi","text":"Hello!","global":true}`, "template.forbidden"},
		{"a supervisor saves a global template", "sofia", "template.save", `{"templateId":"t3","title":"Hi","text":"Hello!","global":true}`, ""},
		{"a template cannot change owner", "sofia", "template.save", `{"templateId":"t3","title":"Hi","text":"mine"}`, "template.owner"},
		{"an operator may not delete a colleague's template", "oleg", "template.delete", `{"templateId":"t1"}`, "template.forbidden"},
		{"the owner deletes its template", "anna", "template.delete", `{"templateId":"t1"}`, ""},
	}
	for _, tc := range tests {
		_, err := m.run(t, tc.actor, t0, tc.typ, tc.payload)
		if got := refusalCode(err); got != tc.want {
			t.Errorf("%s: %s = %q, want %q", tc.name, tc.typ, got, tc.want)
		}
	}
	if !m.dialogs[d.ID].ClientBlacklisted {
		t.Errorf("blacklisting did not mark the client's open dialog")
	}
	if c := m.clients[cid]; c.Name() != "Мария (VIP)" || c.PinnedOperatorID != "anna" {
		t.Errorf("client = %+v", c)
	}
	if _, ok := m.templates["t1"]; ok {
		t.Errorf("deleted template still there")
	}
}

func TestDelivery(t *testing.T) {
	m, id := queued(t, "anna")
	m.must(t, "anna", t0, "message.send", `{"messageId":"m1","dialogId":"`+id+`","kind":"outbound","text":"hi"}`)
	steps := []struct {
		payload string
		want    Delivery
	}{
		{`{"channelId":"tg","messageId":"m1","externalId":"tg-77","state":"sent"}`, DeliverySent},
		{`{"channelId":"tg","externalId":"tg-77","state":"read"}`, DeliveryRead},
		{`{"channelId":"tg","externalId":"tg-77","state":"delivered"}`, DeliveryRead}, // never backwards
	}
	for _, s := range steps {
		m.must(t, "", t0, "inbound.delivery", s.payload)
		if got := m.messages["m1"].Delivery; got != s.want {
			t.Errorf("after %s: delivery %s, want %s", s.payload, got, s.want)
		}
	}
	if m.messages["m1"].ExternalID != "tg-77" {
		t.Errorf("the channel's id was not recorded")
	}
}

func TestDecodeCommand(t *testing.T) {
	tests := []struct {
		typ, payload, want, field string
	}{
		{"dialog.launch", `{}`, "command.unknown", ""},
		{"dialog.take", `{"dialogId": 5}`, "command.malformed", "dialogId"},
		{"dialog.take", `{"dialogId": "a", "force": true}`, "command.malformed", "force"},
		{"dialog.take", `{}`, "command.malformed", "dialogId"},
		{"dialog.take", `{"dialogId": "a"} {}`, "command.malformed", ""},
		{"dialog.take", `not json`, "command.malformed", ""},
		{"dialog.take", `{"dialogId": "a"}`, "", ""},
	}
	for _, tc := range tests {
		_, err := DecodeCommand(tc.typ, []byte(tc.payload))
		if got := refusalCode(err); got != tc.want {
			t.Errorf("DecodeCommand(%s, %s) = %q, want %q", tc.typ, tc.payload, got, tc.want)
			continue
		}
		if r, ok := AsRefusal(err); ok && tc.field != "" && r.Args["field"] != tc.field {
			t.Errorf("DecodeCommand(%s, %s) names field %q, want %q", tc.typ, tc.payload, r.Args["field"], tc.field)
		}
	}
	if n := len(CommandTypes()); n < 25 {
		t.Errorf("CommandTypes() = %d commands, want every rule registered", n)
	}
}

func FuzzDecodeCommand(f *testing.F) {
	for _, typ := range CommandTypes() {
		f.Add(typ, []byte(`{"dialogId":"d","messageId":"m","kind":"outbound","text":"hi","until":"2026-01-01T00:00:00Z"}`))
	}
	f.Add("inbound.message", []byte(`{"channelId":"tg","externalId":"1","contact":{"externalId":"c"},"text":"\u0000<script>"}`))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		cmd, err := DecodeCommand(typ, payload)
		if err != nil {
			if _, ok := AsRefusal(err); !ok {
				t.Fatalf("DecodeCommand error %v is not a refusal", err)
			}
			return
		}
		// Whatever decodes must execute without panicking.
		m := newMem()
		_, _ = cmd.Execute(m, m.env("anna", t0))
		_, _ = cmd.Execute(m, m.env("", t0))
	})
}

func TestInboundAction(t *testing.T) {
	m := newMem()
	p := `{"channelId":"tg","externalId":"act-1","contact":{"externalId":"c1"},"action":"paid","detail":"order 4815"}`
	if o := m.must(t, "", t0, "inbound.action", p); !o.Empty() {
		t.Fatalf("an action of a client who never wrote stored %d messages", len(o.Messages))
	}
	d := m.inbound(t, "tg", "c1", "x0", t0)
	o := m.must(t, "", t0, "inbound.action", p)
	if len(o.Messages) != 1 || o.Messages[0].Kind != MsgSystem || o.Messages[0].DialogID != d.ID || o.Messages[0].Text != "paid: order 4815" {
		t.Fatalf("action = %+v, want a system line in the client's dialog", o.Messages)
	}
	if o := m.must(t, "", t0, "inbound.action", p); !o.Empty() {
		t.Fatalf("a redelivered action was stored twice")
	}
	if _, err := m.run(t, "", t0, "inbound.action", `{"channelId":"tg","externalId":"a","contact":{"externalId":"c1"}}`); refusalCode(err) != "command.malformed" {
		t.Fatalf("an action without its name = %v", err)
	}
}
