package inbox

import (
	"errors"
	"fmt"
	"time"
)

// Reader is what a command may read. The server implements it over a store
// transaction, the desktop over its replica. Lookups of missing rows return
// an error wrapping [ErrNotFound].
type Reader interface {
	Org() *Org
	Dialog(id string) (*Dialog, error)
	Client(id string) (*Client, error)
	Message(id string) (*Message, error)
	// LatestDialog returns the client's newest dialog on the channel, open or
	// closed, or nil when the client never wrote there.
	LatestDialog(clientID, channelID string) (*Dialog, error)
	// ClientByContact returns the client owning the channel identity, or nil.
	ClientByContact(channelID, externalID string) (*Client, error)
	// MessageByExternalID returns the message the channel knows by id, or nil.
	MessageByExternalID(channelID, externalID string) (*Message, error)
	// OpenDialogsOfClient returns the client's dialogs whose status is open
	// (unassigned, in progress or snoozed), on every channel.
	OpenDialogsOfClient(clientID string) ([]*Dialog, error)
	Template(id string) (*Template, error)
	Task(id string) (*ClientTask, error)
	// SnoozedDue returns the snoozed dialogs whose wake time is at or
	// before now.
	SnoozedDue(now time.Time) ([]*Dialog, error)
}

// ErrNotFound is wrapped by a Reader's lookups of rows that do not exist.
var ErrNotFound = errors.New("not found")

// Env is the context a command runs in.
type Env struct {
	Now time.Time
	// ActorID is the operator who issued the command; empty for the system
	// (connector events, timers).
	ActorID string
	// NewID returns a fresh unique id (the caller decides the format).
	NewID func() string
	// NextDialogNumber returns the next workspace-wide dialog number. The
	// desktop, which cannot know it offline, returns 0 and the server's
	// version of the dialog fills it in.
	NextDialogNumber func() int64
}

// Outcome is everything a command changed: the new version of each entity
// it touched, and the dialog log entries it appended. The caller persists it
// in one transaction.
type Outcome struct {
	Dialogs   []*Dialog
	Messages  []*Message
	Events    []*DialogEvent
	Clients   []*Client
	Notes     []*ClientNote
	Tasks     []*ClientTask
	Templates []*Template
	Tags      []*Tag
	// Deleted lists entities the command removed.
	Deleted []Ref
}

// Ref names one entity by kind and id.
type Ref struct {
	Kind string `json:"kind"` // a wire kind: "template", "note"...
	ID   string `json:"id"`
}

// Empty reports whether the command changed nothing (an idempotent repeat).
func (o *Outcome) Empty() bool {
	return o == nil || len(o.Dialogs)+len(o.Messages)+len(o.Events)+len(o.Clients)+
		len(o.Notes)+len(o.Tasks)+len(o.Templates)+len(o.Tags)+len(o.Deleted) == 0
}

// Command is one thing an operator (or the system) asks to do. Every
// command type is registered by name, so commands can travel over the wire
// and wait in the desktop's outbox.
type Command interface {
	// Type is the command's stable wire name, e.g. "dialog.take".
	Type() string
	// Execute checks the command against the current state and returns
	// what it changes, or a *Refusal.
	Execute(r Reader, env Env) (*Outcome, error)
}

// Refusal is a command the rules turned down. Code is stable and doubles as
// the i18n key the UI translates; Message is a plain English fallback; Args
// fill the translation's placeholders.
type Refusal struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Args    map[string]string `json:"args,omitempty"`
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Message }

// Refuse builds a *Refusal with a formatted message.
func Refuse(code, format string, a ...any) *Refusal {
	return &Refusal{Code: code, Message: fmt.Sprintf(format, a...)}
}

// AsRefusal returns the *Refusal inside err, if any.
func AsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	ok := errors.As(err, &r)
	return r, ok
}
