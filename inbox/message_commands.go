package inbox

import (
	"slices"
	"time"
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
	for _, a := range c.Attachments {
		if a.BlobID == "" || a.Name == "" || a.Size < 0 {
			return &Refusal{Code: "message.attachment", Message: "An attachment needs its uploaded file, a name and a size.", Args: map[string]string{"field": "attachments"}}
		}
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
		if m, err := r.Message(c.ReplyToID); err != nil || m.DialogID != d.ID {
			return nil, Refuse("message.reply_unknown", "The message you reply to is not in this dialog.")
		}
	}
	o := &Outcome{}
	m := &Message{ID: c.MessageID, DialogID: d.ID, ClientID: d.ClientID, ChannelID: d.ChannelID, Kind: c.Kind,
		AuthorID: op.ID, Text: c.Text, ReplyToID: c.ReplyToID, Attachments: c.Attachments, CreatedAt: env.Now}
	switch c.Kind {
	case MsgOutbound:
		if err := closedRefusal(d); err != nil {
			return nil, err
		}
		if !mayHandle(org, op.ID, d) {
			return nil, notYours(org, d)
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
		d.LastOperatorMessageAt, d.Detailed, d.Unread = env.Now, DetOperatorAnswered, 0
		d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, preview(m.Text), true
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
// channel's edit window for messages the client received.
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

// ownMessage loads a message of the actor that is not deleted.
func ownMessage(r Reader, org *Org, opID, id string) (*Message, *Dialog, error) {
	m, err := r.Message(id)
	if err != nil {
		return nil, nil, Refuse("message.not_found", "There is no such message.")
	}
	d, err := seenDialog(r, org, opID, m.DialogID)
	if err != nil {
		return nil, nil, err
	}
	if m.AuthorID != opID {
		return nil, nil, Refuse("message.not_author", "Only the author may change a message.")
	}
	if !m.DeletedAt.IsZero() {
		return nil, nil, Refuse("message.deleted", "The message was deleted.")
	}
	return m.Clone(), d, nil
}

// inWindow checks a channel's edit or delete window (seconds; 0: not
// allowed; -1: no limit) for a message the client received.
func inWindow(m *Message, window int64, now time.Time, what string) error {
	if m.Kind != MsgOutbound {
		return nil
	}
	switch {
	case window == 0:
		return Refuse("message."+what+"_unsupported", "This channel cannot %s messages.", what)
	case window > 0 && now.Sub(m.CreatedAt) > time.Duration(window)*time.Second:
		return &Refusal{Code: "message." + what + "_window", Message: "It is too late to " + what + " this message on this channel.",
			Args: map[string]string{"seconds": itoa(window)}}
	}
	return nil
}

func (c *EditMessage) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	m, d, err := ownMessage(r, org, op.ID, c.MessageID)
	if err != nil {
		return nil, err
	}
	var window int64
	if ch := org.Channels[m.ChannelID]; ch != nil {
		window = ch.Capabilities.EditWindowSeconds
	}
	if err := inWindow(m, window, env.Now, "edit"); err != nil {
		return nil, err
	}
	if m.Text == c.Text {
		return &Outcome{}, nil
	}
	m.Text, m.EditedAt = c.Text, env.Now
	o := &Outcome{Messages: []*Message{m}}
	if d.LastMessageID == m.ID {
		d.LastMessageText, d.ModifiedAt = preview(m.Text), env.Now
		o.Dialogs = []*Dialog{d}
	}
	return o, nil
}

// DeleteMessage deletes the actor's own message (its text and files go).
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
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	m, _, err := ownMessage(r, org, op.ID, c.MessageID)
	if err != nil {
		return nil, err
	}
	var window int64
	if ch := org.Channels[m.ChannelID]; ch != nil {
		window = ch.Capabilities.DeleteWindowSeconds
	}
	if err := inWindow(m, window, env.Now, "delete"); err != nil {
		return nil, err
	}
	m.Text, m.HTML, m.Attachments, m.DeletedAt = "", "", nil, env.Now
	return &Outcome{Messages: []*Message{m}}, nil
}

// StartDialog opens an outgoing dialog: the operator writes first to a
// client on one of the client's channels.
type StartDialog struct {
	DialogID  string `json:"dialogId"`
	ClientID  string `json:"clientId"`
	ChannelID string `json:"channelId"`
	LineID    string `json:"lineId,omitempty"` // default: the channel's line
	MessageID string `json:"messageId"`
	Text      string `json:"text"`
}

func (*StartDialog) Type() string { return "dialog.start" }
func (c *StartDialog) validate() error {
	for _, f := range []struct{ name, v string }{{"dialogId", c.DialogID}, {"clientId", c.ClientID}, {"channelId", c.ChannelID}, {"messageId", c.MessageID}} {
		if f.v == "" {
			return missing(c.Type(), f.name)
		}
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
	cl, err := r.Client(c.ClientID)
	if err != nil {
		return nil, Refuse("client.not_found", "There is no such client.")
	}
	ch := org.Channels[c.ChannelID]
	if ch == nil || !slices.ContainsFunc(cl.Contacts, func(k Contact) bool { return k.ChannelID == ch.ID }) {
		return nil, Refuse("dialog.no_contact", "The client has no contact on this channel.")
	}
	line := c.LineID
	if line == "" {
		line = ch.LineID
	}
	if org.Lines[line] == nil {
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
		Outgoing: true, ClientBlacklisted: cl.Blacklisted, CreatedAt: env.Now}
	assignTo(d, op.ID, env.Now)
	m := &Message{ID: c.MessageID, DialogID: d.ID, ClientID: cl.ID, ChannelID: ch.ID, Kind: MsgOutbound, AuthorID: op.ID,
		Text: c.Text, Delivery: DeliverySending, CreatedAt: env.Now}
	d.Detailed, d.FirstAnswerAt, d.LastOperatorMessageAt, d.LastMessageAt, d.ModifiedAt = DetOperatorAnswered, env.Now, env.Now, env.Now, env.Now
	d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, preview(m.Text), true
	o := &Outcome{Dialogs: []*Dialog{d}, Messages: []*Message{m}}
	logEvent(o, env, d, EvCreated, "", "outgoing")
	logEvent(o, env, d, EvTaken, "", op.ID)
	return o, nil
}

// MarkRead marks the client's messages in a dialog as read by the team.
type MarkRead struct{ DialogRef }

func (*MarkRead) Type() string      { return "dialog.read" }
func (c *MarkRead) validate() error { return c.need(c.Type()) }

func (c *MarkRead) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	d, err := seenDialog(r, org, op.ID, c.DialogID)
	if err != nil {
		return nil, err
	}
	if d.Unread == 0 {
		return &Outcome{}, nil
	}
	d.Unread, d.ModifiedAt = 0, env.Now
	return &Outcome{Dialogs: []*Dialog{d}}, nil
}
