package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// DraftView is the operator's unsent draft in a dialog.
type DraftView struct {
	Kind string `json:"kind"` // outbound, comment, note; "" for the default
	Text string `json:"text"`
	// ReplyTo quotes the message the draft answers; nil when none.
	ReplyTo *QuoteView `json:"replyTo"`
}

// Draft returns the dialog's draft (empty when there is none).
func (s *Conversation) Draft(dialogID string) (DraftView, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return DraftView{}, err
	}
	d, ok, err := rp.Draft(ctx, dialogID)
	if err != nil || !ok {
		return DraftView{}, toUI(err)
	}
	v := DraftView{Kind: d.Kind, Text: d.Text}
	if d.ReplyToID != "" {
		org, err := s.c.orgOf(ctx, rp)
		if err != nil {
			return DraftView{}, toUI(err)
		}
		qs, err := quotes(ctx, rp, org, []inbox.Message{{ReplyToID: d.ReplyToID}})
		if err != nil {
			return DraftView{}, toUI(err)
		}
		if q := qs[d.ReplyToID]; !q.Missing {
			v.ReplyTo = q
		}
	}
	return v, nil
}

// SaveDraft keeps what the operator has written in a dialog and not sent,
// in the replica only; an empty draft is removed. The dialog's row shows a
// mark while a draft exists.
func (s *Conversation) SaveDraft(dialogID, kind, text, replyToID string) error {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(text) > maxMessageRunes || !utf8.ValidString(text) {
		return uiError(CodeBadInput, "draft too long or not text", nil)
	}
	switch inbox.MessageKind(kind) {
	case "", inbox.MsgOutbound, inbox.MsgComment, inbox.MsgNote:
	default:
		return uiError(CodeBadInput, "unknown message kind", nil)
	}
	_, had, err := rp.Draft(ctx, dialogID)
	if err != nil {
		return toUI(err)
	}
	if strings.TrimSpace(text) == "" {
		text = "" // blank lines are no draft
	}
	d := replica.Draft{DialogID: dialogID, Kind: kind, Text: text, ReplyToID: replyToID}
	if err := rp.SaveDraft(ctx, d); err != nil {
		return toUI(err)
	}
	if had == d.Empty() {
		// The row's mark appears or goes.
		s.c.batch.add([]string{dialogID}, false)
	}
	return nil
}
