package inbox

import (
	"testing"
	"time"
)

// withChannels is the fixture plus channels with the windows real
// connectors declare: Telegram deletes for 48 hours and edits for ever, VK
// edits and deletes for 24 hours.
func withChannels() *mem {
	m := newMem()
	m.org.Channels["tg48"] = &Channel{ID: "tg48", Kind: KindTelegram, LineID: "sales",
		Capabilities: Capabilities{EditWindowSeconds: -1, DeleteWindowSeconds: 48 * 3600, ReplyTo: true}}
	m.org.Channels["vk"] = &Channel{ID: "vk", Kind: KindVK, LineID: "sales",
		Capabilities: Capabilities{EditWindowSeconds: 24 * 3600, DeleteWindowSeconds: 24 * 3600, ReplyTo: true}}
	return m
}

func TestChangeWindowsByChannel(t *testing.T) {
	const (
		sent    = "sent"    // the channel took it and named it
		queued  = "queued"  // stored, not yet handed over
		refused = "refused" // the channel refused it for good
	)
	tests := []struct {
		name, channel, actor, state string
		what                        Change
		age                         time.Duration
		want                        string
		wantChange                  Delivery // the message's ChangeDelivery after an accepted change
	}{
		{"Telegram edits a day-old message", "tg48", "anna", sent, ChangeEdit, 300 * time.Hour, "", DeliverySending},
		{"Telegram deletes within 48 hours", "tg48", "anna", sent, ChangeDelete, 47 * time.Hour, "", DeliverySending},
		{"Telegram deletes at exactly 48 hours", "tg48", "anna", sent, ChangeDelete, 48 * time.Hour, "", DeliverySending},
		{"Telegram refuses a delete after 48 hours", "tg48", "anna", sent, ChangeDelete, 48*time.Hour + time.Second, "message.delete_window", ""},
		{"VK edits within 24 hours", "vk", "anna", sent, ChangeEdit, 23 * time.Hour, "", DeliverySending},
		{"VK refuses an edit after 24 hours", "vk", "anna", sent, ChangeEdit, 25 * time.Hour, "message.edit_window", ""},
		{"VK deletes within 24 hours", "vk", "anna", sent, ChangeDelete, time.Hour, "", DeliverySending},
		{"VK refuses a delete after 24 hours", "vk", "anna", sent, ChangeDelete, 25 * time.Hour, "message.delete_window", ""},
		{"e-mail cannot edit a sent message", "mail", "taras", sent, ChangeEdit, time.Minute, "message.edit_unsupported", ""},
		{"e-mail cannot delete a sent message", "mail", "taras", sent, ChangeDelete, time.Minute, "message.delete_unsupported", ""},
		{"a message the channel refused is deleted any time, nothing travels", "mail", "taras", refused, ChangeDelete, 300 * time.Hour, "", ""},
		{"a queued message is edited in place: its send carries the text", "vk", "anna", queued, ChangeEdit, time.Minute, "", ""},
		{"a queued message keeps the channel's window", "vk", "anna", queued, ChangeEdit, 25 * time.Hour, "message.edit_window", ""},
		{"only the author edits", "vk", "oleg", sent, ChangeEdit, time.Minute, "message.not_author", ""},
		{"only the author deletes", "tg48", "oleg", sent, ChangeDelete, time.Minute, "message.not_author", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := withChannels()
			d := m.inbound(t, tc.channel, "c1", "in-1", t0.Add(-time.Minute))
			m.must(t, tc.actor, t0, "dialog.take", `{"dialogId":"`+d.ID+`"}`)
			if tc.actor == "oleg" {
				// The author is anna; oleg shares her line and sees the dialog.
				m.dialogs[d.ID].AssigneeID = "anna"
				m.must(t, "anna", t0, "message.send", `{"messageId":"m1","dialogId":"`+d.ID+`","kind":"outbound","text":"hi"}`)
			} else {
				m.must(t, tc.actor, t0, "message.send", `{"messageId":"m1","dialogId":"`+d.ID+`","kind":"outbound","text":"hi"}`)
			}
			switch tc.state {
			case sent:
				m.must(t, "", t0, "inbound.delivery", `{"channelId":"`+tc.channel+`","messageId":"m1","externalId":"x-1","state":"sent"}`)
			case refused:
				m.must(t, "", t0, "inbound.delivery", `{"channelId":"`+tc.channel+`","messageId":"m1","state":"failed","reason":"blocked"}`)
			}
			typ, payload := "message.edit", `{"messageId":"m1","text":"hello"}`
			if tc.what == ChangeDelete {
				typ, payload = "message.delete", `{"messageId":"m1"}`
			}
			_, err := m.run(t, tc.actor, t0.Add(tc.age), typ, payload)
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("%s after %v = %q, want %q", typ, tc.age, got, tc.want)
			}
			if got := m.messages["m1"].ChangeDelivery; got != tc.wantChange {
				t.Errorf("change delivery = %q, want %q", got, tc.wantChange)
			}
			if r, ok := AsRefusal(err); ok && tc.want == "message."+string(tc.what)+"_window" && r.Args["seconds"] == "" {
				t.Errorf("the window refusal does not say how long the window is")
			}
		})
	}
}

