package inbox

import "time"

// Client is a customer. One client may write from several channels; each
// channel identity is a Contact.
type Client struct {
	ID string `json:"id"`
	// OriginalName is the name the channel reported; DisplayName is what the
	// team renamed the client to (empty: show OriginalName).
	OriginalName string    `json:"originalName"`
	DisplayName  string    `json:"displayName,omitempty"`
	Description  string    `json:"description,omitempty"`
	AvatarURL    string    `json:"avatarUrl,omitempty"`
	Contacts     []Contact `json:"contacts"`
	Blacklisted  bool      `json:"blacklisted"`
	// PinnedOperatorID, when set, routes the client's new dialogs straight to
	// that operator's Mine tab.
	PinnedOperatorID string    `json:"pinnedOperatorId,omitempty"`
	CreatedAt        time.Time `json:"createdAt"`
	ModifiedAt       time.Time `json:"modifiedAt"`
}

// Name is the name the team sees.
func (c *Client) Name() string {
	if c.DisplayName != "" {
		return c.DisplayName
	}
	return c.OriginalName
}

// Contact is one channel identity of a client: a Telegram user id, a phone
// number on WhatsApp, an e-mail address, a webchat visitor id.
type Contact struct {
	ChannelID  string      `json:"channelId"`
	Kind       ChannelKind `json:"kind"`
	ExternalID string      `json:"externalId"`       // the channel's id for the customer
	Handle     string      `json:"handle,omitempty"` // what people read: @username, +380..., a@b.c
	// Manual marks a contact an operator added (a phone, an e-mail): it
	// may be edited. The others are the channel's own identities.
	Manual bool `json:"manual,omitempty"`
}

// ClientNote is a note the team keeps on a client.
type ClientNote struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"clientId"`
	AuthorID  string    `json:"authorId"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"createdAt"`
}

// ClientTask is a to-do on a client with a due date; the Important tab lists
// clients with tasks due today or overdue for their assignee.
type ClientTask struct {
	ID         string `json:"id"`
	ClientID   string `json:"clientId"`
	AssigneeID string `json:"assigneeId"`
	// CreatedByID is who set the task (the assignee, or a colleague).
	CreatedByID string    `json:"createdById,omitempty"`
	Text        string    `json:"text"`
	DueAt       time.Time `json:"dueAt"`
	Done        bool      `json:"done"`
	DoneAt      time.Time `json:"doneAt,omitzero"`
	DoneByID    string    `json:"doneById,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}
