package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"switchboard/app/replica"
	"switchboard/app/syncclient"
	"switchboard/inbox"
)

// Team is working together in a dialog: the colleagues one may mention or
// add, who else is typing or viewing, and the operator's own typing and
// viewing announced to them.
type Team struct{ c *core }

// Colleagues returns every active teammate but the operator, by name: a
// mention or an invitation may reach anyone on the team (a supervisor of
// another line included), and brings them into the dialog.
func (s *Team) Colleagues() ([]Colleague, error) {
	ctx := context.Background()
	_, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
	}
	out := []Colleague{}
	for id, op := range org.Operators {
		if op.Active && id != me {
			out = append(out, Colleague{ID: id, Name: operatorName(org, id), Online: s.c.isOnline(id)})
		}
	}
	slices.SortFunc(out, func(a, b Colleague) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Activity returns who else is typing in or viewing a dialog now.
func (s *Team) Activity(dialogID string) (DialogActivity, error) {
	ctx := context.Background()
	_, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return DialogActivity{}, err
	}
	return s.c.activity.of(dialogID, me, org, s.c.isOnline), nil
}

// SetTyping tells the colleagues in the dialog that the operator types a
// reply or a comment (true, repeated every few seconds while keys are
// pressed) or stopped (false). Typing a reply (reply true) may show to the
// customer on channels that can show it; a comment never does. Offline,
// nothing is sent and nothing fails.
func (s *Team) SetTyping(dialogID string, typing, reply bool) error {
	if _, _, err := s.c.signedIn(context.Background()); err != nil {
		return err
	}
	kind := syncclient.ActivityTyping
	if reply {
		kind = syncclient.ActivityReplying
	}
	s.c.announce(kind, dialogID, typing)
	return nil
}

// SetOpen names the dialog open in the window ("" for none): colleagues
// see the operator viewing it, and its entries in the notification centre
// count as read.
func (s *Team) SetOpen(dialogID string) error {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	s.c.mu.Lock()
	prev := s.c.open
	s.c.open = dialogID
	s.c.mu.Unlock()
	if prev != "" && prev != dialogID {
		s.c.announce(syncclient.ActivityViewing, prev, false)
	}
	if dialogID != "" {
		s.c.announce(syncclient.ActivityViewing, dialogID, true)
		if n, err := rp.MarkDialogNoticesRead(ctx, dialogID); err == nil && n > 0 {
			s.c.noticesChanged(ctx)
		}
	}
	return nil
}

// AddColleagues brings colleagues into a dialog, as the seeds' "add a
// manager to the chat": with a comment, one comment mentioning them all
// (it alerts them and adds them); without one, each is added on its own.
// Either way the dialog syncs to them even outside their lines.
func (s *Team) AddColleagues(dialogID string, operatorIDs []string, comment string) error {
	ctx := context.Background()
	rp, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return err
	}
	ids, err := colleagueIDs(org, me, operatorIDs)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return uiError(CodeNoColleague, "", nil)
	}
	if strings.TrimSpace(comment) != "" {
		_, err := (&Conversation{c: s.c}).send(dialogID, string(inbox.MsgComment), comment, ids, "", nil, nil, false)
		return err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return notFound(err)
	}
	for _, id := range ids {
		if id == d.AssigneeID || d.IsParticipant(id) {
			continue
		}
		nd := d.Clone()
		nd.Participants = append(nd.Participants, id)
		nd.ModifiedAt = time.Now().UTC()
		payload := map[string]string{"dialogId": dialogID, "operatorId": id}
		if err := s.c.enqueue(ctx, rp, "dialog.add_participant", payload, dialogID, replica.Optimistic{Dialog: nd}); err != nil {
			return err
		}
		d = nd
	}
	return nil
}

// colleagueIDs checks that every id is an active teammate and returns them
// once each, in order, without the operator itself.
func colleagueIDs(org *inbox.Org, me string, ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		op := org.Operators[id]
		if op == nil || !op.Active {
			return nil, uiError(CodeUnknownColleague, "", nil)
		}
		if id != me && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// announce sends the operator's own typing or viewing, if online.
func (c *core) announce(kind, dialogID string, on bool) {
	if dialogID == "" {
		return
	}
	c.mu.Lock()
	cl := c.sync
	c.mu.Unlock()
	if cl != nil {
		cl.Announce(kind, dialogID, on)
	}
}

// emitActivity tells the UI who is in the given dialogs now.
func (c *core) emitActivity(dialogIDs ...string) {
	ctx := context.Background()
	c.mu.Lock()
	rp, me := c.rp, c.session.OperatorID
	c.mu.Unlock()
	if rp == nil || me == "" {
		return
	}
	org, err := c.orgOf(ctx, rp)
	if err != nil {
		return
	}
	for _, d := range dialogIDs {
		c.emit(EventDialogActivity, c.activity.of(d, me, org, c.isOnline))
	}
}

// activityLoop forgets colleagues' typing and viewing that stopped coming
// and repeats the operator's own viewing, until ctx ends.
func (c *core) activityLoop(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if changed := c.activity.sweep(); len(changed) > 0 {
			c.emitActivity(changed...)
		}
		if time.Since(last) >= viewingEvery {
			last = time.Now()
			c.reannounce()
		}
	}
}

// reannounce repeats that the operator views the open dialog: on a timer,
// and when the live feed (re)connects.
func (c *core) reannounce() {
	c.mu.Lock()
	open := c.open
	c.mu.Unlock()
	c.announce(syncclient.ActivityViewing, open, true)
}
