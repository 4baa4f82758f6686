package sdk

import (
	"errors"
	"fmt"
)

// FieldError is one problem with a channel's settings.
type FieldError struct {
	Field   string // JSON pointer: "/token"
	Code    string // stable, doubles as i18n key: "validation_required"
	Message string // English, for logs
}

func (e FieldError) Error() string { return fmt.Sprintf("%s: %s (%s)", e.Field, e.Message, e.Code) }

// ChannelError is a failure of the channel itself (the messenger refused,
// the token was revoked), as opposed to a bug in the connector. It crosses
// the process boundary with its code intact, so the host can tell an
// operator why a message failed.
type ChannelError struct {
	Code    string // stable: "channel_unreachable", "recipient_blocked"
	Message string
}

func (e *ChannelError) Error() string { return "channel: " + e.Code + ": " + e.Message }

// IsChannelError reports whether err is or wraps a *ChannelError.
func IsChannelError(err error) bool {
	var ce *ChannelError
	return errors.As(err, &ce)
}

// ErrUnsupported is returned for optional calls a connector does not
// implement.
var ErrUnsupported = errors.New("connector does not support this call")
