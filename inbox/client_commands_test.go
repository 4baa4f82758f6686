package inbox

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestContactOf(t *testing.T) {
	wa := &Channel{ID: "wa", Name: "WhatsApp", Kind: KindWhatsApp}
	mail := &Channel{ID: "mail", Name: "Mail", Kind: KindEmail}
	tg := &Channel{ID: "tg", Name: "Bot", Kind: KindTelegram}
	tests := []struct {
		name  string
		ch    *Channel
		value string
		want  string // the external id, or the refusal code
	}{
		{"a phone in international format is kept", wa, "+380671234567", "+380671234567"},
		{"spaces, dashes and brackets are dropped", wa, " +38 (067) 123-45-67 ", "+380671234567"},
		{"a leading 00 means +", wa, "00380671234567", "+380671234567"},
		{"a phone without a country code is refused", wa, "0671234567", "contact.phone_invalid"},
		{"a phone with letters is refused", wa, "+38067abc4567", "contact.phone_invalid"},
		{"a phone too short is refused", wa, "+3806712", "contact.phone_invalid"},
		{"a phone too long is refused", wa, "+3806712345678901", "contact.phone_invalid"},
		{"a + in the middle is refused", wa, "38+0671234567", "contact.phone_invalid"},
		{"an e-mail is lower-cased", mail, "John.Carter@Example.COM", "john.carter@example.com"},
		{"an e-mail with a plus and a subdomain", mail, "a+b@mail.example.co.uk", "a+b@mail.example.co.uk"},
		{"an international domain", mail, "олег@пример.укр", "олег@пример.укр"},
		{"an e-mail without @ is refused", mail, "john.example.com", "contact.email_invalid"},
		{"an e-mail without a dot in the domain is refused", mail, "john@localhost", "contact.email_invalid"},
		{"two @ are refused", mail, "a@b@example.com", "contact.email_invalid"},
		{"a space inside is refused", mail, "john carter@example.com", "contact.email_invalid"},
		{"a display name is refused", mail, "John <john@example.com>", "contact.email_invalid"},
		{"a one-letter top-level domain is refused", mail, "john@example.c", "contact.email_invalid"},
		{"a domain label starting with a dash is refused", mail, "john@-example.com", "contact.email_invalid"},
		{"a local part with two dots in a row is refused", mail, "john..c@example.com", "contact.email_invalid"},
		{"a telegram contact cannot be typed in", tg, "@someone", "contact.not_addable"},
		{"no channel", nil, "+380671234567", "channel.not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, err := ContactOf(tc.ch, tc.value)
			got := k.ExternalID
			if err != nil {
				got = refusalCode(err)
			} else if !k.Manual || k.Handle != k.ExternalID || k.ChannelID != tc.ch.ID || k.Kind != tc.ch.Kind {
				t.Errorf("ContactOf(%q) = %+v, want a manual contact of channel %s", tc.value, k, tc.ch.ID)
			}
			if got != tc.want {
				t.Errorf("ContactOf(%q) = %q, want %q", tc.value, got, tc.want)
			}
		})
	}
}

