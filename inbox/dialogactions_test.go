package inbox

import (
	"fmt"
	"testing"
	"time"
)

// The rules behind the operator's dialog actions: the blacklist, pinning a
// client to an operator, snoozing, spam and outgoing dialogs.

func TestBlacklistRules(t *testing.T) {
	tests := []struct {
		name  string
		owner string // who holds the client's open dialog ("" queued)
		actor string
		on    bool
		want  string
	}{
		{"the operator handling the dialog blacklists its client", "anna", "anna", true, ""},
		{"a line operator blacklists the client of a queued dialog", "", "oleg", true, ""},
		{"a colleague may not blacklist the client of someone's dialog", "anna", "oleg", true, "client.blacklist_forbidden"},
		{"an operator of another line may not blacklist", "", "taras", true, "client.blacklist_forbidden"},
		{"a supervisor blacklists anyone's client", "anna", "sofia", true, ""},
		{"an operator may not unblock (no Blacklist tab)", "anna", "anna", false, "client.unblock_forbidden"},
		{"a supervisor unblocks", "anna", "sofia", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, tc.owner)
			cid := m.dialogs[id].ClientID
			if !tc.on {
				m.must(t, "sofia", t0, "client.blacklist", `{"clientId":"`+cid+`","on":true}`)
			}
			_, err := m.run(t, tc.actor, t0, "client.blacklist", fmt.Sprintf(`{"clientId":%q,"on":%v}`, cid, tc.on))
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("client.blacklist(on=%v) by %s = %q, want %q", tc.on, tc.actor, got, tc.want)
			}
			if tc.want != "" {
				return
			}
			if m.clients[cid].Blacklisted != tc.on || m.dialogs[id].ClientBlacklisted != tc.on {
				t.Errorf("after blacklist(on=%v): client %v, dialog %v", tc.on, m.clients[cid].Blacklisted, m.dialogs[id].ClientBlacklisted)
			}
		})
	}
}

func TestBlacklistFlagsTheNewestDialogs(t *testing.T) {
	m := newMem()
	old := m.inbound(t, "tg", "c1", "x0", t0.Add(-100*time.Hour))
	m.must(t, "anna", t0.Add(-99*time.Hour), "dialog.close", `{"dialogId":"`+old.ID+`"}`)
	cid := old.ClientID
	m.must(t, "sofia", t0, "client.blacklist", `{"clientId":"`+cid+`","on":true}`)
	if !m.dialogs[old.ID].ClientBlacklisted {
		t.Fatalf("a blacklisted client's closed newest dialog is not in the Blacklist tab")
	}

	// The client writes on, past the reopen window: a new dialog, kept out
	// of the queue; the old one hands the flag over.
	o := m.must(t, "", t0.Add(time.Hour), "inbound.message", `{"channelId":"tg","externalId":"x1","contact":{"externalId":"c1"},"text":"spam"}`)
	fresh := m.dialogs[o.Dialogs[0].ID]
	if fresh.ID == old.ID || !fresh.ClientBlacklisted || fresh.Status != StatusUnassigned {
		t.Fatalf("new dialog = %s/%v, want a new unassigned blacklisted dialog", fresh.Status, fresh.ClientBlacklisted)
	}
	if m.dialogs[old.ID].ClientBlacklisted {
		t.Errorf("the older dialog kept the flag: the client would show twice in the Blacklist tab")
	}

	// Closed as spam, then unblocked: the flag goes from every dialog.
	m.must(t, "sofia", t0.Add(2*time.Hour), "dialog.spam", `{"dialogId":"`+fresh.ID+`"}`)
	m.must(t, "sofia", t0.Add(3*time.Hour), "client.blacklist", `{"clientId":"`+cid+`","on":false}`)
	for id, d := range m.dialogs {
		if d.ClientBlacklisted {
			t.Errorf("dialog %s still flagged after unblocking", id)
		}
	}
}

