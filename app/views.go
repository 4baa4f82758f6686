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
	// Time is what the tab sorts by: queued for Unassigned, closed for
	// Closed, the last message elsewhere.
	Time int64 `json:"time"`
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
	AuthorName string `json:"authorName"`
	Text       string `json:"text"`
	At         int64  `json:"at"`
	Delivery   string `json:"delivery"`
	FailReason string `json:"failReason"`
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
}

// DialogView is the conversation's header.
type DialogView struct {
	Row      DialogRow `json:"row"`
	ClientID string    `json:"clientId"`
	// Mine is true when the operator is the assignee.
	Mine bool `json:"mine"`
}

// ClientView is the client card.
type ClientView struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	OriginalName string        `json:"originalName"`
	Contacts     []ContactView `json:"contacts"`
	Notes        []NoteView    `json:"notes"`
	Blacklisted  bool          `json:"blacklisted"`
}

// ContactView is one channel identity of a client.
type ContactView struct {
	Kind   string `json:"kind"`
	Handle string `json:"handle"`
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
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// rowOf builds a list row; tab decides which time the row shows.
func (c *core) rowOf(org *inbox.Org, it replica.DialogItem, tab replica.Tab) DialogRow {
	d := &it.Dialog
	r := DialogRow{
		ID: d.ID, Number: d.Number, ClientName: it.ClientName, ClientAvatar: it.ClientAvatar,
		LineID: d.LineID, Status: string(d.Status), AssigneeID: d.AssigneeID,
		Unread: d.Unread, LastText: d.LastMessageText, LastFromTeam: d.LastMessageFromTeam,
		Time: ms(d.LastMessageAt),
	}
	if ch := org.Channels[d.ChannelID]; ch != nil {
		r.ChannelKind, r.ChannelName = string(ch.Kind), ch.Name
	}
	if l := org.Lines[d.LineID]; l != nil {
		r.LineName = l.Name
	}
	if d.AssigneeID != "" {
		r.AssigneeName = operatorName(org, d.AssigneeID)
		r.AssigneeOnline = c.isOnline(d.AssigneeID)
	}
	switch tab {
	case replica.TabUnassigned:
		r.Time = ms(d.QueuedAt)
	case replica.TabClosed:
		r.Time = ms(d.ClosedAt)
	}
	if r.Time == 0 {
		r.Time = ms(d.CreatedAt)
	}
	return r
}

func messageView(org *inbox.Org, m *inbox.Message) MessageView {
	v := MessageView{ID: m.ID, Kind: string(m.Kind), Text: m.Text, At: ms(m.CreatedAt),
		Delivery: string(m.Delivery), FailReason: m.FailReason}
	if m.AuthorID != "" {
		v.AuthorName = operatorName(org, m.AuthorID)
	}
	if !m.DeletedAt.IsZero() {
		v.Text = ""
	}
	return v
}

func eventView(org *inbox.Org, e *inbox.DialogEvent) EventView {
	v := EventView{ID: e.ID, Type: string(e.Type), From: e.From, To: e.To, At: ms(e.At)}
	if e.ActorID != "" {
		v.ActorName = operatorName(org, e.ActorID)
	}
	// From and To hold operator or line ids; show names where they resolve.
	for _, p := range []*string{&v.From, &v.To} {
		if op := org.Operators[*p]; op != nil {
			*p = op.Name
		} else if l := org.Lines[*p]; l != nil {
			*p = l.Name
		}
	}
	return v
}
