package inbox

import (
	"fmt"
	"slices"
	"time"
)

func init() {
	register(func() Command { return new(InboundMessage) })
	register(func() Command { return new(InboundEdit) })
	register(func() Command { return new(InboundDelete) })
	register(func() Command { return new(InboundDelivery) })
	register(func() Command { return new(InboundProfile) })
}

// InboundContact is the customer as a channel describes it.
type InboundContact struct {
	ExternalID string `json:"externalId"`
	Name       string `json:"name,omitempty"`
	Handle     string `json:"handle,omitempty"`
}

// InboundMessage is a message a customer wrote on a channel. It is stored
// once per (channel, external id) and routed by the lifecycle rules:
// appended to the open dialog, or reopening the last one within the reopen
// window, or starting a new dialog in the channel's line (straight to the
// pinned operator, if any). A blacklisted client's message is kept but its
// dialog stays out of queues and alerts.
type InboundMessage struct {
	ChannelID         string         `json:"channelId"`
	ExternalID        string         `json:"externalId"`
	Contact           InboundContact `json:"contact"`
	Text              string         `json:"text"`
	HTML              string         `json:"html,omitempty"`
	Attachments       []Attachment   `json:"attachments,omitempty"`
	ReplyToExternalID string         `json:"replyToExternalId,omitempty"`
	SentAt            time.Time      `json:"sentAt,omitzero"`
}

func (*InboundMessage) Type() string { return "inbound.message" }
func (c *InboundMessage) validate() error {
	switch {
	case c.ChannelID == "":
		return missing(c.Type(), "channelId")
	case c.ExternalID == "":
		return missing(c.Type(), "externalId")
	case c.Contact.ExternalID == "":
		return missing(c.Type(), "contact.externalId")
	}
	if len([]rune(c.Text)) > 4*MaxTextRunes {
		// A customer's text is never refused for length (it would be lost),
		// but past a sane bound it is cut.
		c.Text = string([]rune(c.Text)[:4*MaxTextRunes])
	}
	return nil
}

func (c *InboundMessage) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	org := r.Org()
	ch := org.Channels[c.ChannelID]
	if ch == nil {
		return nil, &Refusal{Code: "channel.not_found", Message: "There is no such channel.", Args: map[string]string{"channel": c.ChannelID}}
	}
	if m, err := r.MessageByExternalID(ch.ID, c.ExternalID); err != nil {
		return nil, err
	} else if m != nil {
		return &Outcome{}, nil // delivered twice: stored once
	}
	o := &Outcome{}
	cl, err := r.ClientByContact(ch.ID, c.Contact.ExternalID)
	if err != nil {
		return nil, err
	}
	if cl == nil {
		name := c.Contact.Name
		if name == "" {
			name = c.Contact.Handle
		}
		if name == "" {
			name = c.Contact.ExternalID
		}
		cl = &Client{ID: env.NewID(), OriginalName: name, CreatedAt: env.Now, ModifiedAt: env.Now,
			Contacts: []Contact{{ChannelID: ch.ID, Kind: ch.Kind, ExternalID: c.Contact.ExternalID, Handle: c.Contact.Handle}}}
		o.Clients = append(o.Clients, cl)
	} else if rated, err := c.rateByReply(r, org, ch, cl, env); err != nil || rated != nil {
		return rated, err
	}
	d, retired, err := c.route(r, org, ch, cl, env, o)
	if err != nil {
		return nil, err
	}
	at := env.Now
	m := &Message{ID: env.NewID(), DialogID: d.ID, ClientID: cl.ID, ChannelID: ch.ID, Kind: MsgInbound, Text: c.Text,
		HTML: c.HTML, Attachments: slices.Clone(c.Attachments), ExternalID: c.ExternalID, CreatedAt: at}
	for i := range m.Attachments {
		m.Attachments[i].ID = fmt.Sprintf("%s-%d", m.ID, i+1)
	}
	if c.ReplyToExternalID != "" {
		if rm, err := r.MessageByExternalID(ch.ID, c.ReplyToExternalID); err == nil && rm != nil && rm.DialogID == d.ID {
			m.ReplyToID = rm.ID
		}
	}
	d.Unread++
	clientWrote(d, at)
	d.LastClientMessageAt, d.LastMessageAt, d.ModifiedAt = at, at, at
	d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, MessagePreview(c.Text, c.Attachments), false
	switch d.Status {
	case StatusUnassigned:
		d.Detailed = DetClientWaiting
	case StatusInProgress:
		d.Detailed = DetClientWaiting
		if !d.FirstAnswerAt.IsZero() {
			d.Detailed = DetClientWaitingAgain
		}
	}
	d.ClientBlacklisted = cl.Blacklisted
	o.Dialogs = append([]*Dialog{d}, o.Dialogs...) // the message's dialog first
	if retired != nil {
		o.Dialogs = append(o.Dialogs, retired)
	}
	o.Messages = append(o.Messages, m)
	return o, nil
}

