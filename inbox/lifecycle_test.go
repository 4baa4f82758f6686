package inbox

import (
	"fmt"
	"testing"
	"time"
)

func TestInboundRouting(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name string
		// setup runs on a fresh mem and returns the dialog id of the
		// client's earlier dialog ("" if none).
		setup   func(t *testing.T, m *mem) string
		channel string
		// want describes the dialog the new message lands in.
		sameDialog bool
		status     Status
		assignee   string
		event      EventType
		blacklist  bool
	}{
		{"a first message starts a dialog in the channel's line queue", nil, "tg", false, StatusUnassigned, "", EvQueued, false},
		{"a message while a dialog is open is appended to it", func(t *testing.T, m *mem) string {
			return m.inbound(t, "tg", "c1", "x0", t0).ID
		}, "tg", true, StatusUnassigned, "", "", false},
		{"a message 47 h after closing reopens the dialog to its operator", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "tg", "c1", "x0", t0.Add(-50*h))
			m.must(t, "anna", t0.Add(-48*h+time.Minute), "dialog.take", `{"dialogId":"`+d.ID+`"}`)
			m.must(t, "anna", t0.Add(-47*h), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
			return d.ID
		}, "tg", true, StatusInProgress, "anna", EvReopened, false},
		{"a message 49 h after closing starts a new dialog", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "tg", "c1", "x0", t0.Add(-50*h))
			m.must(t, "anna", t0.Add(-49*h-time.Minute), "dialog.take", `{"dialogId":"`+d.ID+`"}`)
			m.must(t, "anna", t0.Add(-49*h), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
			return d.ID
		}, "tg", false, StatusUnassigned, "", EvQueued, false},
		{"e-mail reopens within 120 h", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "mail", "c1", "x0", t0.Add(-130*h))
			m.must(t, "taras", t0.Add(-119*h), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
			return d.ID
		}, "mail", true, StatusUnassigned, "", EvReopened, false},
		{"e-mail past 120 h starts a new dialog", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "mail", "c1", "x0", t0.Add(-130*h))
			m.must(t, "taras", t0.Add(-121*h), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
			return d.ID
		}, "mail", false, StatusUnassigned, "", EvQueued, false},
		{"reopening when the operator left goes to the queue", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "tg", "c1", "x0", t0.Add(-3*h))
			m.must(t, "anna", t0.Add(-2*h), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
			dd := m.dialogs[d.ID]
			dd.AssigneeID = "gone"
			return d.ID
		}, "tg", true, StatusUnassigned, "", EvReopened, false},
		{"a client message wakes a snoozed dialog", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "tg", "c1", "x0", t0.Add(-3*h))
			m.must(t, "anna", t0.Add(-2*h), "dialog.take", `{"dialogId":"`+d.ID+`"}`)
			m.must(t, "anna", t0.Add(-2*h), "dialog.snooze", `{"dialogId":"`+d.ID+`"}`)
			return d.ID
		}, "tg", true, StatusInProgress, "anna", EvWoke, false},
		{"a pinned client skips the queue", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "tg", "c1", "x0", t0.Add(-100*h))
			m.must(t, "anna", t0.Add(-99*h), "dialog.close", `{"dialogId":"`+d.ID+`"}`)
			m.must(t, "oleg", t0.Add(-99*h), "client.pin", `{"clientId":"`+d.ClientID+`","operatorId":"oleg"}`)
			return d.ID
		}, "tg", false, StatusInProgress, "oleg", EvAutoAssigned, false},
		{"a blacklisted client's dialog is kept out of queues", func(t *testing.T, m *mem) string {
			d := m.inbound(t, "tg", "c1", "x0", t0.Add(-1*h))
			m.must(t, "sofia", t0.Add(-1*h), "client.blacklist", `{"clientId":"`+d.ClientID+`","on":true}`)
			return d.ID
		}, "tg", true, StatusUnassigned, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMem()
			prev := ""
			if tc.setup != nil {
				prev = tc.setup(t, m)
			}
			o := m.must(t, "", t0, "inbound.message", fmt.Sprintf(`{"channelId":%q,"externalId":"x1","contact":{"externalId":"c1","name":"Client"},"text":"hi"}`, tc.channel))
			if len(o.Dialogs) != 1 || len(o.Messages) != 1 {
				t.Fatalf("inbound = %d dialogs, %d messages; want 1, 1", len(o.Dialogs), len(o.Messages))
			}
			d := o.Dialogs[0]
			if same := d.ID == prev; same != tc.sameDialog {
				t.Errorf("landed in the earlier dialog = %v, want %v", same, tc.sameDialog)
			}
			if d.Status != tc.status || d.AssigneeID != tc.assignee {
				t.Errorf("dialog = %s/%q, want %s/%q", d.Status, d.AssigneeID, tc.status, tc.assignee)
			}
			if tc.event != "" && !hasEvent(o, tc.event) {
				t.Errorf("events = %v, want one %s", eventTypes(o), tc.event)
			}
			if d.ClientBlacklisted != tc.blacklist {
				t.Errorf("ClientBlacklisted = %v, want %v", d.ClientBlacklisted, tc.blacklist)
			}
			if d.Unread < 1 || d.LastMessageFromTeam || d.LastClientMessageAt != t0 {
				t.Errorf("dialog row not updated: unread %d, fromTeam %v, lastClient %v", d.Unread, d.LastMessageFromTeam, d.LastClientMessageAt)
			}
			if o.Messages[0].Kind != MsgInbound || o.Messages[0].ExternalID != "x1" {
				t.Errorf("message = %+v", o.Messages[0])
			}
		})
	}
}

