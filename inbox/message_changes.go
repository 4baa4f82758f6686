package inbox

import "time"

func init() {
	register(func() Command { return new(ChangeDelivered) })
}

// Change is what an operator does to a message already written.
type Change string

const (
	ChangeEdit   Change = "edit"
	ChangeDelete Change = "delete"
)

// Window returns the channel's window for a change, in seconds: 0 when the
// channel cannot make it, -1 when it has no limit.
func (c Capabilities) Window(what Change) int64 {
	if what == ChangeDelete {
		return c.DeleteWindowSeconds
	}
	return c.EditWindowSeconds
}

// reachedChannel reports whether a message is, or may yet be, with the
// customer: an outbound message the channel did not refuse for good.
func reachedChannel(m *Message) bool {
	return m.Kind == MsgOutbound && (m.ExternalID != "" || m.Delivery != DeliveryFailed)
}

// MayChange reports whether operator opID may edit or delete m at now: only
// its author may, never a deleted message, and a message the customer has
// (or is being sent) only within the channel's window for the change. A
// comment or a note, or a message the channel refused, stays changeable.
// ch is the message's channel, nil when unknown (no window then). The
// error is a *Refusal whose code the UI shows as the reason.
func MayChange(ch *Channel, opID string, m *Message, what Change, now time.Time) error {
	switch {
	case m.AuthorID == "" || m.AuthorID != opID:
		return Refuse("message.not_author", "Only the author may change a message.")
	case !m.DeletedAt.IsZero():
		return Refuse("message.deleted", "The message was deleted.")
	case !reachedChannel(m):
		return nil
	}
	var window int64
	if ch != nil {
		window = ch.Capabilities.Window(what)
	}
	switch {
	case window == 0:
		return Refuse("message."+string(what)+"_unsupported", "This channel cannot %s messages.", what)
	case window > 0 && now.Sub(m.CreatedAt) > time.Duration(window)*time.Second:
		return &Refusal{Code: "message." + string(what) + "_window", Message: "It is too late to " + string(what) + " this message on this channel.",
			Args: map[string]string{"seconds": itoa(window)}}
	}
	return nil
}

// ChangeDeadline is the last moment m may still be changed on its channel,
// zero when no window limits it.
func ChangeDeadline(ch *Channel, m *Message, what Change) time.Time {
	if ch == nil || !reachedChannel(m) {
		return time.Time{}
	}
	w := ch.Capabilities.Window(what)
	if w <= 0 {
		return time.Time{}
	}
	return m.CreatedAt.Add(time.Duration(w) * time.Second)
}

// ChangeVersion names a message's latest edit or delete (unix
// nanoseconds; 0 when never changed). The outbound queue keys on it, so a
// change made while an older one travels is sent after it, and a report on
// the older one does not settle the newer.
func ChangeVersion(m *Message) int64 {
	t := m.EditedAt
	if m.DeletedAt.After(t) {
		t = m.DeletedAt
	}
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Edit changes the message's text as an operator's edit at `at` does
// (the desktop applies it optimistically with the same rule).
func (m *Message) Edit(text string, at time.Time) {
	m.Text, m.EditedAt = text, at
	markChanging(m)
}

// Delete empties the message as an operator's delete at `at` does: its
// text and files go.
func (m *Message) Delete(at time.Time) {
	m.Text, m.HTML, m.Attachments, m.DeletedAt = "", "", nil, at
	markChanging(m)
}

// markChanging sends a change of an outbound message on to the channel
// when the channel already has the message. A message still queued
// carries the change when it goes; one the channel refused has nothing
// there to change.
func markChanging(m *Message) {
	if m.Kind == MsgOutbound && m.ExternalID != "" {
		m.ChangeDelivery, m.ChangeFailReason = DeliverySending, ""
	}
}

// ChangeDelivered reports how the channel took an operator's edit or
// delete: sent, or failed with the channel's reason. Version is the
// message's ChangeVersion the report is about; a report on a change older
// than the message's latest is ignored (the latest is still on its way).
type ChangeDelivered struct {
	ChannelID string   `json:"channelId"`
	MessageID string   `json:"messageId"`
	Version   int64    `json:"version"`
	State     Delivery `json:"state"`
	Reason    string   `json:"reason,omitempty"`
}

func (*ChangeDelivered) Type() string { return "inbound.change_delivery" }
func (c *ChangeDelivered) validate() error {
	switch {
	case c.ChannelID == "":
		return missing(c.Type(), "channelId")
	case c.MessageID == "":
		return missing(c.Type(), "messageId")
	case c.State != DeliverySent && c.State != DeliveryFailed:
		return &Refusal{Code: "command.malformed", Message: "A change is sent or failed.", Args: map[string]string{"field": "state"}}
	}
	return nil
}

func (c *ChangeDelivered) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	m, err := r.Message(c.MessageID)
	if err != nil {
		return nil, Refuse("message.not_found", "The channel names a message Switchboard does not have.")
	}
	if m.Kind != MsgOutbound || m.ChannelID != c.ChannelID {
		return nil, Refuse("message.not_outbound", "Only messages sent to the client travel to the channel.")
	}
	if ChangeVersion(m) != c.Version || (m.ChangeDelivery == c.State && m.ChangeFailReason == c.Reason) {
		return &Outcome{}, nil
	}
	m = m.Clone()
	m.ChangeDelivery, m.ChangeFailReason = c.State, ""
	if c.State == DeliveryFailed {
		m.ChangeFailReason = c.Reason
	}
	return &Outcome{Messages: []*Message{m}}, nil
}