// route finds or makes the dialog a client message belongs to. When it
// makes one after a closed dialog that carried the blacklist flag, it also
// returns that dialog without the flag (retired).
func (c *InboundMessage) route(r Reader, org *Org, ch *Channel, cl *Client, env Env, o *Outcome) (d, retired *Dialog, err error) {
	last, err := r.LatestDialog(cl.ID, ch.ID)
	if err != nil {
		return nil, nil, err
	}
	if last != nil {
		d := last.Clone()
		switch {
		case d.Status == StatusSnoozed:
			wake(org, d, env.Now)
			logEvent(o, env, d, EvWoke, string(StatusSnoozed), string(d.Status))
			return d, nil, nil
		case d.Status.Open():
			return d, nil, nil
		case d.Status == StatusSpam:
			// A spammer writing on: kept with the spam, alerting no one.
			return d, nil, nil
		case env.Now.Sub(d.ClosedAt) < time.Duration(org.ReopenWindowHours(d.LineID, ch.Kind))*time.Hour:
			from := string(d.Status)
			d.ClosedAt, d.ClosedByOperatorAt = time.Time{}, time.Time{}
			pin := pinnedTo(org, cl)
			switch a := org.Operators[d.AssigneeID]; {
			case pin != "":
				// The seeds: a pinned client's dialog that a colleague
				// closed comes back to the operator it is pinned to.
				assignTo(d, pin, env.Now)
			case a != nil && a.Active:
				assignTo(d, a.ID, env.Now)
			default:
				queue(d, env.Now)
			}
			logEvent(o, env, d, EvReopened, from, string(d.Status))
			if pin != "" && pin != last.AssigneeID {
				logEvent(o, env, d, EvAutoAssigned, last.AssigneeID, pin)
			}
			return d, nil, nil
		}
		if d.Detailed == DetClosing {
			// A new dialog starts: the old one no longer awaits a rating.
			d.Detailed, d.ModifiedAt = DetClosed, env.Now
			retired = d
		}
		if d.ClientBlacklisted {
			// Only a blacklisted client's newest dialog on a channel keeps
			// the flag once closed (see BlacklistClient): the new one below
			// takes it over.
			d.ClientBlacklisted, d.ModifiedAt = false, env.Now
			retired = d
		}
	}
	line := ch.LineID
	if org.Lines[line] == nil {
		return nil, nil, &Refusal{Code: "channel.no_line", Message: "The channel has no line to route dialogs to.", Args: map[string]string{"channel": ch.ID}}
	}
	d = &Dialog{ID: env.NewID(), Number: env.NextDialogNumber(), ClientID: cl.ID, ChannelID: ch.ID, LineID: line,
		Status: StatusUnassigned, Detailed: DetNew, CreatedAt: env.Now}
	logEvent(o, env, d, EvCreated, "", line)
	if pin := pinnedTo(org, cl); pin != "" {
		assignTo(d, pin, env.Now)
		logEvent(o, env, d, EvAutoAssigned, "", pin)
	} else {
		queue(d, env.Now)
		logEvent(o, env, d, EvQueued, "", line)
	}
	return d, retired, nil
}

