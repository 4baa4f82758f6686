package app

// The client card's view types (see views.go for the conventions).

// ClientView is the client card.
type ClientView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// OriginalName is the channel's name for the client; Renamed is true
	// when the team gave it another.
	OriginalName string        `json:"originalName"`
	Renamed      bool          `json:"renamed"`
	Description  string        `json:"description"`
	AvatarURL    string        `json:"avatarUrl"`
	Blacklisted  bool          `json:"blacklisted"`
	Contacts     []ContactView `json:"contacts"`
	Notes        []NoteView    `json:"notes"`
	Tasks        []TaskView    `json:"tasks"`
	// ContactChannels are the channels a contact may be typed in for
	// (phone numbers, e-mail addresses).
	ContactChannels []ChannelView `json:"contactChannels"`
	// CanBlacklist and CanUnblock say whether the operator may send the
	// client to the blacklist (from the dialog the card is opened from) or
	// let it back.
	CanBlacklist bool `json:"canBlacklist"`
	CanUnblock   bool `json:"canUnblock"`
	// Pin is what the pin control offers, as the seeds label it: "pin"
	// (Pin (PinName), to the operator itself), "unpin" (Unpin (PinName),
	// the operator's own), "pinned" (Pinned (PinName): a colleague's,
	// nothing to press), "unpin_other" (Unpin (pinned to PinName), for an
	// administrator), or "" (nothing to show).
	Pin     string `json:"pin"`
	PinName string `json:"pinName"`
}

// ContactView is one channel identity of a client.
type ContactView struct {
	ChannelID   string `json:"channelId"`
	ChannelName string `json:"channelName"`
	Kind        string `json:"kind"`
	ExternalID  string `json:"externalId"`
	Handle      string `json:"handle"`
	// Manual is true for a contact an operator typed: it may be edited.
	Manual bool `json:"manual"`
}

// ChannelView names a channel.
type ChannelView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// TaskView is a task on the client.
type TaskView struct {
	ID            string `json:"id"`
	Text          string `json:"text"`
	DueAt         int64  `json:"dueAt"`
	Done          bool   `json:"done"`
	Overdue       bool   `json:"overdue"`
	AssigneeID    string `json:"assigneeId"`
	AssigneeName  string `json:"assigneeName"`
	CreatedByName string `json:"createdByName"`
	// MayChange is true when the operator may complete or delete it.
	MayChange bool `json:"mayChange"`
}

// ClientDialogView is one of the client's dialogs on the card.
type ClientDialogView struct {
	ID           string `json:"id"`
	Number       int64  `json:"number"`
	ChannelKind  string `json:"channelKind"`
	ChannelName  string `json:"channelName"`
	Status       string `json:"status"`
	LastText     string `json:"lastText"`
	At           int64  `json:"at"`
	AssigneeName string `json:"assigneeName"`
}

// ClientDialogPage is a page of the client's dialogs and their total.
type ClientDialogPage struct {
	Rows  []ClientDialogView `json:"rows"`
	Total int                `json:"total"`
}

// HistoryItem is a message of the unified history with where it was
// written.
type HistoryItem struct {
	Message      MessageView      `json:"message"`
	DialogID     string           `json:"dialogId"`
	DialogNumber int64            `json:"dialogNumber"`
	ChannelKind  string           `json:"channelKind"`
	ChannelName  string           `json:"channelName"`
	Attachments  []AttachmentView `json:"attachments"`
}

// ClientHistoryView is a page of the unified history, oldest first.
type ClientHistoryView struct {
	Items []HistoryItem `json:"items"`
	More  bool          `json:"more"`
	// Next is the cursor for the older page ("" when none).
	Next string `json:"next"`
}

// ImportantRow is a client of the Important tab.
type ImportantRow struct {
	ClientID  string `json:"clientId"`
	Name      string `json:"name"`
	AvatarURL string `json:"avatarUrl"`
	// Tasks counts the operator's open tasks due by the end of today;
	// FirstDue and FirstTask are the earliest of them.
	Tasks     int    `json:"tasks"`
	FirstDue  int64  `json:"firstDue"`
	FirstTask string `json:"firstTask"`
	Overdue   bool   `json:"overdue"`
	// DialogID is the dialog to open: the client's most recent.
	DialogID string `json:"dialogId"`
}