func TestSaveContact(t *testing.T) {
	// setup gives client c1 a Telegram contact (the channel's own) and a
	// client c2 the WhatsApp number +380500000000; it returns c1's id.
	setup := func(t *testing.T, m *mem) (string, string) {
		d1 := m.inbound(t, "tg", "c1", "x1", t0)
		d2 := m.inbound(t, "wa", "+380500000000", "x2", t0)
		return d1.ClientID, d2.ClientID
	}
	save := func(clientID, channel, ext, value string) string {
		return fmt.Sprintf(`{"clientId":%q,"channelId":%q,"externalId":%q,"value":%q}`, clientID, channel, ext, value)
	}
	tests := []struct {
		name string
		// before runs more commands first; payload builds the command.
		before   func(t *testing.T, m *mem, c1 string)
		payload  func(c1, c2 string) string
		want     string   // refusal code, "" for success
		contacts []string // c1's contacts afterwards, as channel:externalId
		changed  bool     // whether the outcome put the client
	}{
		{"an operator adds a phone", nil,
			func(c1, _ string) string { return save(c1, "wa", "", "+38 067 123 45 67") },
			"", []string{"tg:c1", "wa:+380671234567"}, true},
		{"an operator adds an e-mail", nil,
			func(c1, _ string) string { return save(c1, "mail", "", "Olena@Example.com") },
			"", []string{"tg:c1", "mail:olena@example.com"}, true},
		{"a bad phone is refused in words and nothing changes", nil,
			func(c1, _ string) string { return save(c1, "wa", "", "12-34") },
			"contact.phone_invalid", []string{"tg:c1"}, false},
		{"a bad e-mail is refused", nil,
			func(c1, _ string) string { return save(c1, "mail", "", "olena(at)example.com") },
			"contact.email_invalid", []string{"tg:c1"}, false},
		{"an empty value is refused", nil,
			func(c1, _ string) string { return save(c1, "mail", "", "  ") },
			"contact.empty", []string{"tg:c1"}, false},
		{"a telegram contact cannot be typed in", nil,
			func(c1, _ string) string { return save(c1, "tg", "", "@olena") },
			"contact.not_addable", []string{"tg:c1"}, false},
		{"a number another client owns is refused", nil,
			func(c1, _ string) string { return save(c1, "wa", "", "+380500000000") },
			"contact.taken", []string{"tg:c1"}, false},
		{"adding a contact twice changes nothing the second time", func(t *testing.T, m *mem, c1 string) {
			m.must(t, "anna", t0, "client.contact.save", save(c1, "wa", "", "+380671234567"))
		}, func(c1, _ string) string { return save(c1, "wa", "", "+380 67 123 45 67") },
			"", []string{"tg:c1", "wa:+380671234567"}, false},
		{"an added phone is edited in place", func(t *testing.T, m *mem, c1 string) {
			m.must(t, "anna", t0, "client.contact.save", save(c1, "wa", "", "+380671234567"))
		}, func(c1, _ string) string { return save(c1, "wa", "+380671234567", "+380671234568") },
			"", []string{"tg:c1", "wa:+380671234568"}, true},
		{"editing into a bad number is refused and keeps the old one", func(t *testing.T, m *mem, c1 string) {
			m.must(t, "anna", t0, "client.contact.save", save(c1, "wa", "", "+380671234567"))
		}, func(c1, _ string) string { return save(c1, "wa", "+380671234567", "+38067") },
			"contact.phone_invalid", []string{"tg:c1", "wa:+380671234567"}, false},
		{"editing into another contact of the client is refused", func(t *testing.T, m *mem, c1 string) {
			m.must(t, "anna", t0, "client.contact.save", save(c1, "wa", "", "+380671234567"))
			m.must(t, "anna", t0, "client.contact.save", save(c1, "wa", "", "+380671234568"))
		}, func(c1, _ string) string { return save(c1, "wa", "+380671234567", "+380671234568") },
			"contact.duplicate", []string{"tg:c1", "wa:+380671234567", "wa:+380671234568"}, false},
		{"the channel's own contact is not edited", nil,
			func(c1, _ string) string { return save(c1, "wa", "+380500000000", "+380671234567") },
			"contact.not_found", []string{"tg:c1"}, false},
		{"a contact that came from the channel cannot be edited", nil,
			func(_, c2 string) string { return save(c2, "wa", "+380500000000", "+380671234567") },
			"contact.from_channel", []string{"tg:c1"}, false},
		{"an unknown client is refused", nil,
			func(_, _ string) string { return save("nobody", "wa", "", "+380671234567") },
			"client.not_found", []string{"tg:c1"}, false},
		{"an unknown channel is refused", nil,
			func(c1, _ string) string { return save(c1, "fax", "", "+380671234567") },
			"channel.not_found", []string{"tg:c1"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMem()
			c1, c2 := setup(t, m)
			if tc.before != nil {
				tc.before(t, m, c1)
			}
			o, err := m.run(t, "anna", t0.Add(time.Minute), "client.contact.save", tc.payload(c1, c2))
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("client.contact.save = %q, want %q", got, tc.want)
			}
			if err == nil && (len(o.Clients) == 1) != tc.changed {
				t.Errorf("client.contact.save put %d clients, want changed=%v", len(o.Clients), tc.changed)
			}
			var got []string
			for _, k := range m.clients[c1].Contacts {
				got = append(got, k.ChannelID+":"+k.ExternalID)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.contacts) {
				t.Errorf("contacts = %v, want %v", got, tc.contacts)
			}
		})
	}
}

