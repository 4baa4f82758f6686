package app

import (
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// The view types are what the UI receives: flat, named, times as unix
// milliseconds (0 = none) so the front end formats them with Intl.

// DialogRow is one row of a dialog list.
type DialogRow struct {
	ID             string `json:"id"`
	Number         int64  `json:"number"`
	ClientName     string `json:"clientName"`
	ClientAvatar   string `json:"clientAvatar"`
	ChannelKind    string `json:"channelKind"`
	ChannelName    string `json:"channelName"`
	LineID         string `json:"lineId"`
	LineName       string `json:"lineName"`
	Status         string `json:"status"`
	AssigneeID     string `json:"assigneeId"`
	AssigneeName   string `json:"assigneeName"`
	AssigneeOnline bool   `json:"assigneeOnline"`
	Unread         int    `json:"unread"`
	LastText       string `json:"lastText"`
	LastFromTeam   bool   `json:"lastFromTeam"`
	// Draft: the operator has an unsent draft in the dialog.
	Draft bool `json:"draft"`
	// Time is what the tab sorts by: queued for Unassigned, closed for
	// Closed, the last message elsewhere.
	Time int64 `json:"time"`
	// SnoozedUntil is when a snoozed dialog comes back (0: when the
	// client writes); Blacklisted marks a blacklisted client's dialog.
	SnoozedUntil int64 `json:"snoozedUntil"`
	Blacklisted  bool  `json:"blacklisted"`
	// Tags are the dialog's tags, in the order they were put on.
	Tags []TagView `json:"tags"`
}

// DialogPage is a window of a tab.
type DialogPage struct {
	Rows   []DialogRow `json:"rows"`
	Offset int         `json:"offset"`
	Total  int         `json:"total"`
}

// LineView is a line the operator may narrow the list to.
type LineView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Counters are the numbers the inbox shows, as the seeds count them: an
// operator sees the unread messages of its own dialogs, a supervisor the
// queue of the lines it supervises, someone who is both sees both.
type Counters struct {
	// Tabs counts the dialogs of every tab.
	Tabs map[string]int `json:"tabs"`
	// TabUnread counts, for Mine and Snoozed, the dialogs with unread
	// client messages.
	TabUnread map[string]int `json:"tabUnread"`
	// Lines holds one entry per line the operator works or supervises (or
	// every line, for those who see all), by name.
	Lines []LineCounter `json:"lines"`
	// Unread counts the operator's own open dialogs with unread messages.
	Unread int `json:"unread"`
	// Unassigned counts the queues of the lines the operator supervises.
	Unassigned int `json:"unassigned"`
	// Total is the badge: Unread, plus Unassigned for a supervisor. The
	// window title carries it.
	Total int `json:"total"`
	// Notices counts the unread entries of the notification centre.
	Notices int `json:"notices"`
}

// LineCounter is one line's counters.
type LineCounter struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Unassigned int    `json:"unassigned"`
	Unread     int    `json:"unread"`
	// Badge is what the line counts for this operator: its unread
	// dialogs, plus its queue where the operator supervises the line.
	Badge int `json:"badge"`
}

// OperatorView is a colleague for the assign picker.
type OperatorView struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Online bool   `json:"online"`
}

// MessageView is one message of a conversation.
type MessageView struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	AuthorID   string `json:"authorId"`
	AuthorName string `json:"authorName"`
	// Mentions are the names of the colleagues a comment mentions.
	Mentions   []string `json:"mentions"`
	Text       string   `json:"text"`
	At         int64    `json:"at"`
	Delivery   string   `json:"delivery"`
	FailReason string   `json:"failReason"`
	// ReplyTo quotes the message this one answers; nil when none.
	ReplyTo *QuoteView `json:"replyTo"`
	Edited  bool       `json:"edited"`
	Deleted bool       `json:"deleted"`
	// ChangeDelivery is how the operator's latest edit or delete travels
	// to the customer ("" when there is nothing to pass on).
	ChangeDelivery   string `json:"changeDelivery"`
	ChangeFailReason string `json:"changeFailReason"`
	// Edit and Delete say whether the operator may change the message now.
	Edit   ChangeRule `json:"edit"`
	Delete ChangeRule `json:"delete"`
	// Attachments are the message's files; none once it was deleted.
	Attachments []AttachmentView `json:"attachments"`
	// Tags are the message's tags, which are never taken off.
	Tags []TagView `json:"tags"`
}

// EventView is one entry of a dialog's log, with names resolved.
type EventView struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	ActorName string `json:"actorName"`
	From      string `json:"from"`
	To        string `json:"to"`
	At        int64  `json:"at"`
}

// TimelineItem is a message or a log entry; exactly one is set.
type TimelineItem struct {
	Message *MessageView `json:"message,omitempty"`
	Event   *EventView   `json:"event,omitempty"`
}

// HistoryView is a page of a conversation, oldest first.
type HistoryView struct {
	DialogID string         `json:"dialogId"`
	Items    []TimelineItem `json:"items"`
	More     bool           `json:"more"`
	// Before is what to pass for the next older page.
	Before int64 `json:"before"`
	// Newer is true when newer messages follow the page (a search hit
	// opened it in the middle of the conversation).
	Newer bool `json:"newer"`
	// Focus is the message a search hit opened the page at, with the
	// matched words marked; nil otherwise.
	Focus *FocusView `json:"focus,omitempty"`
}

