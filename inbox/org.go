package inbox

import "time"

// Workspace is one company's installation and its team-wide settings.
type Workspace struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// ReopenMessengerHours is how long after closing a client message on a
	// messenger channel reopens the closed dialog instead of starting a new
	// one. Default 48.
	ReopenMessengerHours int `json:"reopenMessengerHours"`
	// ReopenEmailHours is the same window for e-mail channels. Default 120.
	ReopenEmailHours int `json:"reopenEmailHours"`
	// DefaultLanguage is the UI language for alerts and e-mails when an
	// operator chose none: "en", "ru" or "uk".
	DefaultLanguage string    `json:"defaultLanguage"`
	CreatedAt       time.Time `json:"createdAt"`
}

// Default reopen windows, as DESIGN.md states them.
const (
	DefaultReopenMessengerHours = 48
	DefaultReopenEmailHours     = 120
)

// Operator is a person who answers: an admin, a supervisor or an operator.
type Operator struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Role is the ID of the operator's Role.
	Role string `json:"role"`
	// Active is false for a deactivated account: it cannot sign in, take or
	// be assigned dialogs, and is hidden from pickers.
	Active bool `json:"active"`
	// Capacity is how many in-progress dialogs (in every line) an operator
	// may hold for auto-assignment to give them one more; 0 means none
	// (the operator takes dialogs by hand only). Taking and assigning by
	// hand know no capacity.
	Capacity  int       `json:"capacity"`
	Language  string    `json:"language,omitempty"`
	AvatarURL string    `json:"avatarUrl,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Group is a set of operators. Lines refer to groups, never to operators
// directly, so moving a person between teams is one change.
type Group struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	MemberIDs []string `json:"memberIds"`
}

// NameShown says which name a line shows to customers on outbound messages.
type NameShown string

const (
	ShowLineName     NameShown = "line"
	ShowOperatorName NameShown = "operator"
)

// AutoAssign is a line's auto-assignment mode: off (operators take from
// Unassigned), round-robin or least-loaded (see Board.Choose).
type AutoAssign string

const (
	AutoAssignOff         AutoAssign = ""
	AutoAssignRoundRobin  AutoAssign = "round_robin"
	AutoAssignLeastLoaded AutoAssign = "least_loaded"
)

// Line is a queue that dialogs belong to. Operators in its operator groups
// work its dialogs; operators in its supervisor groups watch them.
type Line struct {
	ID                 string    `json:"id"`
	Name               string    `json:"name"`
	OperatorGroupIDs   []string  `json:"operatorGroupIds"`
	SupervisorGroupIDs []string  `json:"supervisorGroupIds"`
	NameShown          NameShown `json:"nameShown"`
	// ReopenHours overrides the workspace's reopen window for this line's
	// dialogs when above zero.
	ReopenHours int        `json:"reopenHours,omitempty"`
	AutoAssign  AutoAssign `json:"autoAssign,omitempty"`
	// BusinessHours is the line's weekly schedule for metrics; empty means
	// around the clock.
	BusinessHours *Schedule `json:"businessHours,omitempty"`
	Archived      bool      `json:"archived,omitempty"`
}

// Schedule is a weekly timetable in one time zone.
type Schedule struct {
	TimeZone string `json:"timeZone"` // IANA name, e.g. "Europe/Kyiv"
	// Days holds the open intervals per weekday, Sunday first, as minutes
	// since midnight: [[540, 1080]] is 09:00–18:00.
	Days [7][][2]int `json:"days"`
}

// ChannelKind is the kind of customer channel a connector serves. It decides
// the reopen window and how the UI draws the channel's logo.
type ChannelKind string

const (
	KindWebchat  ChannelKind = "webchat"
	KindTelegram ChannelKind = "telegram"
	KindWhatsApp ChannelKind = "whatsapp"
	KindVK       ChannelKind = "vk"
	KindEmail    ChannelKind = "email"
	KindCustom   ChannelKind = "custom"
)

// IsEmail reports whether the kind follows e-mail rules (the long reopen
// window, threading by headers).
func (k ChannelKind) IsEmail() bool { return k == KindEmail }

// SendsTemplates reports whether the kind's channels send approved message
// templates (WhatsApp: the only way to write first, or after 24 hours of
// the customer's silence).
func (k ChannelKind) SendsTemplates() bool { return k == KindWhatsApp }

// ChannelState is a channel's health as its connector host reports it.
type ChannelState string

const (
	ChannelActive   ChannelState = "active"
	ChannelDisabled ChannelState = "disabled"
	ChannelFailed   ChannelState = "failed"
)

// Channel is one configured connection of a connector (a bot, a mailbox,
// the site widget), routed to a default line.
type Channel struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Kind        ChannelKind  `json:"kind"`
	ConnectorID string       `json:"connectorId"` // the plugin's id in its plugin.json, e.g. "webchat"
	LineID      string       `json:"lineId"`
	State       ChannelState `json:"state"`
	StateReason string       `json:"stateReason,omitempty"`
	// Capabilities is what the connector declared in Describe, kept so the
	// desktop can check edit/delete windows and attachment limits offline.
	Capabilities Capabilities `json:"capabilities"`
}

// Capabilities is what a channel can do, as its connector describes it.
type Capabilities struct {
	EditWindowSeconds   int64    `json:"editWindowSeconds"`   // 0: no editing; -1: no limit
	DeleteWindowSeconds int64    `json:"deleteWindowSeconds"` // 0: no deleting; -1: no limit
	ReplyTo             bool     `json:"replyTo"`
	Attachments         bool     `json:"attachments"`
	MaxAttachmentBytes  int64    `json:"maxAttachmentBytes,omitempty"`
	AttachmentTypes     []string `json:"attachmentTypes,omitempty"` // MIME patterns, e.g. "image/*"
	MaxAttachments      int      `json:"maxAttachments,omitempty"`  // files in one message; 0: no channel limit
	Audio               bool     `json:"audio"`
	Typing              bool     `json:"typing"`
	ReadReceipts        bool     `json:"readReceipts"`
	StartByPhone        bool     `json:"startByPhone"`
	EmailThreading      bool     `json:"emailThreading"`
}

// SenderName is what the customer sees as the author of what authorID
// writes (or types) in a dialog of lineID: the operator's name or the
// line's, as the line says.
func (o *Org) SenderName(lineID, authorID string) string {
	line, op := o.Lines[lineID], o.Operators[authorID]
	switch {
	case line != nil && line.NameShown == ShowLineName:
		return line.Name
	case op != nil:
		return op.Name
	case line != nil:
		return line.Name
	}
	return ""
}
