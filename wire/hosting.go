package wire

import (
	"encoding/json"
	"time"

	"switchboard/inbox"
)

// Connector hosting (docs/hosting.md): a desktop that runs connector
// plugins competes with the server instances for the channels' leases and
// talks to the team server through /api/v1/host/... . Every call names the
// calling host in HostHeader; the server ties that name to the signed-in
// operator, so a desktop cannot pose as another host.

// HostHeader carries the calling host's own name (any short string,
// stable for the life of the host process).
const HostHeader = "Switchboard-Host"

// HostedChannel is a configured channel a connector host may run, with
// its connector's settings (they may hold secrets such as bot tokens).
type HostedChannel struct {
	ID          string          `json:"id"`
	ConnectorID string          `json:"connectorId"`
	Settings    json.RawMessage `json:"settings"`
}

// HostedChannelsResponse answers GET /api/v1/host/channels.
type HostedChannelsResponse struct {
	Channels []HostedChannel `json:"channels"`
}

// LeaseRequest asks for (or renews) a channel's lease for TTLMillis.
type LeaseRequest struct {
	TTLMillis int64 `json:"ttlMs"`
}

// LeaseResponse says whether the caller holds the channel now, and until
// when.
type LeaseResponse struct {
	Held      bool      `json:"held"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// InboundRequest is the body of POST /api/v1/host/channels/{id}/inbound:
// inbound commands ("inbound.message", ...) of that channel, in order.
// The answer (CommandsResponse) comes after they are stored.
type InboundRequest struct {
	Events []CommandEnvelope `json:"events"`
}

// TypingRequest passes a customer's typing on to the operators.
type TypingRequest struct {
	ExternalID string `json:"externalId"`
}

// ChannelFailedRequest tells the server a channel cannot run (its settings
// were refused, its plugin crashed too often or was removed).
type ChannelFailedRequest struct {
	Reason string `json:"reason"`
}

// Outbound actions a host carries out for a queued message.
const (
	OutboundSend   = "send"
	OutboundEdit   = "edit"
	OutboundDelete = "delete"
)

// OutboundTask is one queued outbound message (or an edit or delete of a
// sent one) for the channel's plugin, as the message stands now.
type OutboundTask struct {
	ChannelID string `json:"channelId"`
	MessageID string `json:"messageId"`
	// Version is the change the message was queued with; it comes back in
	// the result, so a newer change queued meanwhile stays queued.
	Version int64  `json:"version"`
	Action  string `json:"action"`
	ChatID  string `json:"chatId"`
	Text    string `json:"text,omitempty"`
	// ExternalID is the channel's id of a sent message (edit, delete).
	ExternalID        string             `json:"externalId,omitempty"`
	ReplyToExternalID string             `json:"replyToExternalId,omitempty"`
	SenderName        string             `json:"senderName,omitempty"`
	Attachments       []inbox.Attachment `json:"attachments,omitempty"`
	// Template is the channel's approved template the operator chose
	// (WhatsApp outside the customer service window).
	Template *inbox.ChannelTemplate `json:"template,omitempty"`
}

// OutboundResponse answers GET /api/v1/host/channels/{id}/outbound.
type OutboundResponse struct {
	Tasks []OutboundTask `json:"tasks"`
}

// OutboundResult is how the channel took a task: State sent, delivered,
// read or failed (with the channel's Reason); ExternalID is the channel's
// id of a sent message.
type OutboundResult struct {
	MessageID  string         `json:"messageId"`
	Version    int64          `json:"version"`
	Action     string         `json:"action"`
	State      inbox.Delivery `json:"state"`
	Reason     string         `json:"reason,omitempty"`
	ExternalID string         `json:"externalId,omitempty"`
}

// OutboundResultsRequest is the body of POST
// /api/v1/host/channels/{id}/outbound/results.
type OutboundResultsRequest struct {
	Results []OutboundResult `json:"results"`
}
