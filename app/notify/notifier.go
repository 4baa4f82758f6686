package notify

import "context"

// Urgency is how insistent an alert is. The D-Bus spec's levels: normal
// alerts expire, critical ones stay until dismissed and may sound.
type Urgency int

const (
	UrgencyNormal   Urgency = 1
	UrgencyCritical Urgency = 2
)

// Kind says which rule raised an alert.
type Kind string

const (
	KindNewDialog Kind = "new_dialog" // a dialog entered the Unassigned queue of one of the operator's lines
	KindAssigned  Kind = "assigned"   // a dialog became the operator's without its doing (pinned client, a colleague)
	KindMention   Kind = "mention"    // a colleague mentioned the operator in a comment
	KindReply     Kind = "reply"      // the customer wrote in a dialog assigned to the operator
	KindSummary   Kind = "summary"    // what happened while the app was closed or offline
)

// Alert is one native notification.
type Alert struct {
	Kind    Kind
	Title   string
	Body    string
	Urgency Urgency
	// DialogID is the dialog the alert is about; empty when it sums up
	// several.
	DialogID string
	// Count is how many events the alert stands for (1 unless coalesced).
	Count int
}

// Notifier shows alerts to the operator.
type Notifier interface {
	Notify(ctx context.Context, a Alert) error
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, a Alert) error

func (f NotifierFunc) Notify(ctx context.Context, a Alert) error { return f(ctx, a) }
