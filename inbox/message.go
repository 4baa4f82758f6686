package inbox

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageKind says who wrote a message and who may read it.
type MessageKind string

const (
	MsgInbound  MessageKind = "inbound"  // from the client
	MsgOutbound MessageKind = "outbound" // from an operator to the client
	MsgComment  MessageKind = "comment"  // internal: the team sees it, the client never
	MsgNote     MessageKind = "note"     // private: only its author sees it
	MsgSystem   MessageKind = "system"   // written by Switchboard itself
)

// ReachesClient reports whether a connector ever sees a message of kind k.
func (k MessageKind) ReachesClient() bool { return k == MsgOutbound }

// Delivery is an outbound message's way to the customer.
type Delivery string

const (
	DeliveryPending   Delivery = "pending"   // in the desktop's outbox
	DeliverySending   Delivery = "sending"   // stored by the server, handed to the connector
	DeliverySent      Delivery = "sent"      // the channel accepted it
	DeliveryDelivered Delivery = "delivered" // the customer's device has it
	DeliveryRead      Delivery = "read"      // the customer read it
	DeliveryFailed    Delivery = "failed"    // see FailReason
)

// Message is one message in a dialog.
type Message struct {
	ID        string      `json:"id"`
	DialogID  string      `json:"dialogId"`
	ClientID  string      `json:"clientId"`
	ChannelID string      `json:"channelId"`
	Kind      MessageKind `json:"kind"`
	// AuthorID is the operator who wrote an outbound message, a comment or a
	// note; empty for inbound and system messages.
	AuthorID string `json:"authorId,omitempty"`
	Text     string `json:"text"`
	// HTML is an e-mail's body as sanitised on arrival; the UI sanitises it
	// again before showing it.
	HTML        string       `json:"html,omitempty"`
	ReplyToID   string       `json:"replyToId,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	Mentions    []string     `json:"mentions,omitempty"` // operator ids
	Tags        []string     `json:"tags,omitempty"`     // tag ids; never removed, as the seeds say
	Delivery    Delivery     `json:"delivery,omitempty"`
	FailReason  string       `json:"failReason,omitempty"`
	// ExternalID is the channel's id of the message; (channel, external id)
	// is unique, so a redelivered inbound event is stored once.
	ExternalID string    `json:"externalId,omitempty"`
	CreatedAt  time.Time `json:"createdAt"`
	EditedAt   time.Time `json:"editedAt,omitzero"`
	DeletedAt  time.Time `json:"deletedAt,omitzero"`
	// ChangeDelivery is the way of the operator's latest edit or delete to
	// the customer: sending while the channel has not taken it, then sent
	// or failed (see ChangeFailReason). Empty when the message was never
	// changed, or changed before the channel had it (the send carries the
	// change).
	ChangeDelivery   Delivery `json:"changeDelivery,omitempty"`
	ChangeFailReason string   `json:"changeFailReason,omitempty"`
	// Template, on an outbound message, is the channel's pre-approved
	// template the channel sends instead of free text; Text is what the
	// team reads of it.
	Template *ChannelTemplate `json:"template,omitempty"`
}

// ChannelTemplate names a message template the channel approved
// beforehand: WhatsApp's only way to write to a customer first, or after
// 24 hours of their silence. The channel checks that it exists and fits.
type ChannelTemplate struct {
	Name     string   `json:"name"`
	Language string   `json:"language"` // the template's language code: "en_US", "uk"
	Params   []string `json:"params,omitempty"`
}

// Template limits: what any channel's template names and parameters fit.
const (
	maxTemplateName   = 512
	maxTemplateParams = 50
	maxTemplateParam  = 1024
)

// CheckChannelTemplate refuses a template that no channel could send
// (no name or language, too many or too long parameters), with the same
// code and words the server answers: the desktop asks before it queues.
func CheckChannelTemplate(t *ChannelTemplate) error { return checkChannelTemplate(t, 0) }

// checkChannelTemplate refuses a template that no channel could send, and
// attachments beside one.
func checkChannelTemplate(t *ChannelTemplate, attachments int) error {
	if t == nil {
		return nil
	}
	switch {
	case strings.TrimSpace(t.Name) == "" || strings.TrimSpace(t.Language) == "":
		return &Refusal{Code: "message.template_invalid", Message: "A template needs its name and language.", Args: map[string]string{"field": "template"}}
	case len(t.Name) > maxTemplateName || len(t.Language) > 32 || len(t.Params) > maxTemplateParams:
		return &Refusal{Code: "message.template_invalid", Message: "The template's name, language or parameters are too long.", Args: map[string]string{"field": "template"}}
	case attachments > 0:
		return &Refusal{Code: "message.template_attachments", Message: "Files cannot go with a template; send them once the client answers."}
	}
	for _, p := range t.Params {
		if utf8.RuneCountInString(p) > maxTemplateParam {
			return &Refusal{Code: "message.template_invalid", Message: "A template parameter is longer than 1024 characters.", Args: map[string]string{"field": "template"}}
		}
	}
	return nil
}

// cloneTemplate copies t (nil stays nil).
func cloneTemplate(t *ChannelTemplate) *ChannelTemplate {
	if t == nil {
		return nil
	}
	c := *t
	c.Params = slices.Clone(t.Params)
	return &c
}

// Clone returns a deep copy.
func (m *Message) Clone() *Message {
	c := *m
	c.Attachments = slices.Clone(m.Attachments)
	c.Mentions = slices.Clone(m.Mentions)
	c.Tags = slices.Clone(m.Tags)
	c.Template = cloneTemplate(m.Template)
	return &c
}

// Attachment is a file on a message. The bytes live in the server's blob
// store under BlobID.
type Attachment struct {
	ID     string `json:"id"`
	BlobID string `json:"blobId"`
	Name   string `json:"name"`
	MIME   string `json:"mime"`
	Size   int64  `json:"size"`
}

// Template is a quick reply. A template without an owner is global (the
// team's); with one it is that operator's personal template.
type Template struct {
	ID      string `json:"id"`
	OwnerID string `json:"ownerId,omitempty"`
	Title   string `json:"title"` // the title or topic the picker filters by
	Text    string `json:"text"`  // may hold {client.name}, {operator.name}...
}

// Tag is a label put on dialogs and messages.
type Tag struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color,omitempty"`
}