func TestPinRules(t *testing.T) {
	tests := []struct {
		name   string
		pinned string // who the client is pinned to first
		actor  string
		to     string // "" unpins
		want   string
	}{
		{"an operator pins a client to itself", "", "anna", "anna", ""},
		{"an operator unpins its own client", "anna", "anna", "", ""},
		{"an operator may not pin a client to a colleague", "", "anna", "oleg", "client.pin_forbidden"},
		{"an operator may not take over a colleague's client", "anna", "oleg", "oleg", "client.pinned_to_other"},
		{"an operator may not unpin a colleague's client", "anna", "oleg", "", "client.pinned_to_other"},
		{"an admin unpins anyone's client", "anna", "admin", "", ""},
		{"an admin pins a client to itself over a colleague", "anna", "admin", "admin", ""},
		{"a supervisor pins a client to an operator", "", "sofia", "oleg", ""},
		{"pinning to a deactivated operator is refused", "", "sofia", "gone", "operator.not_found"},
		{"pinning again changes nothing", "anna", "anna", "anna", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, "anna")
			cid := m.dialogs[id].ClientID
			if tc.pinned != "" {
				m.clients[cid].PinnedOperatorID = tc.pinned
			}
			_, err := m.run(t, tc.actor, t0, "client.pin", fmt.Sprintf(`{"clientId":%q,"operatorId":%q}`, cid, tc.to))
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("client.pin(%q) by %s = %q, want %q", tc.to, tc.actor, got, tc.want)
			}
			want := tc.to
			if tc.want != "" {
				want = tc.pinned
			}
			if got := m.clients[cid].PinnedOperatorID; got != want {
				t.Errorf("pinned to %q, want %q", got, want)
			}
		})
	}
	m, id := queued(t, "anna")
	cid := m.dialogs[id].ClientID
	m.must(t, "anna", t0, "client.pin", `{"clientId":"`+cid+`","operatorId":"anna"}`)
	_, err := m.run(t, "oleg", t0, "client.pin", `{"clientId":"`+cid+`","operatorId":"oleg"}`)
	if r, ok := AsRefusal(err); !ok || r.Args["operator"] != "Anna" {
		t.Errorf("pinning Anna's client = %v, want a refusal naming Anna", err)
	}
}

func TestPinnedRouting(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name    string
		setup   func(t *testing.T, m *mem, cid, did string)
		after   time.Duration // when the client writes again, after the close
		status  Status
		who     string
		reopens bool
	}{
		{"a colleague closed it: the reopened dialog goes to the pinned operator", func(t *testing.T, m *mem, cid, did string) {
			m.must(t, "anna", t0, "dialog.assign", `{"dialogId":"`+did+`","operatorId":"oleg"}`)
			m.must(t, "oleg", t0, "dialog.close", `{"dialogId":"`+did+`"}`)
		}, time.Hour, StatusInProgress, "anna", true},
		{"a colleague closed it long ago: the new dialog goes to the pinned operator", func(t *testing.T, m *mem, cid, did string) {
			m.must(t, "anna", t0, "dialog.assign", `{"dialogId":"`+did+`","operatorId":"oleg"}`)
			m.must(t, "oleg", t0, "dialog.close", `{"dialogId":"`+did+`"}`)
		}, 50 * h, StatusInProgress, "anna", false},
		{"pinned to a deactivated operator: the queue", func(t *testing.T, m *mem, cid, did string) {
			m.must(t, "anna", t0, "dialog.close", `{"dialogId":"`+did+`"}`)
			m.clients[cid].PinnedOperatorID = "gone"
		}, 50 * h, StatusUnassigned, "", false},
		{"pinned but blacklisted: the queue's hidden part, nobody's Mine", func(t *testing.T, m *mem, cid, did string) {
			m.must(t, "anna", t0, "dialog.close", `{"dialogId":"`+did+`"}`)
			m.must(t, "sofia", t0, "client.blacklist", `{"clientId":"`+cid+`","on":true}`)
		}, 50 * h, StatusUnassigned, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, did := queued(t, "anna")
			cid := m.dialogs[did].ClientID
			m.must(t, "anna", t0, "client.pin", `{"clientId":"`+cid+`","operatorId":"anna"}`)
			tc.setup(t, m, cid, did)
			o := m.must(t, "", t0.Add(tc.after), "inbound.message", `{"channelId":"tg","externalId":"x9","contact":{"externalId":"c1"},"text":"again"}`)
			d := o.Dialogs[0]
			if (d.ID == did) != tc.reopens {
				t.Errorf("reopened the closed dialog = %v, want %v", d.ID == did, tc.reopens)
			}
			if d.Status != tc.status || d.AssigneeID != tc.who {
				t.Errorf("dialog = %s/%q, want %s/%q", d.Status, d.AssigneeID, tc.status, tc.who)
			}
			if tc.who != "" && !hasEvent(o, EvAutoAssigned) {
				t.Errorf("events = %v, want auto_assigned (the pinned operator's alert)", eventTypes(o))
			}
		})
	}
}

