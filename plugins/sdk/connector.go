package sdk

import "context"

// Connector is the part every connector implements.
type Connector interface {
	// Describe says what the connector is; the host calls it before Configure.
	Describe(ctx context.Context) (Description, error)
	// Configure receives a channel's settings and the host's services.
	// Problems with the settings are returned as field errors (nil error);
	// an error means the connector itself could not take the call.
	Configure(ctx context.Context, req ConfigureRequest) ([]FieldError, error)
	// Receive calls emit for every inbound event after the cursor, in order,
	// until ctx ends or emit fails. Events not yet acknowledged must be
	// emitted again after a restart.
	Receive(ctx context.Context, afterCursor string, emit func(Event) error) error
	// Ack says the host stored every event up to and including cursor.
	Ack(ctx context.Context, cursor string) error
	// Send delivers an operator's message to the channel.
	Send(ctx context.Context, msg OutboundMessage) (SendResult, error)
}

// Editor is implemented by connectors whose channel can edit sent messages.
type Editor interface {
	Edit(ctx context.Context, chatID, externalID, text string) error
}

// Deleter is implemented by connectors whose channel can delete sent messages.
type Deleter interface {
	Delete(ctx context.Context, chatID, externalID string) error
}

// ReadMarker is implemented by connectors that can send read receipts.
type ReadMarker interface {
	MarkRead(ctx context.Context, chatID, upToExternalID string) error
}

// TypingSender is implemented by connectors whose channel can show the
// customer that the team is typing a reply (a chat action, a "typing…"
// line). The host calls SendTyping while an operator types, at most every
// few seconds per conversation, and only when the connector's
// Capabilities.Typing is set; senderName is the line's or the operator's
// name, as the line shows it. The indicator should fade by itself after a
// few seconds: no "stopped typing" call follows.
type TypingSender interface {
	SendTyping(ctx context.Context, chatID, senderName string) error
}

// ContactChecker is implemented by connectors that can tell whether a phone
// or address is reachable on the channel (e.g. does this phone use WhatsApp).
type ContactChecker interface {
	CheckContact(ctx context.Context, q ContactQuery) (ContactResult, error)
}

// HealthChecker is implemented by connectors that can tell whether their
// channel works (token valid, API reachable). Without it, a connector that
// answers at all is healthy.
type HealthChecker interface {
	Health(ctx context.Context) error
}

// ConfigureRequest carries a channel's settings.
type ConfigureRequest struct {
	ChannelID string
	Settings  []byte // JSON matching Description.SettingsSchema
	Host      Host   // nil when the host offers no services
}