// pinnedTo returns the active operator a client's new and reopened
// dialogs go straight to, or "" (not pinned, the operator deactivated, or
// the client blacklisted: a blacklisted client's dialogs reach no one).
func pinnedTo(org *Org, cl *Client) string {
	if p := org.Operators[cl.PinnedOperatorID]; p != nil && p.Active && !cl.Blacklisted {
		return p.ID
	}
	return ""
}

// inboundRef names a message by its channel's id for it.
type inboundRef struct {
	ChannelID  string `json:"channelId"`
	ExternalID string `json:"externalId"`
}

func (c *inboundRef) need(typ string) error {
	if c.ChannelID == "" {
		return missing(typ, "channelId")
	}
	if c.ExternalID == "" {
		return missing(typ, "externalId")
	}
	return nil
}

func (c *inboundRef) load(r Reader) (*Message, error) {
	m, err := r.MessageByExternalID(c.ChannelID, c.ExternalID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, Refuse("message.not_found", "The channel names a message Switchboard does not have.")
	}
	return m.Clone(), nil
}

// InboundEdit is a customer editing a message.
type InboundEdit struct {
	inboundRef
	Text string `json:"text"`
}

func (*InboundEdit) Type() string      { return "inbound.edit" }
func (c *InboundEdit) validate() error { return c.need(c.Type()) }
func (c *InboundEdit) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	m, err := c.load(r)
	if err != nil {
		return nil, err
	}
	if m.Text == c.Text {
		return &Outcome{}, nil
	}
	m.Text, m.EditedAt = c.Text, env.Now
	return &Outcome{Messages: []*Message{m}}, nil
}

// InboundDelete is a customer deleting a message. Its text stays for the
// team (the seeds keep deleted customer messages visible, marked deleted).
type InboundDelete struct{ inboundRef }

func (*InboundDelete) Type() string      { return "inbound.delete" }
func (c *InboundDelete) validate() error { return c.need(c.Type()) }
func (c *InboundDelete) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	m, err := c.load(r)
	if err != nil {
		return nil, err
	}
	if !m.DeletedAt.IsZero() {
		return &Outcome{}, nil
	}
	m.DeletedAt = env.Now
	return &Outcome{Messages: []*Message{m}}, nil
}

// InboundDelivery reports how an outbound message travels. The host names
// the message by our id (MessageID, right after sending, with the channel's
// new ExternalID) or by the channel's id. Delivery never goes backwards.
type InboundDelivery struct {
	ChannelID  string   `json:"channelId"`
	MessageID  string   `json:"messageId,omitempty"`
	ExternalID string   `json:"externalId,omitempty"`
	State      Delivery `json:"state"`
	Reason     string   `json:"reason,omitempty"`
}

var deliveryRank = map[Delivery]int{DeliveryPending: 0, DeliverySending: 1, DeliverySent: 2, DeliveryDelivered: 3, DeliveryRead: 4, DeliveryFailed: 5}

func (*InboundDelivery) Type() string { return "inbound.delivery" }
func (c *InboundDelivery) validate() error {
	if c.ChannelID == "" {
		return missing(c.Type(), "channelId")
	}
	if c.MessageID == "" && c.ExternalID == "" {
		return missing(c.Type(), "messageId or externalId")
	}
	if _, ok := deliveryRank[c.State]; !ok || c.State == DeliveryPending {
		return &Refusal{Code: "command.malformed", Message: "Unknown delivery state.", Args: map[string]string{"field": "state"}}
	}
	return nil
}