func TestSnoozeRules(t *testing.T) {
	later := `,"until":"2026-11-02T12:00:00Z"`
	tests := []struct {
		name    string
		owner   string
		prepare func(t *testing.T, m *mem, id string)
		actor   string
		extra   string
		want    string
	}{
		{"a colleague may not snooze someone's dialog", "anna", nil, "oleg", later, "dialog.not_yours"},
		{"a supervisor snoozes anyone's dialog", "anna", nil, "sofia", later, ""},
		{"a snoozed dialog is snoozed again to another time", "anna", func(t *testing.T, m *mem, id string) {
			m.must(t, "anna", t0, "dialog.snooze", `{"dialogId":"`+id+`"}`)
		}, "anna", later, ""},
		{"a closed dialog cannot be snoozed", "anna", func(t *testing.T, m *mem, id string) {
			m.must(t, "anna", t0, "dialog.close", `{"dialogId":"`+id+`"}`)
		}, "anna", later, "dialog.closed"},
		{"snoozing to now is refused", "anna", nil, "anna", `,"until":"2026-11-02T10:00:00Z"`, "snooze.in_past"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, tc.owner)
			if tc.prepare != nil {
				tc.prepare(t, m, id)
			}
			_, err := m.run(t, tc.actor, t0, "dialog.snooze", `{"dialogId":"`+id+`"`+tc.extra+`}`)
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("dialog.snooze by %s = %q, want %q", tc.actor, got, tc.want)
			}
			if tc.want == "" && (m.dialogs[id].Status != StatusSnoozed || m.dialogs[id].SnoozedUntil.IsZero()) {
				t.Errorf("after snooze: %s until %v", m.dialogs[id].Status, m.dialogs[id].SnoozedUntil)
			}
		})
	}
}

func TestSnoozeWakes(t *testing.T) {
	t.Run("forever: the timer never wakes it, the client does", func(t *testing.T) {
		m, id := queued(t, "anna")
		m.must(t, "anna", t0, "dialog.snooze", `{"dialogId":"`+id+`"}`)
		if o := m.must(t, "", t0.Add(1000*time.Hour), "dialog.wake_due", `{}`); len(o.Dialogs) != 0 {
			t.Fatalf("the timer woke a dialog snoozed until the client writes")
		}
		m.must(t, "", t0.Add(1001*time.Hour), "inbound.message", `{"channelId":"tg","externalId":"x9","contact":{"externalId":"c1"},"text":"hello?"}`)
		if d := m.dialogs[id]; d.Status != StatusInProgress || d.AssigneeID != "anna" || !d.SnoozedUntil.IsZero() || d.Unread == 0 {
			t.Errorf("after the client wrote: %s/%q until %v, unread %d", d.Status, d.AssigneeID, d.SnoozedUntil, d.Unread)
		}
	})
	t.Run("its operator was deactivated meanwhile: the timer queues it", func(t *testing.T) {
		m, id := queued(t, "anna")
		m.must(t, "anna", t0, "dialog.snooze", `{"dialogId":"`+id+`","until":"2026-11-02T11:00:00Z"}`)
		m.org.Operators["anna"] = &Operator{ID: "anna", Name: "Anna", Role: RoleOperator, Active: false}
		m.must(t, "", t0.Add(time.Hour), "dialog.wake_due", `{}`)
		if d := m.dialogs[id]; d.Status != StatusUnassigned || d.AssigneeID != "" {
			t.Errorf("woke to %s/%q, want the line's queue", d.Status, d.AssigneeID)
		}
	})
}

func TestSpamRules(t *testing.T) {
	m, id := queued(t, "anna")
	if _, err := m.run(t, "oleg", t0, "dialog.spam", `{"dialogId":"`+id+`"}`); refusalCode(err) != "dialog.not_yours" {
		t.Errorf("a colleague marking Anna's dialog spam = %v, want dialog.not_yours", err)
	}
	m.must(t, "anna", t0, "dialog.spam", `{"dialogId":"`+id+`"}`)
	if d := m.dialogs[id]; d.Status != StatusSpam || d.Detailed != DetSpam || d.ClosedByID != "anna" {
		t.Fatalf("after spam: %s/%s closed by %q", d.Status, d.Detailed, d.ClosedByID)
	}
	// A week later the spammer writes on: kept in the spam dialog.
	o := m.must(t, "", t0.Add(170*time.Hour), "inbound.message", `{"channelId":"tg","externalId":"x9","contact":{"externalId":"c1"},"text":"buy now"}`)
	if d := o.Dialogs[0]; d.ID != id || d.Status != StatusSpam {
		t.Errorf("the spammer's message went to %s (%s), want the spam dialog", d.ID, d.Status)
	}
	if _, err := m.run(t, "anna", t0, "dialog.take", `{"dialogId":"`+id+`"}`); refusalCode(err) != "dialog.closed" {
		t.Errorf("taking a spam dialog = %v, want dialog.closed", err)
	}
}

