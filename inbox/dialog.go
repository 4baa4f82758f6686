package inbox

import (
	"slices"
	"time"
)

// Status is where a dialog stands for the operators' tabs.
type Status string

const (
	StatusUnassigned Status = "unassigned"
	StatusInProgress Status = "in_progress"
	StatusSnoozed    Status = "snoozed"
	StatusClosed     Status = "closed"
	// StatusSpam is a dialog force-closed as spam.
	StatusSpam Status = "spam"
)

// Open reports whether the dialog still needs work.
func (s Status) Open() bool {
	return s == StatusUnassigned || s == StatusInProgress || s == StatusSnoozed
}

// Detailed is the finer status the reports and the dialog table show.
type Detailed string

const (
	DetNew                Detailed = "new"                  // created, nobody saw it yet
	DetQueued             Detailed = "queued"               // waiting in a line's Unassigned
	DetTaken              Detailed = "taken"                // an operator took it, no answer yet
	DetClientWaiting      Detailed = "client_waiting"       // the client wrote, awaits the first answer
	DetClientWaitingAgain Detailed = "client_waiting_again" // the client wrote again after an answer
	DetOperatorAnswered   Detailed = "operator_answered"    // the last word is the operator's
	DetClosing            Detailed = "closing"              // closed, awaiting the customer's rating
	DetClosed             Detailed = "closed"
	DetSpam               Detailed = "spam"
)

// Dialog is one conversation with a client on a channel.
type Dialog struct {
	ID string `json:"id"`
	// Number is the workspace-wide dialog number people quote ("#1042").
	Number    int64    `json:"number"`
	ClientID  string   `json:"clientId"`
	ChannelID string   `json:"channelId"`
	LineID    string   `json:"lineId"`
	Status    Status   `json:"status"`
	Detailed  Detailed `json:"detailed"`
	// AssigneeID is the responsible operator; empty while unassigned.
	AssigneeID string `json:"assigneeId,omitempty"`
	// Participants are colleagues added to the dialog (by a mention or by
	// hand); the dialog syncs to them even outside their lines.
	Participants []string `json:"participants,omitempty"`
	Tags         []string `json:"tags,omitempty"` // tag ids
	Outgoing     bool     `json:"outgoing"`       // started by an operator
	// ClientBlacklisted mirrors the client's blacklist flag so queues can
	// leave the dialog out without a join: a blacklisted client's dialogs
	// show only in the Blacklist tab and never alert anyone.
	ClientBlacklisted bool `json:"clientBlacklisted,omitempty"`
	// SnoozedUntil is when a snoozed dialog wakes; zero with status snoozed
	// means snoozed until the client writes.
	SnoozedUntil time.Time `json:"snoozedUntil,omitzero"`
	// ClosedByID is who closed the dialog last; the Closed tab lists the
	// dialogs an operator closed last.
	ClosedByID string `json:"closedById,omitempty"`

	// Unread counts the client's messages nobody on the team has read.
	Unread int `json:"unread"`
	// LastMessage* describe the newest message for the dialog row.
	LastMessageID         string    `json:"lastMessageId,omitempty"`
	LastMessageText       string    `json:"lastMessageText,omitempty"` // a short preview
	LastMessageFromTeam   bool      `json:"lastMessageFromTeam"`
	LastClientMessageAt   time.Time `json:"lastClientMessageAt,omitzero"`
	LastOperatorMessageAt time.Time `json:"lastOperatorMessageAt,omitzero"`

	// Ratings.
	ClientRating      int    `json:"clientRating,omitempty"`     // 1–5, from the customer
	OperatorRating    int    `json:"operatorRating,omitempty"`   // the operator's rating of the client
	SupervisorRating  int    `json:"supervisorRating,omitempty"` // 1–5
	SupervisorComment string `json:"supervisorComment,omitempty"`

	// Timestamps for the lists and the reports.
	CreatedAt          time.Time `json:"createdAt"`
	QueuedAt           time.Time `json:"queuedAt,omitzero"`           // entered Unassigned (last time)
	FirstAnswerAt      time.Time `json:"firstAnswerAt,omitzero"`      // first operator answer
	StartedAt          time.Time `json:"startedAt,omitzero"`          // an operator started work
	LastMessageAt      time.Time `json:"lastMessageAt,omitzero"`      // newest message either way
	ClosedByOperatorAt time.Time `json:"closedByOperatorAt,omitzero"` // an operator pressed Close
	ClosedAt           time.Time `json:"closedAt,omitzero"`           // closed by anyone or anything
	ModifiedAt         time.Time `json:"modifiedAt"`
	// ClientRatedAt is when the customer rated the dialog (CSAT by day).
	ClientRatedAt time.Time `json:"clientRatedAt,omitzero"`

	// AwaitingSince is the client's first message the team has not yet
	// answered; zero when no wait runs. Responses are the waits answered so
	// far (see MetricsOn).
	AwaitingSince time.Time     `json:"awaitingSince,omitzero"`
	Responses     ResponseStats `json:"responses,omitzero"`
}

// IsParticipant reports whether operatorID was added to the dialog.
func (d *Dialog) IsParticipant(operatorID string) bool {
	return slices.Contains(d.Participants, operatorID)
}

// Clone returns a deep copy, so a rule can change it without touching the
// caller's value.
func (d *Dialog) Clone() *Dialog {
	c := *d
	c.Participants = slices.Clone(d.Participants)
	c.Tags = slices.Clone(d.Tags)
	return &c
}

// EventType names one move in a dialog's log.
type EventType string

const (
	EvCreated          EventType = "created"
	EvQueued           EventType = "queued"
	EvTaken            EventType = "taken"
	EvAssigned         EventType = "assigned"
	EvTransferred      EventType = "transferred"
	EvReturned         EventType = "returned"
	EvClosed           EventType = "closed"
	EvSpam             EventType = "spam"
	EvSnoozed          EventType = "snoozed"
	EvWoke             EventType = "woke"
	EvReopened         EventType = "reopened"
	EvParticipantAdded EventType = "participant_added"
	EvTagged           EventType = "tagged"
	EvUntagged         EventType = "untagged"
	EvRated            EventType = "rated"
	EvAutoAssigned     EventType = "auto_assigned"
)

// DialogEvent is one entry of a dialog's log: who did what, when, from what
// to what. The conversation view shows them as system lines.
type DialogEvent struct {
	ID       string    `json:"id"`
	DialogID string    `json:"dialogId"`
	Type     EventType `json:"type"`
	// ActorID is the operator who acted; empty for the system (a client
	// message, a timer, auto-assignment).
	ActorID string `json:"actorId,omitempty"`
	// From and To are the values the move changed: operator ids for
	// assignment, line ids for transfers, statuses for status moves.
	From string    `json:"from,omitempty"`
	To   string    `json:"to,omitempty"`
	At   time.Time `json:"at"`
}