func TestInboundStoredOnce(t *testing.T) {
	m := newMem()
	d := m.inbound(t, "tg", "c1", "x1", t0)
	o := m.must(t, "", t0.Add(time.Minute), "inbound.message", `{"channelId":"tg","externalId":"x1","contact":{"externalId":"c1"},"text":"hi again"}`)
	if !o.Empty() {
		t.Fatalf("redelivered message changed %d dialogs, %d messages; want nothing", len(o.Dialogs), len(o.Messages))
	}
	if m.dialogs[d.ID].Unread != 1 || len(m.messages) != 1 {
		t.Fatalf("after redelivery: unread %d, %d messages", m.dialogs[d.ID].Unread, len(m.messages))
	}
}

func TestInboundRefusals(t *testing.T) {
	tests := []struct {
		name, actor, payload, want string
	}{
		{"an unknown channel", "", `{"channelId":"nope","externalId":"x","contact":{"externalId":"c"}}`, "channel.not_found"},
		{"a channel without a line", "", `{"channelId":"orphan","externalId":"x","contact":{"externalId":"c"}}`, "channel.no_line"},
		{"an operator posing as a channel", "anna", `{"channelId":"tg","externalId":"x","contact":{"externalId":"c"}}`, "command.forbidden"},
		{"no external id", "", `{"channelId":"tg","contact":{"externalId":"c"}}`, "command.malformed"},
		{"no contact", "", `{"channelId":"tg","externalId":"x"}`, "command.malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newMem().run(t, tc.actor, t0, "inbound.message", tc.payload)
			if got := refusalCode(err); got != tc.want {
				t.Errorf("inbound.message(%s) = %q, want %q", tc.payload, got, tc.want)
			}
		})
	}
}

// queued makes a fresh mem with one unassigned sales dialog "d" and, when
// owner is set, that operator holding it.
func queued(t *testing.T, owner string) (*mem, string) {
	m := newMem()
	d := m.inbound(t, "tg", "c1", "x0", t0.Add(-time.Hour))
	if owner != "" {
		m.must(t, owner, t0.Add(-time.Hour), "dialog.take", `{"dialogId":"`+d.ID+`"}`)
	}
	return m, d.ID
}

