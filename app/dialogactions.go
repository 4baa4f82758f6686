package app

import (
	"context"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// Snooze hides a dialog in the Snoozed tab until a time (unix ms), or
// with until 0 until the client writes; it comes back to the operator at
// that time (the server's timer) or when the client writes.
func (s *Conversation) Snooze(dialogID string, until int64) error {
	var at time.Time
	if until != 0 {
		at = time.UnixMilli(until).UTC()
		if !at.After(time.Now()) {
			return uiError(CodeSnoozeInPast, "", nil)
		}
	}
	extra := map[string]string{}
	if !at.IsZero() {
		extra["until"] = at.Format(time.RFC3339Nano)
	}
	return s.act("dialog.snooze", dialogID, extra, func(d *inbox.Dialog, me string, now time.Time) {
		d.Status, d.SnoozedUntil, d.ModifiedAt = inbox.StatusSnoozed, at, now
	})
}

// Wake brings a snoozed dialog back before its time.
func (s *Conversation) Wake(dialogID string) error {
	return s.act("dialog.wake", dialogID, nil, func(d *inbox.Dialog, me string, now time.Time) {
		d.Status, d.SnoozedUntil, d.ModifiedAt = inbox.StatusInProgress, time.Time{}, now
		if d.AssigneeID == "" {
			d.Status = inbox.StatusUnassigned
		}
	})
}

// MarkSpam force-closes a dialog as spam.
func (s *Conversation) MarkSpam(dialogID string) error {
	return s.act("dialog.spam", dialogID, nil, func(d *inbox.Dialog, me string, now time.Time) {
		d.Status, d.Detailed, d.SnoozedUntil, d.Unread = inbox.StatusSpam, inbox.DetSpam, time.Time{}, 0
		d.ClosedByID, d.ClosedAt, d.ModifiedAt = me, now, now
	})
}

// Blacklist sends the dialog's client to the blacklist (on) or lets it
// back: its dialogs leave the queues and tabs for the Blacklist tab, and
// its messages, still kept, alert no one.
func (s *Conversation) Blacklist(dialogID string, on bool) error {
	return s.onClient(dialogID, "client.blacklist", func(cl *inbox.Client, me string) any {
		cl.Blacklisted = on
		return map[string]any{"clientId": cl.ID, "on": on}
	})
}

// Pin pins the dialog's client to the operator (on), or unpins it (off:
// the operator's own pin, or anyone's for an administrator): a pinned
// client's new dialogs skip Unassigned for the operator's Mine.
func (s *Conversation) Pin(dialogID string, on bool) error {
	return s.onClient(dialogID, "client.pin", func(cl *inbox.Client, me string) any {
		cl.PinnedOperatorID = ""
		if on {
			cl.PinnedOperatorID = me
		}
		return map[string]string{"clientId": cl.ID, "operatorId": cl.PinnedOperatorID}
	})
}

// onClient queues a command on the dialog's client: change sets the
// client's new version and returns the payload. The client's blacklist
// flag is copied, as the rules do, onto its open dialogs and its newest
// dialog on each channel.
func (s *Conversation) onClient(dialogID, typ string, change func(cl *inbox.Client, me string) any) error {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return notFound(err)
	}
	card, err := rp.Client(ctx, d.ClientID)
	if err != nil {
		return notFound(err)
	}
	cl := card.Client
	payload := change(&cl, me)
	cl.ModifiedAt = time.Now().UTC()
	opt := replica.Optimistic{Client: &cl}
	if cl.Blacklisted != card.Client.Blacklisted {
		all, err := rp.AllClientDialogs(ctx, cl.ID)
		if err != nil {
			return toUI(err)
		}
		var changed []string
		newest := map[string]bool{}
		for i := range all {
			x := &all[i]
			first := !newest[x.ChannelID]
			newest[x.ChannelID] = true
			if (!first && !x.Status.Open()) || x.ClientBlacklisted == cl.Blacklisted {
				continue
			}
			nx := x.Clone()
			nx.ClientBlacklisted, nx.ModifiedAt = cl.Blacklisted, cl.ModifiedAt
			if nx.ID == dialogID {
				opt.Dialog = nx
			} else {
				opt.Others = append(opt.Others, nx)
				changed = append(changed, nx.ID)
			}
		}
		s.c.batch.add(changed, false)
	}
	return s.c.enqueue(ctx, rp, typ, payload, dialogID, opt)
}

// mayHandle mirrors the rules' own (inbox): the operator may move the
// dialog as its assignee, as a worker of its line while nobody has it, or
// as a manager of dialogs.
func mayHandle(org *inbox.Org, me string, d *inbox.Dialog) bool {
	return d.AssigneeID == me || org.Can(me, inbox.PermDialogsManage) || (d.AssigneeID == "" && org.WorksLine(me, d.LineID))
}

// clientControls fills in what the client card offers the operator, by
// the rules of the blacklist and of pinning (inbox.BlacklistClient,
// inbox.PinClient), seen from the dialog the card belongs to.
func clientControls(v *ClientView, org *inbox.Org, me string, d *inbox.Dialog, cl *inbox.Client) {
	manager := org.Can(me, inbox.PermClientsManage) || org.Can(me, inbox.PermDialogsManage)
	handles := d.Status.Open() && mayHandle(org, me, d)
	v.CanBlacklist = !cl.Blacklisted && (manager || handles)
	v.CanUnblock = cl.Blacklisted && (manager || org.SeesAll(me))
	switch holder := cl.PinnedOperatorID; {
	case holder == me:
		v.Pin, v.PinName = "unpin", operatorName(org, me)
	case holder != "" && manager:
		v.Pin, v.PinName = "unpin_other", operatorName(org, holder)
	case holder != "":
		v.Pin, v.PinName = "pinned", operatorName(org, holder)
	case cl.Blacklisted:
	case d.AssigneeID == me || manager:
		// The seeds pin from a dialog assigned to the operator.
		v.Pin, v.PinName = "pin", operatorName(org, me)
	}
}
