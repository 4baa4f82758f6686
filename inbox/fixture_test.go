package inbox

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// mem is an in-memory Reader: the test double of a store transaction.
type mem struct {
	org       *Org
	dialogs   map[string]*Dialog
	clients   map[string]*Client
	messages  map[string]*Message
	templates map[string]*Template
	tasks     map[string]*ClientTask
	events    []*DialogEvent
	nextNum   int64
	ids       int
}

func newMem() *mem {
	ops := []*Operator{
		{ID: "anna", Name: "Anna", Role: RoleOperator, Active: true},
		{ID: "oleg", Name: "Oleg", Role: RoleOperator, Active: true},
		{ID: "taras", Name: "Taras", Role: RoleOperator, Active: true},
		{ID: "sofia", Name: "Sofia", Role: RoleSupervisor, Active: true},
		{ID: "admin", Name: "Admin", Role: RoleAdmin, Active: true},
		{ID: "gone", Name: "Gone", Role: RoleOperator, Active: false},
	}
	groups := []*Group{
		{ID: "g-sales", MemberIDs: []string{"anna", "oleg", "gone"}},
		{ID: "g-support", MemberIDs: []string{"taras"}},
		{ID: "g-leads", MemberIDs: []string{"sofia"}},
	}
	lines := []*Line{
		{ID: "sales", Name: "Sales", OperatorGroupIDs: []string{"g-sales"}, SupervisorGroupIDs: []string{"g-leads"}},
		{ID: "support", Name: "Support", OperatorGroupIDs: []string{"g-support"}},
		{ID: "old", Name: "Old", Archived: true},
	}
	channels := []*Channel{
		{ID: "tg", Kind: KindTelegram, LineID: "sales", Capabilities: Capabilities{EditWindowSeconds: 3600, DeleteWindowSeconds: -1}},
		{ID: "mail", Kind: KindEmail, LineID: "support"},
		{ID: "wa", Name: "WhatsApp", Kind: KindWhatsApp, LineID: "support"},
		{ID: "orphan", Kind: KindWebchat, LineID: "nowhere"},
	}
	ws := &Workspace{ID: "ws", ReopenMessengerHours: 48, ReopenEmailHours: 120}
	return &mem{
		org:     NewOrg(ws, ops, DefaultRoles(), groups, lines, channels, []*Tag{{ID: "vip", Name: "VIP"}}),
		dialogs: map[string]*Dialog{}, clients: map[string]*Client{}, messages: map[string]*Message{},
		templates: map[string]*Template{}, tasks: map[string]*ClientTask{},
	}
}

func (m *mem) Org() *Org { return m.org }
func (m *mem) Dialog(id string) (*Dialog, error) {
	if d, ok := m.dialogs[id]; ok {
		return d.Clone(), nil
	}
	return nil, fmt.Errorf("dialog %s: %w", id, ErrNotFound)
}
func (m *mem) Client(id string) (*Client, error) {
	if c, ok := m.clients[id]; ok {
		cp := *c
		return &cp, nil
	}
	return nil, fmt.Errorf("client %s: %w", id, ErrNotFound)
}
func (m *mem) Message(id string) (*Message, error) {
	if x, ok := m.messages[id]; ok {
		return x.Clone(), nil
	}
	return nil, fmt.Errorf("message %s: %w", id, ErrNotFound)
}
func (m *mem) LatestDialog(clientID, channelID string) (*Dialog, error) {
	var best *Dialog
	for _, d := range m.dialogs {
		if d.ClientID == clientID && d.ChannelID == channelID && (best == nil || d.CreatedAt.After(best.CreatedAt) || d.Number > best.Number) {
			best = d
		}
	}
	if best == nil {
		return nil, nil
	}
	return best.Clone(), nil
}
func (m *mem) ClientByContact(channelID, externalID string) (*Client, error) {
	for _, c := range m.clients {
		for _, k := range c.Contacts {
			if k.ChannelID == channelID && k.ExternalID == externalID {
				cp := *c
				return &cp, nil
			}
		}
	}
	return nil, nil
}
func (m *mem) MessageByExternalID(channelID, externalID string) (*Message, error) {
	for _, x := range m.messages {
		if x.ChannelID == channelID && x.ExternalID == externalID && externalID != "" {
			return x.Clone(), nil
		}
	}
	return nil, nil
}
func (m *mem) OpenDialogsOfClient(clientID string) ([]*Dialog, error) {
	var out []*Dialog
	for _, d := range m.dialogs {
		if d.ClientID == clientID && d.Status.Open() {
			out = append(out, d.Clone())
		}
	}
	return out, nil
}
func (m *mem) Template(id string) (*Template, error) {
	if t, ok := m.templates[id]; ok {
		cp := *t
		return &cp, nil
	}
	return nil, fmt.Errorf("template %s: %w", id, ErrNotFound)
}
func (m *mem) Task(id string) (*ClientTask, error) {
	if k, ok := m.tasks[id]; ok {
		cp := *k
		return &cp, nil
	}
	return nil, fmt.Errorf("task %s: %w", id, ErrNotFound)
}
func (m *mem) SnoozedDue(now time.Time) ([]*Dialog, error) {
	var out []*Dialog
	for _, d := range m.dialogs {
		if d.Status == StatusSnoozed && !d.SnoozedUntil.IsZero() && !d.SnoozedUntil.After(now) {
			out = append(out, d.Clone())
		}
	}
	return out, nil
}

