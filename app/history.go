package app

import (
	"context"
	"sort"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// HistoryAround returns the conversation around one message: the page a
// search hit opens, however far back the message is, with the words of
// query marked in it (Focus). Pages on either side follow with
// HistoryBefore and HistoryAfter.
func (s *Conversation) HistoryAround(dialogID, messageID, query string) (HistoryView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return HistoryView{}, err
	}
	a, err := rp.HistoryAround(ctx, dialogID, messageID, 25)
	if err != nil {
		return HistoryView{}, notFound(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return HistoryView{}, toUI(err)
	}
	v, err := historyView(ctx, rp, org, me, dialogID, a.History)
	if err != nil {
		return HistoryView{}, err
	}
	v.Newer = a.Newer
	for _, it := range v.Items {
		if m := it.Message; m != nil && m.ID == messageID {
			v.Focus = &FocusView{MessageID: m.ID, Parts: parts(m.Text, replica.Marks(m.Text, query))}
		}
	}
	return v, nil
}

// HistoryAfter returns up to 50 messages after the message afterID with
// the log entries between them, oldest first; Newer says whether more
// follow. Paging by message keeps messages of one millisecond together.
func (s *Conversation) HistoryAfter(dialogID, afterID string) (HistoryView, error) {
	return s.page(dialogID, afterID, true)
}

// HistoryBefore returns up to 50 messages before the message beforeID
// with the log entries between them, oldest first; More says whether
// older ones exist.
func (s *Conversation) HistoryBefore(dialogID, beforeID string) (HistoryView, error) {
	return s.page(dialogID, beforeID, false)
}

func (s *Conversation) page(dialogID, anchorID string, forward bool) (HistoryView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return HistoryView{}, err
	}
	var h replica.History
	if forward {
		h, err = rp.HistoryAfter(ctx, dialogID, anchorID, 50)
	} else {
		h, err = rp.HistoryBefore(ctx, dialogID, anchorID, 50)
	}
	if err != nil {
		return HistoryView{}, notFound(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return HistoryView{}, toUI(err)
	}
	if !forward {
		return historyView(ctx, rp, org, me, dialogID, h)
	}
	v, err := historyView(ctx, rp, org, me, dialogID, replica.History{Messages: h.Messages, Events: h.Events})
	if err != nil {
		return HistoryView{}, err
	}
	v.Newer = h.More
	return v, nil
}

// historyView lays a page's messages and log entries out in time order.
// Each message carries the quote of the one it replies to and what the
// operator may change of it (me: the operator).
func historyView(ctx context.Context, rp *replica.Replica, org *inbox.Org, me, dialogID string, h replica.History) (HistoryView, error) {
	qs, err := quotes(ctx, rp, org, h.Messages)
	if err != nil {
		return HistoryView{}, toUI(err)
	}
	now := time.Now()
	v := HistoryView{DialogID: dialogID, More: h.More, Items: []TimelineItem{}}
	for i := range h.Messages {
		msg := &h.Messages[i]
		m := messageView(org, msg)
		m.ReplyTo = qs[msg.ReplyToID]
		m.Edit = changeRule(org, me, msg, inbox.ChangeEdit, now)
		m.Delete = changeRule(org, me, msg, inbox.ChangeDelete, now)
		v.Items = append(v.Items, TimelineItem{Message: &m})
	}
	for i := range h.Events {
		e := eventView(org, &h.Events[i])
		v.Items = append(v.Items, TimelineItem{Event: &e})
	}
	at := func(it TimelineItem) int64 {
		if it.Message != nil {
			return it.Message.At
		}
		return it.Event.At
	}
	sort.SliceStable(v.Items, func(i, j int) bool { return at(v.Items[i]) < at(v.Items[j]) })
	if len(h.Messages) > 0 {
		v.Before = ms(h.Messages[0].CreatedAt)
	}
	return v, nil
}