func TestRenameAndDescribeClient(t *testing.T) {
	m := newMem()
	d := m.inbound(t, "tg", "c1", "x1", t0)
	id := d.ClientID
	m.must(t, "anna", t0, "client.rename", `{"clientId":"`+id+`","name":"  Olena (VIP)  "}`)
	if c := m.clients[id]; c.Name() != "Olena (VIP)" || c.OriginalName != "Client c1" {
		t.Fatalf("after a rename: name %q, original %q; want the new name and the channel's kept", c.Name(), c.OriginalName)
	}
	m.must(t, "anna", t0, "client.rename", `{"clientId":"`+id+`","name":""}`)
	if c := m.clients[id]; c.Name() != "Client c1" {
		t.Fatalf("an empty rename shows %q, want the original name back", c.Name())
	}
	m.must(t, "anna", t0, "client.describe", `{"clientId":"`+id+`","description":" Prefers calls after 18:00 "}`)
	if c := m.clients[id]; c.Description != "Prefers calls after 18:00" {
		t.Fatalf("description = %q", c.Description)
	}
	if o := m.must(t, "taras", t0, "client.describe", `{"clientId":"`+id+`","description":"Prefers calls after 18:00"}`); !o.Empty() {
		t.Errorf("the same description again changed the client")
	}
	long := fmt.Sprintf(`{"clientId":%q,"description":%q}`, id, strings.Repeat("я", MaxDescriptionRunes+1))
	if _, err := m.run(t, "anna", t0, "client.describe", long); refusalCode(err) != "client.description_too_long" {
		t.Errorf("a description of %d characters = %v", MaxDescriptionRunes+1, err)
	}
	if _, err := m.run(t, "gone", t0, "client.describe", `{"clientId":"`+id+`","description":"x"}`); refusalCode(err) != "operator.inactive" {
		t.Errorf("a deactivated operator's description = %v", err)
	}
}