// apply stores an outcome, as the server would.
func (m *mem) apply(o *Outcome) {
	for _, c := range o.Clients {
		m.clients[c.ID] = c
	}
	for _, d := range o.Dialogs {
		m.dialogs[d.ID] = d
	}
	for _, x := range o.Messages {
		m.messages[x.ID] = x
	}
	for _, t := range o.Templates {
		m.templates[t.ID] = t
	}
	for _, k := range o.Tasks {
		m.tasks[k.ID] = k
	}
	for _, t := range o.Tags {
		m.org.Tags[t.ID] = t
	}
	for _, r := range o.Deleted {
		switch r.Kind {
		case "template":
			delete(m.templates, r.ID)
		case "task":
			delete(m.tasks, r.ID)
		}
	}
	m.events = append(m.events, o.Events...)
}

func (m *mem) env(actor string, now time.Time) Env {
	return Env{Now: now, ActorID: actor,
		NewID:            func() string { m.ids++; return fmt.Sprintf("id-%d", m.ids) },
		NextDialogNumber: func() int64 { m.nextNum++; return m.nextNum }}
}

// run decodes a command from JSON as the wire would bring it, executes it
// and applies the outcome.
func (m *mem) run(t *testing.T, actor string, now time.Time, typ, payload string) (*Outcome, error) {
	t.Helper()
	cmd, err := DecodeCommand(typ, []byte(payload))
	if err != nil {
		return nil, err
	}
	o, err := cmd.Execute(m, m.env(actor, now))
	if err == nil {
		m.apply(o)
	}
	return o, err
}

// must runs a command that has to succeed.
func (m *mem) must(t *testing.T, actor string, now time.Time, typ, payload string) *Outcome {
	t.Helper()
	o, err := m.run(t, actor, now, typ, payload)
	if err != nil {
		t.Fatalf("%s by %s: %v", typ, actor, err)
	}
	return o
}

// inbound delivers a client message on a channel and returns its dialog.
func (m *mem) inbound(t *testing.T, channel, contact, extID string, now time.Time) *Dialog {
	t.Helper()
	o := m.must(t, "", now, "inbound.message", fmt.Sprintf(`{"channelId":%q,"externalId":%q,"contact":{"externalId":%q,"name":"Client %s"},"text":"hello %s"}`, channel, extID, contact, contact, extID))
	if len(o.Dialogs) == 0 {
		return nil
	}
	return m.dialogs[o.Dialogs[0].ID]
}

// refusalCode is the code of a refusal, "" for nil, or the error text.
func refusalCode(err error) string {
	if err == nil {
		return ""
	}
	if r, ok := AsRefusal(err); ok {
		return r.Code
	}
	return "error: " + err.Error()
}

func eventTypes(o *Outcome) []EventType {
	var out []EventType
	for _, e := range o.Events {
		out = append(out, e.Type)
	}
	return out
}

func hasEvent(o *Outcome, t EventType) bool { return slices.Contains(eventTypes(o), t) }
