package inbox

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxTextRunes is the longest message text the rules accept.
const MaxTextRunes = 10000

// actor returns the org and the acting operator, refusing the system and
// deactivated accounts.
func actor(r Reader, env Env) (*Org, *Operator, error) {
	org := r.Org()
	if env.ActorID == "" {
		return nil, nil, Refuse("command.needs_operator", "This command must come from an operator.")
	}
	op := org.Operators[env.ActorID]
	if op == nil || !op.Active {
		return nil, nil, Refuse("operator.inactive", "Your account is deactivated.")
	}
	return org, op, nil
}

// system refuses an operator sending a command meant for the server and
// connector hosts.
func system(env Env) error {
	if env.ActorID != "" {
		return Refuse("command.forbidden", "Only the server and channels may send this command.")
	}
	return nil
}

// seenDialog loads a dialog the actor may see. A dialog out of sight is
// refused exactly like a missing one, so ids reveal nothing.
func seenDialog(r Reader, org *Org, actorID, id string) (*Dialog, error) {
	d, err := r.Dialog(id)
	if errors.Is(err, ErrNotFound) || (err == nil && actorID != "" && !org.SeesDialog(actorID, d)) {
		return nil, &Refusal{Code: "dialog.not_found", Message: "There is no such dialog, or it is not yours to see.", Args: map[string]string{"dialog": id}}
	}
	if err != nil {
		return nil, err
	}
	return d.Clone(), nil
}

// actorDialog is actor and then seenDialog: the operator behind a command
// on one dialog, and that dialog if the operator may see it.
func actorDialog(r Reader, env Env, dialogID string) (*Org, *Operator, *Dialog, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := seenDialog(r, org, op.ID, dialogID)
	if err != nil {
		return nil, nil, nil, err
	}
	return org, op, d, nil
}

func opName(org *Org, id string) string {
	if o := org.Operators[id]; o != nil {
		return o.Name
	}
	return id
}

// closedRefusal refuses a move on a closed or spam dialog.
func closedRefusal(d *Dialog) error {
	if !d.Status.Open() {
		return &Refusal{Code: "dialog.closed", Message: "The dialog is closed.", Args: map[string]string{"number": itoa(d.Number)}}
	}
	return nil
}

// mayHandle reports whether the actor may move a dialog: its assignee, a
// worker of its line while nobody has it, or a manager.
func mayHandle(org *Org, actorID string, d *Dialog) bool {
	return d.AssigneeID == actorID || org.Can(actorID, PermDialogsManage) ||
		(d.AssigneeID == "" && org.WorksLine(actorID, d.LineID))
}

func notYours(org *Org, d *Dialog) error {
	return &Refusal{Code: "dialog.not_yours", Message: "This dialog is " + opName(org, d.AssigneeID) + "'s.", Args: map[string]string{"operator": opName(org, d.AssigneeID)}}
}

// logEvent appends one move to the outcome.
func logEvent(o *Outcome, env Env, d *Dialog, t EventType, from, to string) {
	o.Events = append(o.Events, &DialogEvent{ID: env.NewID(), DialogID: d.ID, Type: t, ActorID: env.ActorID, From: from, To: to, At: env.Now})
}

// queue puts a dialog into its line's Unassigned.
func queue(d *Dialog, now time.Time) {
	d.Status, d.AssigneeID, d.Detailed, d.QueuedAt, d.SnoozedUntil = StatusUnassigned, "", DetQueued, now, time.Time{}
	if d.Unread > 0 && !d.LastMessageFromTeam {
		d.Detailed = DetClientWaiting
	}
}

// assignTo gives a dialog to an operator.
func assignTo(d *Dialog, opID string, now time.Time) {
	d.Status, d.AssigneeID, d.SnoozedUntil = StatusInProgress, opID, time.Time{}
	if d.StartedAt.IsZero() {
		d.StartedAt = now
	}
	switch {
	case d.Unread > 0 && !d.LastMessageFromTeam && !d.FirstAnswerAt.IsZero():
		d.Detailed = DetClientWaitingAgain
	case d.Unread > 0 && !d.LastMessageFromTeam:
		d.Detailed = DetClientWaiting
	case d.LastMessageFromTeam:
		d.Detailed = DetOperatorAnswered
	default:
		d.Detailed = DetTaken
	}
}

func checkText(text string, attachments int) error {
	if strings.TrimSpace(text) == "" && attachments == 0 {
		return Refuse("message.empty", "Write something or attach a file.")
	}
	if n := utf8.RuneCountInString(text); n > MaxTextRunes {
		return &Refusal{Code: "message.too_long", Message: "The message is longer than 10000 characters.", Args: map[string]string{"max": itoa(MaxTextRunes)}}
	}
	return nil
}

// preview shortens text for a dialog row.
func preview(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= 120 {
		return s
	}
	r := []rune(s)
	return string(r[:119]) + "…"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