func TestMayChangeAgreesWithTheCommands(t *testing.T) {
	m := withChannels()
	d := m.inbound(t, "tg48", "c1", "in-1", t0)
	m.must(t, "anna", t0, "message.send", `{"messageId":"m1","dialogId":"`+d.ID+`","kind":"outbound","text":"hi"}`)
	m.must(t, "", t0, "inbound.delivery", `{"channelId":"tg48","messageId":"m1","externalId":"x-1","state":"sent"}`)
	ch := m.org.Channels["tg48"]
	msg := m.messages["m1"]
	deadline := ChangeDeadline(ch, msg, ChangeDelete)
	if want := t0.Add(48 * time.Hour); !deadline.Equal(want) {
		t.Fatalf("delete deadline = %v, want %v", deadline, want)
	}
	if !ChangeDeadline(ch, msg, ChangeEdit).IsZero() {
		t.Errorf("Telegram edits without limit, but the edit has a deadline")
	}
	for _, at := range []time.Time{deadline.Add(-time.Second), deadline, deadline.Add(time.Second)} {
		allowed := MayChange(ch, "anna", msg, ChangeDelete, at) == nil
		if want := !at.After(deadline); allowed != want {
			t.Errorf("MayChange(delete at deadline%+v) = %v, want %v", at.Sub(deadline), allowed, want)
		}
	}
	in := m.messages[d.LastMessageID]
	if in == nil || in.Kind != MsgInbound {
		t.Fatalf("no inbound message to check")
	}
	if got := refusalCode(MayChange(ch, "anna", in, ChangeEdit, t0)); got != "message.not_author" {
		t.Errorf("editing the customer's message = %q, want message.not_author", got)
	}
}

func TestAChangeTravelsAndItsDeliveryIsRecorded(t *testing.T) {
	m := withChannels()
	d := m.inbound(t, "vk", "c1", "in-1", t0)
	m.must(t, "anna", t0, "message.send", `{"messageId":"m1","dialogId":"`+d.ID+`","kind":"outbound","text":"hi"}`)
	m.must(t, "", t0, "inbound.delivery", `{"channelId":"vk","messageId":"m1","externalId":"x-1","state":"sent"}`)
	m.must(t, "anna", t0.Add(time.Minute), "message.edit", `{"messageId":"m1","text":"hello"}`)
	first := ChangeVersion(m.messages["m1"])
	m.must(t, "anna", t0.Add(2*time.Minute), "message.edit", `{"messageId":"m1","text":"hello!"}`)
	second := ChangeVersion(m.messages["m1"])
	if first == 0 || second <= first {
		t.Fatalf("change versions %d then %d, want increasing", first, second)
	}
	report := func(version int64, state, reason string) string {
		_, err := m.run(t, "", t0.Add(3*time.Minute), "inbound.change_delivery",
			`{"channelId":"vk","messageId":"m1","version":`+itoa(version)+`,"state":"`+state+`","reason":"`+reason+`"}`)
		return refusalCode(err)
	}
	if got := report(first, "sent", ""); got != "" || m.messages["m1"].ChangeDelivery != DeliverySending {
		t.Errorf("a report on the older edit = %q, change delivery %q; want it ignored while the newer travels", got, m.messages["m1"].ChangeDelivery)
	}
	if got := report(second, "failed", "message too old"); got != "" {
		t.Fatalf("report = %q", got)
	}
	if x := m.messages["m1"]; x.ChangeDelivery != DeliveryFailed || x.ChangeFailReason != "message too old" {
		t.Errorf("after a failed edit: %q %q", x.ChangeDelivery, x.ChangeFailReason)
	}
	if _, err := m.run(t, "anna", t0, "inbound.change_delivery", `{"channelId":"vk","messageId":"m1","version":1,"state":"sent"}`); refusalCode(err) != "command.forbidden" {
		t.Errorf("an operator reporting a change's delivery = %v, want command.forbidden", err)
	}
	if _, err := m.run(t, "", t0, "inbound.change_delivery", `{"channelId":"vk","messageId":"m1","version":1,"state":"read"}`); refusalCode(err) != "command.malformed" {
		t.Errorf("a change reported read = %v, want command.malformed", err)
	}
	// Deleting the last message clears the dialog's preview of it.
	m.must(t, "anna", t0.Add(4*time.Minute), "message.delete", `{"messageId":"m1"}`)
	if got := m.dialogs[d.ID].LastMessageText; got != "" {
		t.Errorf("the dialog still previews the deleted message: %q", got)
	}
	if m.messages["m1"].ChangeDelivery != DeliverySending || m.messages["m1"].Text != "" {
		t.Errorf("deleted message = %+v, want its text gone and the delete travelling", m.messages["m1"])
	}
}

func TestReplyTo(t *testing.T) {
	m := withChannels()
	d := m.inbound(t, "tg48", "c1", "in-1", t0)
	in := d.LastMessageID
	m.must(t, "oleg", t0, "message.send", `{"messageId":"n-oleg","dialogId":"`+d.ID+`","kind":"note","text":"mine"}`)
	m.must(t, "anna", t0, "message.send", `{"messageId":"n-anna","dialogId":"`+d.ID+`","kind":"note","text":"call back"}`)
	tests := []struct {
		name, replyTo, want string
	}{
		{"a reply to the customer's message", in, ""},
		{"a reply to one's own note", "n-anna", ""},
		{"a reply to a colleague's private note is refused", "n-oleg", "message.reply_unknown"},
		{"a reply to a message that does not exist is refused", "nope", "message.reply_unknown"},
	}
	for i, tc := range tests {
		_, err := m.run(t, "anna", t0, "message.send", `{"messageId":"r`+itoa(int64(i))+`","dialogId":"`+d.ID+`","kind":"outbound","text":"yes","replyToId":"`+tc.replyTo+`"}`)
		if got := refusalCode(err); got != tc.want {
			t.Errorf("%s: message.send = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := m.messages["r0"].ReplyToID; got != in {
		t.Errorf("the reply's replyToId = %q, want %q", got, in)
	}
}
