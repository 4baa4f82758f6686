package app

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/wire"
)

// Conversation serves one dialog: its header, history and client card,
// and the operator's actions on it.
type Conversation struct{ c *core }

// Dialog returns the conversation's header.
func (s *Conversation) Dialog(dialogID string) (DialogView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return DialogView{}, err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return DialogView{}, notFound(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return DialogView{}, toUI(err)
	}
	card, _ := rp.Client(ctx, d.ClientID)
	item := replica.DialogItem{Dialog: *d, ClientName: card.Client.Name(), ClientAvatar: card.Client.AvatarURL}
	return DialogView{Row: s.c.rowOf(org, item, ""), ClientID: d.ClientID, Mine: d.AssigneeID == me}, nil
}

func notFound(err error) error {
	if errors.Is(err, inbox.ErrNotFound) {
		return uiError(CodeNotFound, "", err)
	}
	return toUI(err)
}

// History returns up to 50 messages before the given time (0: the newest)
// with the dialog's log entries between them, oldest first.
func (s *Conversation) History(dialogID string, before int64) (HistoryView, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return HistoryView{}, err
	}
	h, err := rp.History(ctx, dialogID, before, 50)
	if err != nil {
		return HistoryView{}, toUI(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return HistoryView{}, toUI(err)
	}
	v := HistoryView{DialogID: dialogID, More: h.More, Items: []TimelineItem{}}
	for i := range h.Messages {
		m := messageView(org, &h.Messages[i])
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

// Client returns the card of the dialog's client.
func (s *Conversation) Client(dialogID string) (ClientView, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return ClientView{}, err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return ClientView{}, notFound(err)
	}
	card, err := rp.Client(ctx, d.ClientID)
	if err != nil {
		return ClientView{}, notFound(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return ClientView{}, toUI(err)
	}
	cl := card.Client
	v := ClientView{ID: cl.ID, Name: cl.Name(), OriginalName: cl.OriginalName, Blacklisted: cl.Blacklisted,
		Contacts: []ContactView{}, Notes: []NoteView{}}
	for _, ct := range cl.Contacts {
		h := ct.Handle
		if h == "" {
			h = ct.ExternalID
		}
		v.Contacts = append(v.Contacts, ContactView{Kind: string(ct.Kind), Handle: h})
	}
	for _, n := range card.Notes {
		v.Notes = append(v.Notes, NoteView{AuthorName: operatorName(org, n.AuthorID), Text: n.Text, At: ms(n.CreatedAt)})
	}
	return v, nil
}

// maxMessageRunes bounds what one message may hold.
const maxMessageRunes = 16000

// Send queues a message (kind outbound, comment or note) and shows it at
// once as pending. It returns the message's id.
func (s *Conversation) Send(dialogID, kind, text string) (string, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return "", err
	}
	k := inbox.MessageKind(kind)
	if k != inbox.MsgOutbound && k != inbox.MsgComment && k != inbox.MsgNote {
		return "", uiError(CodeBadInput, "unknown message kind", nil)
	}
	if strings.TrimSpace(text) == "" {
		return "", uiError(CodeEmptyMessage, "", nil)
	}
	if utf8.RuneCountInString(text) > maxMessageRunes || !utf8.ValidString(text) {
		return "", uiError(CodeBadInput, "message too long or not text", nil)
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return "", notFound(err)
	}
	now := time.Now().UTC()
	msg := &inbox.Message{ID: newID(), DialogID: dialogID, ClientID: d.ClientID, ChannelID: d.ChannelID,
		Kind: k, AuthorID: me, Text: text, Delivery: inbox.DeliveryPending, CreatedAt: now}
	payload := map[string]string{"messageId": msg.ID, "dialogId": dialogID, "kind": kind, "text": text}
	opt := replica.Optimistic{Message: msg}
	if k == inbox.MsgOutbound {
		nd := d.Clone()
		nd.LastMessageID, nd.LastMessageText, nd.LastMessageFromTeam = msg.ID, preview(text), true
		nd.LastMessageAt, nd.LastOperatorMessageAt = now, now
		opt.Dialog = nd
	}
	if err := s.c.enqueue(ctx, rp, "message.send", payload, dialogID, opt); err != nil {
		return "", err
	}
	return msg.ID, nil
}

func preview(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= 120 {
		return text
	}
	return string([]rune(text)[:120]) + "…"
}

// Take starts work on a dialog: it becomes the operator's.
func (s *Conversation) Take(dialogID string) error {
	return s.act("dialog.take", dialogID, nil, func(d *inbox.Dialog, me string, now time.Time) {
		d.Status, d.AssigneeID, d.StartedAt = inbox.StatusInProgress, me, now
	})
}

// Close closes a dialog.
func (s *Conversation) Close(dialogID string) error {
	return s.act("dialog.close", dialogID, nil, func(d *inbox.Dialog, me string, now time.Time) {
		d.Status, d.ClosedByID, d.ClosedAt, d.ClosedByOperatorAt = inbox.StatusClosed, me, now, now
	})
}

// Return puts a dialog back into its line's Unassigned.
func (s *Conversation) Return(dialogID string) error {
	return s.act("dialog.return", dialogID, nil, func(d *inbox.Dialog, me string, now time.Time) {
		d.Status, d.AssigneeID, d.QueuedAt = inbox.StatusUnassigned, "", now
	})
}

// Transfer moves a dialog to another line's Unassigned.
func (s *Conversation) Transfer(dialogID, lineID string) error {
	if lineID == "" {
		return uiError(CodeBadInput, "no line", nil)
	}
	return s.act("dialog.transfer", dialogID, map[string]string{"lineId": lineID}, func(d *inbox.Dialog, me string, now time.Time) {
		d.LineID, d.Status, d.AssigneeID, d.QueuedAt = lineID, inbox.StatusUnassigned, "", now
	})
}

// Assign gives a dialog to a colleague.
func (s *Conversation) Assign(dialogID, operatorID string) error {
	if operatorID == "" {
		return uiError(CodeBadInput, "no operator", nil)
	}
	return s.act("dialog.assign", dialogID, map[string]string{"operatorId": operatorID}, func(d *inbox.Dialog, me string, now time.Time) {
		d.Status, d.AssigneeID = inbox.StatusInProgress, operatorID
	})
}

// MarkRead tells the team the operator has read the dialog.
func (s *Conversation) MarkRead(dialogID string) error {
	return s.act("dialog.read", dialogID, nil, func(d *inbox.Dialog, me string, now time.Time) { d.Unread = 0 })
}

// act queues a dialog command with its optimistic change.
func (s *Conversation) act(typ, dialogID string, extra map[string]string, change func(d *inbox.Dialog, me string, now time.Time)) error {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return notFound(err)
	}
	nd := d.Clone()
	change(nd, me, time.Now().UTC())
	payload := map[string]string{"dialogId": dialogID}
	for k, v := range extra {
		payload[k] = v
	}
	return s.c.enqueue(ctx, rp, typ, payload, dialogID, replica.Optimistic{Dialog: nd})
}

// enqueue stores a command with its optimistic change, tells the UI and
// the sync client.
func (c *core) enqueue(ctx context.Context, rp *replica.Replica, typ string, payload any, dialogID string, opt replica.Optimistic) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return toUI(err)
	}
	cmd := wire.CommandEnvelope{ID: newID(), Type: typ, Payload: body, IssuedAt: time.Now().UTC()}
	if err := rp.Enqueue(ctx, cmd, opt); err != nil {
		return toUI(err)
	}
	// Flush at once: the operator is looking at the row they acted on.
	c.batch.add([]string{dialogID}, false)
	c.batch.flush()
	c.kick()
	return nil
}