func TestDialogMoves(t *testing.T) {
	tests := []struct {
		name    string
		owner   string // who holds the dialog first ("" unassigned)
		prepare func(t *testing.T, m *mem, id string)
		actor   string
		typ     string
		extra   string // more JSON fields
		want    string // refusal code, "" for success
		status  Status
		who     string
		event   EventType
	}{
		{"a line operator takes a queued dialog", "", nil, "anna", "dialog.take", "", "", StatusInProgress, "anna", EvTaken},
		{"taking a dialog someone has is refused, naming them", "oleg", nil, "anna", "dialog.take", "", "dialog.already_taken", "", "", ""},
		{"taking one's own dialog again changes nothing", "anna", nil, "anna", "dialog.take", "", "", StatusInProgress, "anna", ""},
		{"an operator of another line does not even see it", "", nil, "taras", "dialog.take", "", "dialog.not_found", "", "", ""},
		{"a participant outside the line may not take it", "", func(t *testing.T, m *mem, id string) {
			m.must(t, "anna", t0, "dialog.add_participant", `{"dialogId":"`+id+`","operatorId":"taras"}`)
		}, "taras", "dialog.take", "", "line.not_member", "", "", ""},
		{"a supervisor takes any dialog", "", nil, "sofia", "dialog.take", "", "", StatusInProgress, "sofia", EvTaken},
		{"a deactivated account may do nothing", "", nil, "gone", "dialog.take", "", "operator.inactive", "", "", ""},
		{"the system may not take dialogs", "", nil, "", "dialog.take", "", "command.needs_operator", "", "", ""},
		{"a closed dialog cannot be taken", "anna", func(t *testing.T, m *mem, id string) {
			m.must(t, "anna", t0, "dialog.close", `{"dialogId":"`+id+`"}`)
		}, "oleg", "dialog.take", "", "dialog.closed", "", "", ""},

		{"an operator hands a dialog to a colleague of its group", "anna", nil, "anna", "dialog.assign", `,"operatorId":"oleg"`, "", StatusInProgress, "oleg", EvAssigned},
		{"an operator may not hand a dialog to another team", "anna", nil, "anna", "dialog.assign", `,"operatorId":"taras"`, "assign.not_colleague", "", "", ""},
		{"a manager assigns to anyone", "anna", nil, "sofia", "dialog.assign", `,"operatorId":"taras"`, "", StatusInProgress, "taras", EvAssigned},
		{"assigning to a deactivated operator is refused", "anna", nil, "sofia", "dialog.assign", `,"operatorId":"gone"`, "operator.inactive", "", "", ""},
		{"assigning to nobody known is refused", "anna", nil, "sofia", "dialog.assign", `,"operatorId":"ghost"`, "operator.not_found", "", "", ""},
		{"an operator may not reassign a colleague's dialog", "oleg", nil, "anna", "dialog.assign", `,"operatorId":"anna"`, "dialog.not_yours", "", "", ""},

		{"a transfer lands in the other line's queue", "anna", nil, "anna", "dialog.transfer", `,"lineId":"support"`, "", StatusUnassigned, "", EvTransferred},
		{"a transfer to the same line is refused", "anna", nil, "anna", "dialog.transfer", `,"lineId":"sales"`, "transfer.same_line", "", "", ""},
		{"a transfer to an archived line is refused", "anna", nil, "anna", "dialog.transfer", `,"lineId":"old"`, "line.not_found", "", "", ""},

		{"the assignee returns a dialog to the queue", "anna", nil, "anna", "dialog.return", "", "", StatusUnassigned, "", EvReturned},
		{"a colleague may not return someone's dialog", "anna", nil, "oleg", "dialog.return", "", "dialog.not_yours", "", "", ""},

		{"the assignee closes a dialog", "anna", nil, "anna", "dialog.close", "", "", StatusClosed, "anna", EvClosed},
		{"a colleague may not close someone's dialog", "anna", nil, "oleg", "dialog.close", "", "dialog.not_yours", "", "", ""},
		{"a line operator force-closes spam", "", nil, "oleg", "dialog.spam", "", "", StatusSpam, "", EvSpam},

		{"the assignee snoozes until the client writes", "anna", nil, "anna", "dialog.snooze", "", "", StatusSnoozed, "anna", EvSnoozed},
		{"the assignee snoozes until a time", "anna", nil, "anna", "dialog.snooze", `,"until":"2026-11-03T10:00:00Z"`, "", StatusSnoozed, "anna", EvSnoozed},
		{"snoozing into the past is refused", "anna", nil, "anna", "dialog.snooze", `,"until":"2026-11-01T10:00:00Z"`, "snooze.in_past", "", "", ""},
		{"a queued dialog cannot be snoozed", "", nil, "anna", "dialog.snooze", "", "snooze.unassigned", "", "", ""},
		{"waking a snoozed dialog brings it back to its operator", "anna", func(t *testing.T, m *mem, id string) {
			m.must(t, "anna", t0, "dialog.snooze", `{"dialogId":"`+id+`"}`)
		}, "anna", "dialog.wake", "", "", StatusInProgress, "anna", EvWoke},
		{"a supervisor rates a dialog", "anna", nil, "sofia", "dialog.rate", `,"rating":4`, "", StatusInProgress, "anna", EvRated},
		{"an operator may not rate", "anna", nil, "oleg", "dialog.rate", `,"rating":4`, "rating.not_supervisor", "", "", ""},
		{"a rating outside 1 to 5 is refused", "anna", nil, "sofia", "dialog.rate", `,"rating":9`, "rating.out_of_range", "", "", ""},
		{"tagging with an unknown tag is refused", "anna", nil, "anna", "dialog.tag", `,"tagId":"nope"`, "tag.not_found", "", "", ""},
		{"tagging logs the tag", "anna", nil, "anna", "dialog.tag", `,"tagId":"vip"`, "", StatusInProgress, "anna", EvTagged},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, tc.owner)
			if tc.prepare != nil {
				tc.prepare(t, m, id)
			}
			o, err := m.run(t, tc.actor, t0, tc.typ, `{"dialogId":"`+id+`"`+tc.extra+`}`)
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("%s by %s = %q, want %q", tc.typ, tc.actor, got, tc.want)
			}
			if tc.want != "" {
				if r, _ := AsRefusal(err); r.Message == "" {
					t.Errorf("refusal %s has no message", r.Code)
				}
				return
			}
			d := m.dialogs[id]
			if d.Status != tc.status || d.AssigneeID != tc.who {
				t.Errorf("after %s: %s/%q, want %s/%q", tc.typ, d.Status, d.AssigneeID, tc.status, tc.who)
			}
			if tc.event == "" {
				if !o.Empty() {
					t.Errorf("a repeat changed something: %v", eventTypes(o))
				}
				return
			}
			if !hasEvent(o, tc.event) {
				t.Fatalf("events = %v, want %s", eventTypes(o), tc.event)
			}
			for _, e := range o.Events {
				if e.ActorID != tc.actor || e.At != t0 || e.DialogID != id {
					t.Errorf("event %+v lacks who/when/which", e)
				}
			}
		})
	}
}

