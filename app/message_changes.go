package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// ChangeRule says whether the operator may edit or delete a message now,
// by the domain's rule (inbox.MayChange) applied to the channel's
// capabilities as the replica holds them.
type ChangeRule struct {
	Allowed bool `json:"allowed"`
	// Reason is the refusal's code when not allowed ("message.edit_window",
	// "message.delete_unsupported", "message.not_author"...): the UI's
	// tooltip says it in words.
	Reason string `json:"reason"`
	// Window is the channel's window for the change in seconds (0: none,
	// -1: no limit), for the tooltip.
	Window int64 `json:"window"`
	// Until is the last moment (unix ms) the change is allowed; 0 when no
	// window limits it. The UI disables the action once it has passed.
	Until int64 `json:"until"`
}

// QuoteView is what a reply shows of the message it answers.
type QuoteView struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// AuthorName is the operator's name, or the client's for a message
	// from the client.
	AuthorName string `json:"authorName"`
	Text       string `json:"text"` // a one-line preview
	Deleted    bool   `json:"deleted"`
	// Missing: this desktop does not hold the message.
	Missing bool `json:"missing"`
}

func changeRule(org *inbox.Org, me string, m *inbox.Message, what inbox.Change, now time.Time) ChangeRule {
	ch := org.Channels[m.ChannelID]
	r := ChangeRule{Allowed: true, Until: ms(inbox.ChangeDeadline(ch, m, what))}
	if ch != nil {
		r.Window = ch.Capabilities.Window(what)
	}
	if err := inbox.MayChange(ch, me, m, what, now); err != nil {
		r.Allowed = false
		if ref, ok := inbox.AsRefusal(err); ok {
			r.Reason = ref.Code
		}
	}
	return r
}

// quotes resolves the messages that msgs reply to.
func quotes(ctx context.Context, rp *replica.Replica, org *inbox.Org, msgs []inbox.Message) (map[string]*QuoteView, error) {
	var ids []string
	for i := range msgs {
		if id := msgs[i].ReplyToID; id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := rp.MessagesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*QuoteView, len(ids))
	for _, id := range ids {
		m, ok := found[id]
		if !ok {
			out[id] = &QuoteView{ID: id, Missing: true}
			continue
		}
		q := &QuoteView{ID: id, Kind: string(m.Kind), Text: inbox.MessagePreview(m.Text, m.Attachments), Deleted: !m.DeletedAt.IsZero()}
		if q.Deleted {
			q.Text = ""
		}
		if m.AuthorID != "" {
			q.AuthorName = operatorName(org, m.AuthorID)
		} else if m.Kind == inbox.MsgInbound {
			if q.AuthorName, err = rp.ClientName(ctx, m.ClientID); err != nil {
				return nil, err
			}
		}
		out[id] = q
	}
	return out, nil
}

// EditMessage changes the text of one of the operator's messages, where
// and while its channel allows: at once here, on the customer's side once
// the server has passed it on.
func (s *Conversation) EditMessage(messageID, text string) error {
	if strings.TrimSpace(text) == "" {
		return uiError(CodeEmptyMessage, "", nil)
	}
	if utf8.RuneCountInString(text) > maxMessageRunes || !utf8.ValidString(text) {
		return uiError(CodeBadInput, "message too long or not text", nil)
	}
	return s.change(messageID, inbox.ChangeEdit, "message.edit", map[string]string{"messageId": messageID, "text": text},
		func(m *inbox.Message, now time.Time) bool {
			if m.Text == text {
				return false
			}
			m.Edit(text, now)
			return true
		})
}

// DeleteMessage deletes one of the operator's messages, where and while its
// channel allows.
func (s *Conversation) DeleteMessage(messageID string) error {
	return s.change(messageID, inbox.ChangeDelete, "message.delete", map[string]string{"messageId": messageID},
		func(m *inbox.Message, now time.Time) bool {
			m.Delete(now)
			return true
		})
}

// change checks the domain's rule for an edit or delete here (so a refusal
// comes at once, in the operator's words) and queues the command with the
// changed message; apply reports false when nothing changes.
func (s *Conversation) change(messageID string, what inbox.Change, typ string, payload any, apply func(*inbox.Message, time.Time) bool) error {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	found, err := rp.MessagesByID(ctx, []string{messageID})
	if err != nil {
		return toUI(err)
	}
	old, ok := found[messageID]
	if !ok {
		return uiError(CodeNotFound, "", nil)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return toUI(err)
	}
	now := time.Now().UTC()
	if err := inbox.MayChange(org.Channels[old.ChannelID], me, &old, what, now); err != nil {
		if ref, ok := inbox.AsRefusal(err); ok {
			return uiError(ref.Code, ref.Message, err)
		}
		return toUI(err)
	}
	m := old.Clone()
	if !apply(m, now) {
		return nil
	}
	opt := replica.Optimistic{Message: m}
	if d, err := rp.Dialog(ctx, m.DialogID); err == nil && d.LastMessageID == m.ID {
		nd := d.Clone()
		nd.LastMessageText = inbox.MessagePreview(m.Text, m.Attachments)
		opt.Dialog = nd
	}
	return s.c.enqueue(ctx, rp, typ, payload, m.DialogID, opt)
}