func TestStartDialogByPhone(t *testing.T) {
	setup := func() *mem {
		m := newMem()
		m.org.Channels["wa"] = &Channel{ID: "wa", Name: "WhatsApp", Kind: KindWhatsApp, LineID: "sales", Capabilities: Capabilities{StartByPhone: true}}
		return m
	}
	start := func(m *mem, actor, dialog, client, channel, contact string) (*Outcome, error) {
		return m.run(t, actor, t0, "dialog.start", fmt.Sprintf(`{"dialogId":%q,"clientId":%q,"channelId":%q,"messageId":"m-%s","text":"Hello!"%s}`,
			dialog, client, channel, dialog, contact))
	}
	phone := `,"contact":{"externalId":"380501234567","handle":"+380 50 123 45 67","name":"Мирослава"}`

	t.Run("a new number makes a new client with that contact", func(t *testing.T) {
		m := setup()
		if _, err := start(m, "anna", "d1", "new-client", "wa", phone); err != nil {
			t.Fatalf("start by phone = %v", err)
		}
		cl, d := m.clients["new-client"], m.dialogs["d1"]
		if cl == nil || cl.Name() != "Мирослава" || len(cl.Contacts) != 1 || cl.Contacts[0].ExternalID != "380501234567" || cl.Contacts[0].Kind != KindWhatsApp {
			t.Fatalf("client = %+v", cl)
		}
		if d.ClientID != "new-client" || d.AssigneeID != "anna" || d.Status != StatusInProgress || !d.Outgoing {
			t.Errorf("dialog = %+v, want anna's outgoing dialog", d)
		}
	})
	t.Run("a known number writes to the client who has it", func(t *testing.T) {
		m := setup()
		m.clients["known"] = &Client{ID: "known", OriginalName: "Known", Contacts: []Contact{{ChannelID: "wa", Kind: KindWhatsApp, ExternalID: "380501234567"}}}
		o, err := start(m, "anna", "d1", "new-client", "wa", phone)
		if err != nil {
			t.Fatalf("start by phone = %v", err)
		}
		if len(o.Clients) != 0 || m.dialogs["d1"].ClientID != "known" {
			t.Errorf("dialog's client = %q (clients written %d), want the number's owner", m.dialogs["d1"].ClientID, len(o.Clients))
		}
	})
	t.Run("a known client gets the number as a new contact", func(t *testing.T) {
		m := setup()
		d := m.inbound(t, "tg", "c1", "x0", t0.Add(-time.Hour))
		if _, err := start(m, "anna", "d1", d.ClientID, "wa", phone); err != nil {
			t.Fatalf("start by phone = %v", err)
		}
		if cl := m.clients[d.ClientID]; len(cl.Contacts) != 2 || m.dialogs["d1"].ClientID != cl.ID {
			t.Errorf("client = %+v", cl)
		}
	})
	refusals := []struct {
		name, actor, channel, contact, want string
	}{
		{"a channel that cannot start by phone", "anna", "tg", phone, "channel.no_start_by_phone"},
		{"an unknown channel", "anna", "nope", phone, "channel.not_found"},
		{"an operator outside the channel's line", "taras", "wa", phone, "line.not_member"},
		{"no number", "anna", "wa", `,"contact":{"name":"x"}`, "command.malformed"},
		{"an unknown client without a number", "anna", "wa", "", "client.not_found"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, err := start(setup(), tc.actor, "d1", "new-client", tc.channel, tc.contact)
			if got := refusalCode(err); got != tc.want {
				t.Errorf("dialog.start = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStartDialogWithBlacklistedClient(t *testing.T) {
	m := newMem()
	d := m.inbound(t, "tg", "c1", "x0", t0.Add(-100*time.Hour))
	m.must(t, "anna", t0.Add(-99*time.Hour), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
	m.must(t, "sofia", t0, "client.blacklist", `{"clientId":"`+d.ClientID+`","on":true}`)
	_, err := m.run(t, "anna", t0, "dialog.start", `{"dialogId":"out","clientId":"`+d.ClientID+`","channelId":"tg","messageId":"m","text":"hi"}`)
	if got := refusalCode(err); got != "client.blacklisted" {
		t.Errorf("writing first to a blacklisted client = %q, want client.blacklisted", got)
	}
}