func TestRefusalNamesTheHolder(t *testing.T) {
	m, id := queued(t, "oleg")
	_, err := m.run(t, "anna", t0, "dialog.take", `{"dialogId":"`+id+`"}`)
	r, ok := AsRefusal(err)
	if !ok || r.Args["operator"] != "Oleg" {
		t.Fatalf("Take of Oleg's dialog = %v, want a refusal naming Oleg", err)
	}
}

func TestClosedTabAndTimestamps(t *testing.T) {
	m, id := queued(t, "anna")
	m.must(t, "anna", t0, "message.send", `{"messageId":"m1","dialogId":"`+id+`","kind":"outbound","text":"Здравствуйте"}`)
	m.must(t, "sofia", t0.Add(time.Minute), "dialog.close", `{"dialogId":"`+id+`"}`)
	d := m.dialogs[id]
	if d.ClosedByID != "sofia" || d.ClosedAt != t0.Add(time.Minute) || d.ClosedByOperatorAt.IsZero() {
		t.Errorf("closed by %q at %v; want sofia, who then sees it in her Closed tab", d.ClosedByID, d.ClosedAt)
	}
	if d.FirstAnswerAt != t0 || d.StartedAt.IsZero() || d.CreatedAt.IsZero() || d.QueuedAt.IsZero() || d.Detailed != DetClosed {
		t.Errorf("report timestamps missing: %+v", d)
	}
}

func TestWakeDue(t *testing.T) {
	m, id := queued(t, "anna")
	m.must(t, "anna", t0, "dialog.snooze", `{"dialogId":"`+id+`","until":"2026-11-02T12:00:00Z"}`)
	if o := m.must(t, "", t0.Add(time.Hour), "dialog.wake_due", `{}`); len(o.Dialogs) != 0 {
		t.Fatalf("woke %d dialogs before their time", len(o.Dialogs))
	}
	o := m.must(t, "", t0.Add(2*time.Hour), "dialog.wake_due", `{}`)
	if len(o.Dialogs) != 1 || m.dialogs[id].Status != StatusInProgress || !hasEvent(o, EvWoke) {
		t.Fatalf("wake_due at the time: %d dialogs, status %s", len(o.Dialogs), m.dialogs[id].Status)
	}
	if _, err := m.run(t, "anna", t0, "dialog.wake_due", `{}`); refusalCode(err) != "command.forbidden" {
		t.Fatalf("an operator running the timer = %v, want command.forbidden", err)
	}
}