// FocusView is the message a search hit points at.
type FocusView struct {
	MessageID string     `json:"messageId"`
	Parts     []TextPart `json:"parts"`
}

// DialogView is the conversation's header.
type DialogView struct {
	Row       DialogRow `json:"row"`
	ClientID  string    `json:"clientId"`
	ChannelID string    `json:"channelId"`
	// Mine is true when the operator is the assignee.
	Mine bool `json:"mine"`
	// Ratings are the dialog's ratings and who may give which.
	Ratings RatingsView `json:"ratings"`
	// MayHandle is true when the operator may move the dialog (snooze,
	// spam): its assignee, a worker of its line while nobody has it, or a
	// manager of dialogs.
	MayHandle bool `json:"mayHandle"`
	// Files is what the dialog's channel takes in a reply.
	Files FileLimits `json:"files"`
	// Templates is true when the dialog's channel sends approved message
	// templates (WhatsApp), so the composer offers one.
	Templates bool `json:"templates"`
}

// ChannelChoice is a channel an operator may start a dialog on.
type ChannelChoice struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	LineName string `json:"lineName"`
	// OpenDialogID is the client's open dialog on the channel ("" none):
	// the operator writes there instead of starting another.
	OpenDialogID string `json:"openDialogId"`
}

// PhoneCheck is the channel's answer about a phone number.
type PhoneCheck struct {
	Reachable bool   `json:"reachable"`
	ChatID    string `json:"chatId"`
	// ClientID and ClientName name the client who already has the number
	// ("" for a new one).
	ClientID   string `json:"clientId"`
	ClientName string `json:"clientName"`
}

// NoteView is a team note on a client.
type NoteView struct {
	AuthorName string `json:"authorName"`
	Text       string `json:"text"`
	At         int64  `json:"at"`
}

// SearchHit is a message the search found.
type SearchHit struct {
	MessageID  string `json:"messageId"`
	DialogID   string `json:"dialogId"`
	ClientName string `json:"clientName"`
	Text       string `json:"text"`
	At         int64  `json:"at"`
	// Parts is the excerpt to show, the matched words marked.
	Parts []TextPart `json:"parts"`
}

// TextPart is a piece of text; Match marks where a search word matched.
// The UI renders every part as text.
type TextPart struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// rowOf builds a list row; tab decides which time the row shows.
func (c *core) rowOf(org *inbox.Org, it replica.DialogItem, tab replica.Tab) DialogRow {
	r := DialogRow{
		ID: it.ID, Number: it.Number, ClientName: it.ClientName, ClientAvatar: it.ClientAvatar,
		LineID: it.LineID, Status: string(it.Status), AssigneeID: it.AssigneeID,
		Unread: it.Unread, LastText: it.LastMessageText, LastFromTeam: it.LastMessageFromTeam,
		Time: it.LastMessageAt, SnoozedUntil: it.SnoozedUntil, Blacklisted: it.Blacklisted, Draft: it.Draft != nil,
		Tags: tagViews(org, it.Tags),
	}
	if ch := org.Channels[it.ChannelID]; ch != nil {
		r.ChannelKind, r.ChannelName = string(ch.Kind), ch.Name
	}
	if l := org.Lines[it.LineID]; l != nil {
		r.LineName = l.Name
	}
	if it.AssigneeID != "" {
		r.AssigneeName = operatorName(org, it.AssigneeID)
		r.AssigneeOnline = c.isOnline(it.AssigneeID)
	}
	switch tab {
	case replica.TabUnassigned:
		r.Time = it.QueuedAt
	case replica.TabClosed:
		r.Time = it.ClosedAt
	}
	if r.Time == 0 {
		r.Time = it.CreatedAt
	}
	return r
}

func messageView(org *inbox.Org, m *inbox.Message) MessageView {
	v := MessageView{ID: m.ID, Kind: string(m.Kind), AuthorID: m.AuthorID, Text: m.Text, At: ms(m.CreatedAt),
		Delivery: string(m.Delivery), FailReason: m.FailReason, Mentions: []string{}, Attachments: attachmentViews(m.Attachments),
		Tags: tagViews(org, m.Tags)}
	for _, id := range m.Mentions {
		v.Mentions = append(v.Mentions, operatorName(org, id))
	}
	if m.AuthorID != "" {
		v.AuthorName = operatorName(org, m.AuthorID)
	}
	if !m.DeletedAt.IsZero() {
		v.Text, v.Deleted, v.Attachments = "", true, []AttachmentView{}
	}
	v.Edited = !m.EditedAt.IsZero()
	v.ChangeDelivery, v.ChangeFailReason = string(m.ChangeDelivery), m.ChangeFailReason
	return v
}

func eventView(org *inbox.Org, e *inbox.DialogEvent) EventView {
	v := EventView{ID: e.ID, Type: string(e.Type), From: e.From, To: e.To, At: ms(e.At)}
	if e.ActorID != "" {
		v.ActorName = operatorName(org, e.ActorID)
	}
	// From and To hold operator, line or tag ids; show names where they
	// resolve.
	for _, p := range []*string{&v.From, &v.To} {
		if op := org.Operators[*p]; op != nil {
			*p = op.Name
		} else if l := org.Lines[*p]; l != nil {
			*p = l.Name
		} else if tg := org.Tags[*p]; tg != nil {
			*p = tg.Name
		}
	}
	return v
}
