package inbox

import "time"

func init() {
	register(func() Command { return new(Take) })
	register(func() Command { return new(Assign) })
	register(func() Command { return new(Transfer) })
	register(func() Command { return new(Return) })
	register(func() Command { return new(Close) })
	register(func() Command { return new(MarkSpam) })
	register(func() Command { return new(Snooze) })
	register(func() Command { return new(Wake) })
	register(func() Command { return new(WakeDue) })
}

// DialogRef is the payload of commands that name only a dialog.
type DialogRef struct {
	DialogID string `json:"dialogId"`
}

func (c *DialogRef) need(typ string) error {
	if c.DialogID == "" {
		return missing(typ, "dialogId")
	}
	return nil
}

// Take starts work on a dialog from the queue: it becomes the actor's.
type Take struct{ DialogRef }

func (*Take) Type() string      { return "dialog.take" }
func (c *Take) validate() error { return c.need(c.Type()) }

func (c *Take) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if err := closedRefusal(d); err != nil {
		return nil, err
	}
	switch {
	case d.AssigneeID == op.ID && d.Status == StatusInProgress:
		return &Outcome{}, nil // already mine: a repeat
	case d.AssigneeID != "" && d.AssigneeID != op.ID:
		return nil, &Refusal{Code: "dialog.already_taken", Message: opName(org, d.AssigneeID) + " already took this dialog.",
			Args: map[string]string{"operator": opName(org, d.AssigneeID)}}
	case !org.WorksLine(op.ID, d.LineID) && !org.Can(op.ID, PermDialogsManage):
		return nil, Refuse("line.not_member", "You do not work this dialog's line.")
	}
	from := string(d.Status)
	assignTo(d, op.ID, env.Now)
	d.ModifiedAt = env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvTaken, from, op.ID)
	return o, nil
}

// Assign gives a dialog to an operator. Without dialogs.manage the actor
// must handle the dialog and the colleague must share a line or group with
// the actor and work the dialog's line.
type Assign struct {
	DialogRef
	OperatorID string `json:"operatorId"`
}

func (*Assign) Type() string { return "dialog.assign" }
func (c *Assign) validate() error {
	if c.OperatorID == "" {
		return missing(c.Type(), "operatorId")
	}
	return c.need(c.Type())
}

func (c *Assign) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if err := closedRefusal(d); err != nil {
		return nil, err
	}
	to := org.Operators[c.OperatorID]
	switch {
	case to == nil:
		return nil, &Refusal{Code: "operator.not_found", Message: "There is no such operator.", Args: map[string]string{"operator": c.OperatorID}}
	case !to.Active:
		return nil, &Refusal{Code: "operator.inactive", Message: to.Name + " is deactivated.", Args: map[string]string{"operator": to.Name}}
	case d.AssigneeID == to.ID && d.Status == StatusInProgress:
		return &Outcome{}, nil
	}
	if !org.Can(op.ID, PermDialogsManage) {
		if !mayHandle(org, op.ID, d) {
			return nil, notYours(org, d)
		}
		if to.ID != op.ID && (!org.SharesLineOrGroup(op.ID, to.ID) || !org.WorksLine(to.ID, d.LineID)) {
			return nil, &Refusal{Code: "assign.not_colleague", Message: to.Name + " does not work this line with you.",
				Args: map[string]string{"operator": to.Name}}
		}
	}
	from := d.AssigneeID
	assignTo(d, to.ID, env.Now)
	d.ModifiedAt = env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvAssigned, from, to.ID)
	return o, nil
}

// Transfer moves a dialog to another line's Unassigned.
type Transfer struct {
	DialogRef
	LineID string `json:"lineId"`
}

func (*Transfer) Type() string { return "dialog.transfer" }
func (c *Transfer) validate() error {
	if c.LineID == "" {
		return missing(c.Type(), "lineId")
	}
	return c.need(c.Type())
}

func (c *Transfer) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if err := closedRefusal(d); err != nil {
		return nil, err
	}
	l := org.Lines[c.LineID]
	switch {
	case l == nil || l.Archived:
		return nil, &Refusal{Code: "line.not_found", Message: "There is no such line.", Args: map[string]string{"line": c.LineID}}
	case l.ID == d.LineID:
		return nil, Refuse("transfer.same_line", "The dialog is already in %s.", l.Name)
	case !mayHandle(org, op.ID, d) && !org.WorksLine(op.ID, d.LineID):
		return nil, notYours(org, d)
	}
	from := d.LineID
	d.LineID = l.ID
	queue(d, env.Now)
	d.ModifiedAt = env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvTransferred, from, l.ID)
	return o, nil
}

// Return puts a dialog back into its line's Unassigned.
type Return struct{ DialogRef }

func (*Return) Type() string      { return "dialog.return" }
func (c *Return) validate() error { return c.need(c.Type()) }

func (c *Return) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if err := closedRefusal(d); err != nil {
		return nil, err
	}
	if d.Status == StatusUnassigned {
		return &Outcome{}, nil
	}
	if d.AssigneeID != op.ID && !org.Can(op.ID, PermDialogsManage) {
		return nil, notYours(org, d)
	}
	from := d.AssigneeID
	queue(d, env.Now)
	d.ModifiedAt = env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvReturned, from, "")
	return o, nil
}