func TestTasks(t *testing.T) {
	day := 24 * time.Hour
	create := func(id, assignee, text string, due time.Time) string {
		return fmt.Sprintf(`{"clientId":"CLIENT","taskId":%q,"assigneeId":%q,"text":%q,"dueAt":%q}`, id, assignee, text, due.Format(time.RFC3339))
	}
	tests := []struct {
		name  string
		setup []step // run first, each must succeed
		actor string
		typ   string
		body  string
		want  string // refusal code, "" for success
		check func(t *testing.T, m *mem, o *Outcome)
	}{
		{name: "an operator sets a task for itself", actor: "anna", typ: "task.create", body: create("k1", "", " Call back ", t0.Add(day)),
			check: func(t *testing.T, m *mem, o *Outcome) {
				k := m.tasks["k1"]
				if k == nil || k.AssigneeID != "anna" || k.CreatedByID != "anna" || k.Text != "Call back" || !k.DueAt.Equal(t0.Add(day)) || k.Done {
					t.Errorf("task = %+v", k)
				}
			}},
		{name: "a task for a colleague on a shared line", actor: "anna", typ: "task.create", body: create("k1", "oleg", "Send the invoice", t0),
			check: func(t *testing.T, m *mem, o *Outcome) {
				if k := m.tasks["k1"]; k.AssigneeID != "oleg" || k.CreatedByID != "anna" {
					t.Errorf("task = %+v", k)
				}
			}},
		{name: "a task for someone on no shared line is refused", actor: "anna", typ: "task.create", body: create("k1", "taras", "x", t0), want: "task.not_colleague"},
		{name: "a supervisor may set anyone's task", actor: "sofia", typ: "task.create", body: create("k1", "taras", "x", t0)},
		{name: "a task for a deactivated operator is refused", actor: "anna", typ: "task.create", body: create("k1", "gone", "x", t0), want: "operator.not_found"},
		{name: "an empty task is refused", actor: "anna", typ: "task.create", body: create("k1", "", "  ", t0), want: "task.empty"},
		{name: "a task without a due date is refused", actor: "anna", typ: "task.create", body: `{"clientId":"CLIENT","taskId":"k1","text":"x"}`, want: "task.no_due"},
		{name: "a due date two days ago is refused", actor: "anna", typ: "task.create", body: create("k1", "", "x", t0.Add(-2*day)), want: "task.due_in_past"},
		{name: "this morning is today somewhere: accepted", actor: "anna", typ: "task.create", body: create("k1", "", "x", t0.Add(-10*time.Hour))},
		{name: "a task on an unknown client is refused", actor: "anna", typ: "task.create", body: `{"clientId":"nobody","taskId":"k1","text":"x","dueAt":"2026-11-03T00:00:00Z"}`, want: "client.not_found"},
		{name: "creating the same task twice changes nothing", setup: []step{{"anna", "task.create", create("k1", "", "x", t0)}},
			actor: "anna", typ: "task.create", body: create("k1", "", "y", t0),
			check: func(t *testing.T, m *mem, o *Outcome) {
				if !o.Empty() || m.tasks["k1"].Text != "x" {
					t.Errorf("a repeated create changed the task: %+v", m.tasks["k1"])
				}
			}},
		{name: "the assignee completes a task", setup: []step{{"anna", "task.create", create("k1", "oleg", "x", t0)}},
			actor: "oleg", typ: "task.complete", body: `{"taskId":"k1","done":true}`,
			check: func(t *testing.T, m *mem, o *Outcome) {
				if k := m.tasks["k1"]; !k.Done || k.DoneByID != "oleg" || !k.DoneAt.Equal(t0) {
					t.Errorf("task = %+v", k)
				}
			}},
		{name: "the creator may complete it too", setup: []step{{"anna", "task.create", create("k1", "oleg", "x", t0)}},
			actor: "anna", typ: "task.complete", body: `{"taskId":"k1","done":true}`},
		{name: "someone else may not", setup: []step{{"anna", "task.create", create("k1", "oleg", "x", t0)}},
			actor: "taras", typ: "task.complete", body: `{"taskId":"k1","done":true}`, want: "task.not_yours"},
		{name: "completing a done task changes nothing", setup: []step{{"anna", "task.create", create("k1", "", "x", t0)}, {"anna", "task.complete", `{"taskId":"k1","done":true}`}},
			actor: "anna", typ: "task.complete", body: `{"taskId":"k1","done":true}`,
			check: func(t *testing.T, m *mem, o *Outcome) {
				if !o.Empty() {
					t.Errorf("a repeated completion changed the task")
				}
			}},
		{name: "a done task opens again", setup: []step{{"anna", "task.create", create("k1", "", "x", t0)}, {"anna", "task.complete", `{"taskId":"k1","done":true}`}},
			actor: "anna", typ: "task.complete", body: `{"taskId":"k1","done":false}`,
			check: func(t *testing.T, m *mem, o *Outcome) {
				if k := m.tasks["k1"]; k.Done || !k.DoneAt.IsZero() || k.DoneByID != "" {
					t.Errorf("task = %+v", k)
				}
			}},
		{name: "completing an unknown task is refused", actor: "anna", typ: "task.complete", body: `{"taskId":"nope","done":true}`, want: "task.not_found"},
		{name: "the creator deletes a task", setup: []step{{"anna", "task.create", create("k1", "oleg", "x", t0)}},
			actor: "anna", typ: "task.delete", body: `{"taskId":"k1"}`,
			check: func(t *testing.T, m *mem, o *Outcome) {
				if m.tasks["k1"] != nil || len(o.Deleted) != 1 || o.Deleted[0] != (Ref{Kind: "task", ID: "k1"}) {
					t.Errorf("after delete: task %+v, deleted %v", m.tasks["k1"], o.Deleted)
				}
			}},
		{name: "someone else may not delete it", setup: []step{{"anna", "task.create", create("k1", "", "x", t0)}},
			actor: "taras", typ: "task.delete", body: `{"taskId":"k1"}`, want: "task.not_yours"},
		{name: "a supervisor may delete anyone's task", setup: []step{{"anna", "task.create", create("k1", "", "x", t0)}},
			actor: "sofia", typ: "task.delete", body: `{"taskId":"k1"}`},
		{name: "deleting a task that is gone changes nothing", actor: "anna", typ: "task.delete", body: `{"taskId":"k1"}`,
			check: func(t *testing.T, m *mem, o *Outcome) {
				if !o.Empty() {
					t.Errorf("deleting nothing changed something: %+v", o)
				}
			}},
		{name: "the system may not set tasks", actor: "", typ: "task.create", body: create("k1", "", "x", t0), want: "command.needs_operator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMem()
			client := m.inbound(t, "tg", "c1", "x1", t0).ClientID
			fill := func(s string) string { return strings.ReplaceAll(s, "CLIENT", client) }
			for _, s := range tc.setup {
				m.must(t, s.actor, t0, s.typ, fill(s.body))
			}
			o, err := m.run(t, tc.actor, t0, tc.typ, fill(tc.body))
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("%s by %q = %q, want %q", tc.typ, tc.actor, got, tc.want)
			}
			if tc.check != nil && err == nil {
				tc.check(t, m, o)
			}
		})
	}
}

// step is one command a test runs before the one it checks.
type step struct{ actor, typ, body string }
