package inbox

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

func init() {
	register(func() Command { return new(Send) })
	register(func() Command { return new(EditMessage) })
	register(func() Command { return new(DeleteMessage) })
	register(func() Command { return new(StartDialog) })
	register(func() Command { return new(MarkRead) })
}

// Send writes a message in a dialog: to the client (outbound), to the team
// (comment) or to oneself (note). Sending to the client from a dialog that
// nobody has yet takes it. The message id comes from the desktop, so a
// resent command stores the message once.
type Send struct {
	MessageID   string       `json:"messageId"`
	DialogID    string       `json:"dialogId"`
	Kind        MessageKind  `json:"kind"`
	Text        string       `json:"text"`
	ReplyToID   string       `json:"replyToId,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Mentions    []string     `json:"mentions,omitempty"`
	// Template, for an outbound message only, sends the channel's
	// approved template; Text is what the team reads of it.
	Template *ChannelTemplate `json:"template,omitempty"`
}

func (*Send) Type() string { return "message.send" }
func (c *Send) validate() error {
	switch {
	case c.MessageID == "":
		return missing(c.Type(), "messageId")
	case c.DialogID == "":
		return missing(c.Type(), "dialogId")
	case c.Kind != MsgOutbound && c.Kind != MsgComment && c.Kind != MsgNote:
		return &Refusal{Code: "message.kind", Message: "A message is outbound, a comment or a note.", Args: map[string]string{"field": "kind"}}
	}
	if err := validAttachments(c.Attachments); err != nil {
		return err
	}
	if c.Template != nil && c.Kind != MsgOutbound {
		return &Refusal{Code: "message.template_invalid", Message: "Only a message to the client can be a template.", Args: map[string]string{"field": "template"}}
	}
	if err := checkChannelTemplate(c.Template, len(c.Attachments)); err != nil {
		return err
	}
	return checkText(c.Text, len(c.Attachments))
}

func (c *Send) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	if _, err := r.Message(c.MessageID); err == nil {
		return &Outcome{}, nil // stored already: a resend
	}
	d, err := seenDialog(r, org, op.ID, c.DialogID)
	if err != nil {
		return nil, err
	}
	if c.ReplyToID != "" {
		// Someone else's private note is not there to reply to.
		if m, err := r.Message(c.ReplyToID); err != nil || m.DialogID != d.ID || (m.Kind == MsgNote && m.AuthorID != op.ID) {
			return nil, Refuse("message.reply_unknown", "The message you reply to is not in this dialog.")
		}
	}
	atts, err := prepareAttachments(r, c.MessageID, op.ID, c.Attachments)
	if err != nil {
		return nil, err
	}
	o := &Outcome{}
	m := &Message{ID: c.MessageID, DialogID: d.ID, ClientID: d.ClientID, ChannelID: d.ChannelID, Kind: c.Kind,
		AuthorID: op.ID, Text: c.Text, ReplyToID: c.ReplyToID, Attachments: atts, CreatedAt: env.Now, Template: cloneTemplate(c.Template)}
	switch c.Kind {
	case MsgOutbound:
		if err := closedRefusal(d); err != nil {
			return nil, err
		}
		if !mayHandle(org, op.ID, d) {
			return nil, notYours(org, d)
		}
		if err := channelCapabilities(org, d.ChannelID).CheckAttachments(atts); err != nil {
			return nil, err
		}
		if d.AssigneeID == "" {
			from := string(d.Status)
			assignTo(d, op.ID, env.Now)
			logEvent(o, env, d, EvTaken, from, op.ID)
		}
		m.Delivery = DeliverySending
		if d.FirstAnswerAt.IsZero() {
			d.FirstAnswerAt = env.Now
		}
		teamAnswered(d, org.Hours(d.LineID), env.Now)
		d.LastOperatorMessageAt, d.Detailed, d.Unread = env.Now, DetOperatorAnswered, 0
		d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, MessagePreview(m.Text, m.Attachments), true
		d.LastMessageAt = env.Now
	case MsgComment:
		for _, id := range c.Mentions {
			p := org.Operators[id]
			if p == nil || !p.Active {
				return nil, &Refusal{Code: "operator.not_found", Message: "You mentioned someone who is not on the team.", Args: map[string]string{"operator": id}}
			}
			m.Mentions = append(m.Mentions, id)
			if id != d.AssigneeID && !d.IsParticipant(id) {
				d.Participants = append(d.Participants, id)
				logEvent(o, env, d, EvParticipantAdded, "", id)
			}
		}
	}
	d.ModifiedAt = env.Now
	o.Dialogs = append(o.Dialogs, d)
	o.Messages = append(o.Messages, m)
	return o, nil
}

// EditMessage changes the text of the actor's own message, within the
// channel's edit window for messages the client received. An edit of a
// message the channel already has travels to it (ChangeDelivery sending).
type EditMessage struct {
	MessageID string `json:"messageId"`
	Text      string `json:"text"`
}

func (*EditMessage) Type() string { return "message.edit" }
func (c *EditMessage) validate() error {
	if c.MessageID == "" {
		return missing(c.Type(), "messageId")
	}
	return checkText(c.Text, 0)
}

// ownMessage loads a message the actor may change now: its own, not
// deleted, within the channel's window.
func ownMessage(r Reader, env Env, what Change, id string) (*Message, *Dialog, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, nil, err
	}
	m, err := r.Message(id)
	if err != nil {
		return nil, nil, Refuse("message.not_found", "There is no such message.")
	}
	d, err := seenDialog(r, org, op.ID, m.DialogID)
	if err != nil {
		return nil, nil, err
	}
	if err := MayChange(org.Channels[m.ChannelID], op.ID, m, what, env.Now); err != nil {
		return nil, nil, err
	}
	return m.Clone(), d, nil
}

func (c *EditMessage) Execute(r Reader, env Env) (*Outcome, error) {
	m, d, err := ownMessage(r, env, ChangeEdit, c.MessageID)
	if err != nil {
		return nil, err
	}
	if m.Text == c.Text {
		return &Outcome{}, nil
	}
	m.Edit(c.Text, env.Now)
	o := &Outcome{Messages: []*Message{m}}
	if d.LastMessageID == m.ID {
		d.LastMessageText, d.ModifiedAt = preview(m.Text), env.Now
		o.Dialogs = []*Dialog{d}
	}
	return o, nil
}

// DeleteMessage deletes the actor's own message (its text and files go),
// on the channel too where the channel already has it.
type DeleteMessage struct {
	MessageID string `json:"messageId"`
}

func (*DeleteMessage) Type() string { return "message.delete" }
func (c *DeleteMessage) validate() error {
	if c.MessageID == "" {
		return missing(c.Type(), "messageId")
	}
	return nil
}

func (c *DeleteMessage) Execute(r Reader, env Env) (*Outcome, error) {
	m, d, err := ownMessage(r, env, ChangeDelete, c.MessageID)
	if err != nil {
		return nil, err
	}
	m.Delete(env.Now)
	o := &Outcome{Messages: []*Message{m}}
	if d.LastMessageID == m.ID {
		d.LastMessageText, d.ModifiedAt = "", env.Now
		o.Dialogs = []*Dialog{d}
	}
	return o, nil
}

// StartDialog opens an outgoing dialog: the operator writes first to a
// client on one of the client's channels (from the Closed tab or the
// client card), or to a phone number on a channel that can start dialogs
// by phone (Contact set: the client owning that contact, else a new one
// with ClientID as its id). A blacklisted client is not written to.
type StartDialog struct {
	DialogID  string `json:"dialogId"`
	ClientID  string `json:"clientId"`
	ChannelID string `json:"channelId"`
	LineID    string `json:"lineId,omitempty"` // default: the channel's line
	MessageID string `json:"messageId"`
	Text      string `json:"text"`
	// Contact is the channel identity to write to when starting by phone:
	// ExternalID is the chat id the channel's CheckContact gave, Handle
	// the number as people read it, Name the client's name for the team.
	Contact *InboundContact `json:"contact,omitempty"`
	// Template sends the channel's approved template (on WhatsApp the only
	// way to write first); Text is what the team reads of it.
	Template *ChannelTemplate `json:"template,omitempty"`
}

func (*StartDialog) Type() string { return "dialog.start" }
func (c *StartDialog) validate() error {
	for _, f := range []struct{ name, v string }{{"dialogId", c.DialogID}, {"clientId", c.ClientID}, {"channelId", c.ChannelID}, {"messageId", c.MessageID}} {
		if f.v == "" {
			return missing(c.Type(), f.name)
		}
	}
	if c.Contact != nil && c.Contact.ExternalID == "" {
		return missing(c.Type(), "contact.externalId")
	}
	if c.Contact != nil && utf8.RuneCountInString(c.Contact.Name) > 200 {
		return &Refusal{Code: "client.name_too_long", Message: "The name is longer than 200 characters.", Args: map[string]string{"field": "contact.name"}}
	}
	if err := checkChannelTemplate(c.Template, 0); err != nil {
		return err
	}
	return checkText(c.Text, 0)
}

func (c *StartDialog) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	if _, err := r.Dialog(c.DialogID); err == nil {
		return &Outcome{}, nil // a resend
	}
	ch := org.Channels[c.ChannelID]
	if ch == nil {
		return nil, &Refusal{Code: "channel.not_found", Message: "There is no such channel.", Args: map[string]string{"channel": c.ChannelID}}
	}
	o := &Outcome{}
	cl, err := c.client(r, ch, env, o)
	if err != nil {
		return nil, err
	}
	if cl.Blacklisted {
		return nil, Refuse("client.blacklisted", "The client is blacklisted; unblock them before writing to them.")
	}
	line := c.LineID
	if line == "" {
		line = ch.LineID
	}
	if l := org.Lines[line]; l == nil || l.Archived {
		return nil, &Refusal{Code: "line.not_found", Message: "There is no such line.", Args: map[string]string{"line": line}}
	}
	if !org.WorksLine(op.ID, line) && !org.Can(op.ID, PermDialogsManage) {
		return nil, Refuse("line.not_member", "You do not work this line.")
	}
	if last, err := r.LatestDialog(cl.ID, ch.ID); err != nil {
		return nil, err
	} else if last != nil && last.Status.Open() {
		return nil, &Refusal{Code: "dialog.already_open", Message: "The client already has an open dialog on this channel.",
			Args: map[string]string{"number": itoa(last.Number)}}
	}
	d := &Dialog{ID: c.DialogID, Number: env.NextDialogNumber(), ClientID: cl.ID, ChannelID: ch.ID, LineID: line,
		Outgoing: true, CreatedAt: env.Now}
	assignTo(d, op.ID, env.Now)
	m := &Message{ID: c.MessageID, DialogID: d.ID, ClientID: cl.ID, ChannelID: ch.ID, Kind: MsgOutbound, AuthorID: op.ID,
		Text: c.Text, Delivery: DeliverySending, CreatedAt: env.Now, Template: cloneTemplate(c.Template)}
	d.Detailed, d.FirstAnswerAt, d.LastOperatorMessageAt, d.LastMessageAt, d.ModifiedAt = DetOperatorAnswered, env.Now, env.Now, env.Now, env.Now
	d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, preview(m.Text), true
	o.Dialogs, o.Messages = append(o.Dialogs, d), append(o.Messages, m)
	logEvent(o, env, d, EvCreated, "", "outgoing")
	logEvent(o, env, d, EvTaken, "", op.ID)
	return o, nil
}

// client finds the client to write to: by id and one of its contacts on
// the channel, or, when starting by phone, by the contact (a new client
// when nobody has it; added to the client named by id when that client
// exists but had no such contact).
func (c *StartDialog) client(r Reader, ch *Channel, env Env, o *Outcome) (*Client, error) {
	cl, err := r.Client(c.ClientID)
	switch {
	case errors.Is(err, ErrNotFound):
		cl = nil // a Reader may hand back a zero value with the error
	case err != nil:
		return nil, err
	}
	if c.Contact == nil {
		if cl == nil {
			return nil, Refuse("client.not_found", "There is no such client.")
		}
		if !slices.ContainsFunc(cl.Contacts, func(k Contact) bool { return k.ChannelID == ch.ID }) {
			return nil, Refuse("dialog.no_contact", "The client has no contact on this channel.")
		}
		return cl, nil
	}
	if !ch.Capabilities.StartByPhone {
		return nil, &Refusal{Code: "channel.no_start_by_phone", Message: ch.Name + " cannot start dialogs by phone number.", Args: map[string]string{"channel": ch.Name}}
	}
	owner, err := r.ClientByContact(ch.ID, c.Contact.ExternalID)
	if err != nil {
		return nil, err
	}
	if owner != nil {
		return owner, nil
	}
	k := Contact{ChannelID: ch.ID, Kind: ch.Kind, ExternalID: c.Contact.ExternalID, Handle: c.Contact.Handle}
	if cl != nil {
		cp := *cl
		cp.Contacts = append(slices.Clone(cl.Contacts), k)
		cp.ModifiedAt = env.Now
		o.Clients = append(o.Clients, &cp)
		return &cp, nil
	}
	name := strings.TrimSpace(c.Contact.Name)
	if name == "" {
		name = c.Contact.Handle
	}
	if name == "" {
		name = c.Contact.ExternalID
	}
	cl = &Client{ID: c.ClientID, OriginalName: name, Contacts: []Contact{k}, CreatedAt: env.Now, ModifiedAt: env.Now}
	o.Clients = append(o.Clients, cl)
	return cl, nil
}

// MarkRead marks the client's messages in a dialog as read by the team.
type MarkRead struct{ DialogRef }

func (*MarkRead) Type() string      { return "dialog.read" }
func (c *MarkRead) validate() error { return c.need(c.Type()) }

func (c *MarkRead) Execute(r Reader, env Env) (*Outcome, error) {
	_, _, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if d.Unread == 0 {
		return &Outcome{}, nil
	}
	d.Unread, d.ModifiedAt = 0, env.Now
	return &Outcome{Dialogs: []*Dialog{d}}, nil
}