func (c *InboundDelivery) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	var m *Message
	var err error
	if c.MessageID != "" {
		m, err = r.Message(c.MessageID)
		if err != nil {
			return nil, Refuse("message.not_found", "The channel names a message Switchboard does not have.")
		}
	} else if m, err = (&inboundRef{c.ChannelID, c.ExternalID}).load(r); err != nil {
		return nil, err
	}
	if m.Kind != MsgOutbound || m.ChannelID != c.ChannelID {
		return nil, Refuse("message.not_outbound", "Only messages sent to the client have a delivery state.")
	}
	m = m.Clone()
	changed := false
	if c.ExternalID != "" && m.ExternalID == "" {
		m.ExternalID, changed = c.ExternalID, true
	}
	if deliveryRank[c.State] > deliveryRank[m.Delivery] || (c.State == DeliveryFailed && m.Delivery != DeliveryFailed) {
		m.Delivery, changed = c.State, true
		if c.State == DeliveryFailed {
			m.FailReason = c.Reason
		}
	}
	if !changed {
		return &Outcome{}, nil
	}
	return &Outcome{Messages: []*Message{m}}, nil
}

// InboundProfile updates what a channel tells about a customer.
type InboundProfile struct {
	ChannelID string         `json:"channelId"`
	Contact   InboundContact `json:"contact"`
}

func (*InboundProfile) Type() string { return "inbound.profile" }
func (c *InboundProfile) validate() error {
	if c.ChannelID == "" {
		return missing(c.Type(), "channelId")
	}
	if c.Contact.ExternalID == "" {
		return missing(c.Type(), "contact.externalId")
	}
	return nil
}

func (c *InboundProfile) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	cl, err := r.ClientByContact(c.ChannelID, c.Contact.ExternalID)
	if err != nil || cl == nil {
		return &Outcome{}, err // a profile before any message: nothing to update
	}
	cp := *cl
	cp.Contacts = append([]Contact(nil), cl.Contacts...)
	changed := false
	if c.Contact.Name != "" && c.Contact.Name != cp.OriginalName {
		cp.OriginalName, changed = c.Contact.Name, true
	}
	for i := range cp.Contacts {
		k := &cp.Contacts[i]
		if k.ChannelID == c.ChannelID && k.ExternalID == c.Contact.ExternalID && c.Contact.Handle != "" && k.Handle != c.Contact.Handle {
			k.Handle, changed = c.Contact.Handle, true
		}
	}
	if !changed {
		return &Outcome{}, nil
	}
	cp.ModifiedAt = env.Now
	return &Outcome{Clients: []*Client{&cp}}, nil
}

func init() { register(func() Command { return new(InboundAction) }) }

// InboundAction is something a customer did besides writing: subscribed,
// unsubscribed, paid, rated... It lands as a system line in the client's
// newest dialog on the channel (so the operator sees it in context), and is
// dropped when the client never wrote there.
type InboundAction struct {
	ChannelID  string         `json:"channelId"`
	ExternalID string         `json:"externalId"` // the event's id, for deduplication
	Contact    InboundContact `json:"contact"`
	Action     string         `json:"action"`           // subscribed, unsubscribed, paid, rated...
	Detail     string         `json:"detail,omitempty"` // e.g. "order 4815, 1200 UAH"
}

func (*InboundAction) Type() string { return "inbound.action" }
func (c *InboundAction) validate() error {
	switch {
	case c.ChannelID == "":
		return missing(c.Type(), "channelId")
	case c.ExternalID == "":
		return missing(c.Type(), "externalId")
	case c.Contact.ExternalID == "":
		return missing(c.Type(), "contact.externalId")
	case c.Action == "":
		return missing(c.Type(), "action")
	}
	return nil
}

func (c *InboundAction) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	if m, err := r.MessageByExternalID(c.ChannelID, c.ExternalID); err != nil || m != nil {
		return &Outcome{}, err
	}
	cl, err := r.ClientByContact(c.ChannelID, c.Contact.ExternalID)
	if err != nil || cl == nil {
		return &Outcome{}, err
	}
	d, err := r.LatestDialog(cl.ID, c.ChannelID)
	if err != nil || d == nil {
		return &Outcome{}, err
	}
	text := c.Action
	if c.Detail != "" {
		text += ": " + c.Detail
	}
	m := &Message{ID: env.NewID(), DialogID: d.ID, ClientID: cl.ID, ChannelID: c.ChannelID, Kind: MsgSystem,
		Text: text, ExternalID: c.ExternalID, CreatedAt: env.Now}
	return &Outcome{Messages: []*Message{m}}, nil
}
