package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	item := replica.ItemOf(d, card.Client.Name(), card.Client.AvatarURL)
	v := DialogView{Row: s.c.rowOf(org, item, ""), ClientID: d.ClientID, ChannelID: d.ChannelID, Mine: d.AssigneeID == me,
		Ratings: ratingsOf(org, me, d), MayHandle: mayHandle(org, me, d)}
	if ch := org.Channels[d.ChannelID]; ch != nil {
		v.Files = fileLimits(ch.Capabilities)
		v.Templates = ch.Kind.SendsTemplates()
	} else {
		v.Files = fileLimits(inbox.Capabilities{})
	}
	return v, nil
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
	rp, me, err := s.c.signedIn(ctx)
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
	return historyView(ctx, rp, org, me, dialogID, h)
}

// maxMessageRunes bounds what one message may hold.
const maxMessageRunes = 16000

// Send queues a message (kind outbound, comment or note) and shows it at
// once as pending; the dialog's draft goes with it. A comment may mention
// colleagues (operator ids): each is alerted and brought into the dialog.
// replyToID names the message of the dialog it answers ("" for none): the
// channel shows the reply as one where it can. It returns the message's id.
func (s *Conversation) Send(dialogID, kind, text string, mentions []string, replyToID string) (string, error) {
	return s.send(dialogID, kind, text, mentions, replyToID, nil, nil, true)
}

// SendWithFiles is Send with files the app holds (Files.Finish gave their
// ids); text may then be empty. A reply's files are checked against the
// channel's limits first: a refusal names the file and the limit, and
// nothing is queued.
func (s *Conversation) SendWithFiles(dialogID, kind, text string, mentions []string, replyToID string, files []AttachmentInput) (string, error) {
	return s.send(dialogID, kind, text, mentions, replyToID, files, nil, true)
}

// send is Send; tpl, on an outbound message, is the channel template the
// channel sends instead of text; fromComposer says the composer's draft is
// what was sent.
func (s *Conversation) send(dialogID, kind, text string, mentions []string, replyToID string, files []AttachmentInput, tpl *inbox.ChannelTemplate, fromComposer bool) (string, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return "", err
	}
	k := inbox.MessageKind(kind)
	if k != inbox.MsgOutbound && k != inbox.MsgComment && k != inbox.MsgNote {
		return "", uiError(CodeBadInput, "unknown message kind", nil)
	}
	if strings.TrimSpace(text) == "" && len(files) == 0 {
		return "", uiError(CodeEmptyMessage, "", nil)
	}
	if utf8.RuneCountInString(text) > maxMessageRunes || !utf8.ValidString(text) {
		return "", uiError(CodeBadInput, "message too long or not text", nil)
	}
	if len(mentions) > 0 && k != inbox.MsgComment {
		return "", uiError(CodeMentionNotComment, "", nil)
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return "", notFound(err)
	}
	if replyToID != "" {
		found, err := rp.MessagesByID(ctx, []string{replyToID})
		if err != nil {
			return "", toUI(err)
		}
		if r, ok := found[replyToID]; !ok || r.DialogID != dialogID {
			return "", uiError(CodeReplyUnknown, "", nil)
		}
	}
	if len(mentions) > 0 {
		org, err := s.c.orgOf(ctx, rp)
		if err != nil {
			return "", toUI(err)
		}
		if mentions, err = colleagueIDs(org, me, mentions); err != nil {
			return "", err
		}
	}
	msgID := newID()
	atts, err := s.attachments(ctx, rp, d, k, msgID, files)
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	msg := &inbox.Message{ID: msgID, DialogID: dialogID, ClientID: d.ClientID, ChannelID: d.ChannelID,
		Kind: k, AuthorID: me, Text: text, Mentions: mentions, ReplyToID: replyToID, Attachments: atts, Delivery: inbox.DeliveryPending, CreatedAt: now, Template: tpl}
	payload := sendPayload{MessageID: msg.ID, DialogID: dialogID, Kind: kind, Text: text, Mentions: mentions, ReplyToID: replyToID, Attachments: atts, Template: tpl}
	opt := replica.Optimistic{Message: msg, ClearDraft: fromComposer}
	if k == inbox.MsgOutbound {
		nd := d.Clone()
		nd.LastMessageID, nd.LastMessageText, nd.LastMessageFromTeam = msg.ID, inbox.MessagePreview(text, atts), true
		nd.LastMessageAt, nd.LastOperatorMessageAt = now, now
		opt.Dialog = nd
	}
	if err := s.c.enqueue(ctx, rp, "message.send", payload, dialogID, opt); err != nil {
		return "", err
	}
	return msg.ID, nil
}

// sendPayload is message.send's payload (inbox.Send).
type sendPayload struct {
	MessageID string   `json:"messageId"`
	DialogID  string   `json:"dialogId"`
	Kind      string   `json:"kind"`
	Text      string   `json:"text"`
	Mentions  []string `json:"mentions,omitempty"`
	ReplyToID string   `json:"replyToId,omitempty"`
	// Attachments name the files by their SHA-256; the outbox uploads
	// them before it sends the command.
	Attachments []inbox.Attachment `json:"attachments,omitempty"`
	// Template is the channel template an outbound message sends.
	Template *inbox.ChannelTemplate `json:"template,omitempty"`
}

// RepliesSince returns the messages colleagues sent the customer in the
// dialog after since (unix ms): the composer asks before sending, so an
// operator who started typing before a colleague answered is warned.
func (s *Conversation) RepliesSince(dialogID string, since int64) ([]MessageView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := rp.OutboundSince(ctx, dialogID, time.UnixMilli(since))
	if err != nil {
		return nil, toUI(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return nil, toUI(err)
	}
	out := []MessageView{}
	for i := range ms {
		if ms[i].AuthorID != me {
			out = append(out, messageView(org, &ms[i]))
		}
	}
	return out, nil
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
	q, err := queued(typ, payload, opt)
	if err != nil {
		return toUI(err)
	}
	if err := rp.Enqueue(ctx, q.Command, q.Change); err != nil {
		return toUI(err)
	}
	// A tag made on the spot changes what every view names.
	if opt.Entity != nil && opt.Entity.Kind == wire.KindTag {
		c.mu.Lock()
		c.org = nil
		c.mu.Unlock()
		c.batch.add(nil, true)
	}
	c.queuedFor([]string{dialogID})
	return nil
}

// queued is a new command of type typ with its optimistic change.
func queued(typ string, payload any, opt replica.Optimistic) (replica.Queued, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return replica.Queued{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	cmd := wire.CommandEnvelope{ID: newID(), Type: typ, Payload: body, IssuedAt: time.Now().UTC()}
	return replica.Queued{Command: cmd, Change: opt}, nil
}

// queuedFor tells the UI at once that the dialogs changed (the operator
// is looking at the rows they acted on) and the sync client to push.
func (c *core) queuedFor(dialogIDs []string) {
	// A command without a dialog (a client's, a template's) changes the
	// client views, no dialog list.
	if len(dialogIDs) > 0 && dialogIDs[0] != "" {
		c.batch.add(dialogIDs, false)
	} else {
		c.batch.addClients()
	}
	c.batch.flush()
	c.kick()
}