// Close closes a dialog; it lands in the actor's Closed tab. With
// RequestRating the customer is sent a rating request (its message id
// comes from the desktop, like a reply's) and the dialog awaits the
// rating.
type Close struct {
	DialogRef
	RequestRating   bool   `json:"requestRating,omitempty"`
	RatingMessageID string `json:"ratingMessageId,omitempty"`
}

func (*Close) Type() string { return "dialog.close" }
func (c *Close) validate() error {
	if c.RequestRating && c.RatingMessageID == "" {
		return missing(c.Type(), "ratingMessageId")
	}
	return c.need(c.Type())
}

func (c *Close) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if d.Status == StatusClosed && d.ClosedByID == op.ID {
		return &Outcome{}, nil
	}
	if err := closedRefusal(d); err != nil {
		return nil, err
	}
	if !mayHandle(org, op.ID, d) {
		return nil, notYours(org, d)
	}
	from := string(d.Status)
	d.Status, d.Detailed, d.SnoozedUntil = StatusClosed, DetClosed, time.Time{}
	d.ClosedByID, d.ClosedAt, d.ClosedByOperatorAt, d.ModifiedAt = op.ID, env.Now, env.Now, env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvClosed, from, string(StatusClosed))
	if c.RequestRating {
		c.requestRating(org, op, d, env, o)
	}
	return o, nil
}

// MarkSpam force-closes a dialog as spam: it leaves every tab but All,
// and the client's later messages stay in it, alerting no one.
type MarkSpam struct{ DialogRef }

func (*MarkSpam) Type() string      { return "dialog.spam" }
func (c *MarkSpam) validate() error { return c.need(c.Type()) }

func (c *MarkSpam) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if d.Status == StatusSpam {
		return &Outcome{}, nil
	}
	// Like Close: the assignee, the line's operators while nobody has it,
	// or a manager (a colleague's dialog is not another operator's to end).
	if !mayHandle(org, op.ID, d) {
		return nil, notYours(org, d)
	}
	from := string(d.Status)
	d.Status, d.Detailed, d.SnoozedUntil, d.Unread = StatusSpam, DetSpam, time.Time{}, 0
	d.ClosedByID, d.ClosedAt, d.ModifiedAt = op.ID, env.Now, env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvSpam, from, string(StatusSpam))
	return o, nil
}

// Snooze hides a dialog the actor works on until a time, or (Until
// omitted) until the client writes.
type Snooze struct {
	DialogRef
	Until time.Time `json:"until,omitzero"`
}

func (*Snooze) Type() string      { return "dialog.snooze" }
func (c *Snooze) validate() error { return c.need(c.Type()) }

func (c *Snooze) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if err := closedRefusal(d); err != nil {
		return nil, err
	}
	if d.AssigneeID == "" {
		return nil, Refuse("snooze.unassigned", "Take the dialog before snoozing it.")
	}
	if d.AssigneeID != op.ID && !org.Can(op.ID, PermDialogsManage) {
		return nil, notYours(org, d)
	}
	if !c.Until.IsZero() && !c.Until.After(env.Now) {
		return nil, Refuse("snooze.in_past", "Choose a time in the future.")
	}
	from := string(d.Status)
	d.Status, d.SnoozedUntil, d.ModifiedAt = StatusSnoozed, c.Until, env.Now
	to := "client_message"
	if !c.Until.IsZero() {
		to = c.Until.UTC().Format(time.RFC3339)
	}
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvSnoozed, from, to)
	return o, nil
}

// wake brings a snoozed dialog back: to its assignee if still active, else
// to the line's Unassigned.
func wake(org *Org, d *Dialog, now time.Time) {
	if a := org.Operators[d.AssigneeID]; a != nil && a.Active {
		assignTo(d, a.ID, now)
	} else {
		queue(d, now)
	}
	d.ModifiedAt = now
}

// Wake ends a snooze early.
type Wake struct{ DialogRef }

func (*Wake) Type() string      { return "dialog.wake" }
func (c *Wake) validate() error { return c.need(c.Type()) }

func (c *Wake) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if d.Status != StatusSnoozed {
		return &Outcome{}, nil
	}
	if !mayHandle(org, op.ID, d) {
		return nil, notYours(org, d)
	}
	wake(org, d, env.Now)
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvWoke, string(StatusSnoozed), string(d.Status))
	return o, nil
}

// WakeDue is the server's timer: it wakes every dialog whose snooze ended.
type WakeDue struct{}

func (*WakeDue) Type() string { return "dialog.wake_due" }

func (c *WakeDue) Execute(r Reader, env Env) (*Outcome, error) {
	if err := system(env); err != nil {
		return nil, err
	}
	due, err := r.SnoozedDue(env.Now)
	if err != nil {
		return nil, err
	}
	org := r.Org()
	o := &Outcome{}
	for _, d := range due {
		d = d.Clone()
		wake(org, d, env.Now)
		o.Dialogs = append(o.Dialogs, d)
		logEvent(o, env, d, EvWoke, string(StatusSnoozed), string(d.Status))
	}
	return o, nil
}
