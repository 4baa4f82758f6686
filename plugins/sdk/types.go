package sdk

import "time"

// Description is what Describe returns.
type Description struct {
	ID             string // stable, lower-case: "webchat"
	Name           string
	Version        string
	ChannelKind    string // messenger, email, webchat, ...
	Capabilities   Capabilities
	SettingsSchema string // a JSON Schema whose type is "object"
}

// Capabilities say what the channel supports. Windows: 0 means unsupported,
// a negative duration means no limit. Typing: the channel reports the
// customer typing and/or shows the team typing (TypingSender);
// ReadReceipts: MarkRead tells the customer what the team read. The host
// calls SendTyping and MarkRead only when they are set.
type Capabilities struct {
	EditWindow     time.Duration
	DeleteWindow   time.Duration
	ReplyTo        bool
	Attachments    *AttachmentLimits // nil: no attachments
	Typing         bool
	ReadReceipts   bool
	StartByPhone   bool
	EmailThreading bool
}

// AttachmentLimits bound what the channel accepts.
type AttachmentLimits struct {
	MaxBytes      int64
	MIMETypes     []string // empty: any
	MaxPerMessage int
}

// Contact is a person as the channel knows them.
type Contact struct {
	ExternalID   string
	DisplayName  string
	Phone        string
	Email        string
	Username     string
	AvatarBlobID string
}

// Attachment is a file on a message, stored with Host.BlobPut or at a URL.
type Attachment struct {
	Name     string
	MIMEType string
	Size     int64
	BlobID   string
	URL      string
}

// Event is one inbound event. Exactly one of the kind fields is set.
type Event struct {
	Cursor     string
	OccurredAt time.Time
	ChatID     string

	Message  *Message
	Edit     *Edit
	Delete   *Delete
	Delivery *Delivery
	Typing   *Typing
	Profile  *Contact
	Action   *Action
}

// Message is a customer's message.
type Message struct {
	ExternalID        string
	From              Contact
	Text              string
	ReplyToExternalID string
	Attachments       []Attachment
	ThreadID          string
	Subject           string
	// CC lists the other people the message was addressed to (e-mail Cc
	// and further To recipients), so the dialog shows every participant.
	CC []Contact
}

// Edit changes the text of an earlier inbound message.
type Edit struct {
	ExternalID string
	Text       string
}

// Delete removes an earlier inbound message.
type Delete struct {
	ExternalID string
}

// DeliveryState is how far an outbound message got.
type DeliveryState int

const (
	DeliveryUnknown DeliveryState = iota
	DeliverySent
	DeliveryDelivered
	DeliveryRead
	DeliveryFailed
)

// Delivery updates an outbound message's state.
type Delivery struct {
	ExternalID string
	State      DeliveryState
	Reason     string // the channel's words when failed
}

// Typing says the customer is typing.
type Typing struct {
	From Contact
}

// Action is something the customer did besides writing: subscribed,
// unsubscribed, paid...
type Action struct {
	Contact Contact
	Action  string
	Details map[string]string
}

// OutboundMessage is an operator's message to send.
type OutboundMessage struct {
	IdempotencyKey    string // the host's id; sending it twice must not duplicate
	ChatID            string
	Text              string
	ReplyToExternalID string
	Attachments       []Attachment
	SenderName        string
	ThreadID          string
	Subject           string
	Phone             string
	// Template, when set, sends a template the channel approved
	// beforehand instead of free text (WhatsApp outside its 24-hour
	// window); Text then only describes it for the dialog.
	Template *Template
}

// Template names a pre-approved message template.
type Template struct {
	Name     string
	Language string   // the template's language code: "en_US", "ru"
	Params   []string // the body's {{1}}, {{2}}... in order
}

// SendResult is what became of a sent message.
type SendResult struct {
	ExternalID string
	State      DeliveryState
	Reason     string
}

// ContactQuery asks whether a phone or address is reachable.
type ContactQuery struct {
	Phone   string
	Address string
}

// ContactResult answers a ContactQuery.
type ContactResult struct {
	Reachable bool
	ChatID    string
}
