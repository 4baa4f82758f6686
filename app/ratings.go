package app

import (
	"context"
	"strings"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// RatingsView is what the conversation shows of a dialog's ratings and
// which of them the operator may give (the server checks again).
type RatingsView struct {
	Client     int    `json:"client"`     // the customer's, 0 = none
	Operator   int    `json:"operator"`   // the operator's rating of the client
	Supervisor int    `json:"supervisor"` // the supervisor's
	Comment    string `json:"comment"`    // the supervisor's comment
	// Awaiting is true while the customer was asked and has not answered.
	Awaiting      bool `json:"awaiting"`
	MayRateClient bool `json:"mayRateClient"`
	MayRateDialog bool `json:"mayRateDialog"`
}

func ratingsOf(org *inbox.Org, me string, d *inbox.Dialog) RatingsView {
	return RatingsView{Client: d.ClientRating, Operator: d.OperatorRating, Supervisor: d.SupervisorRating,
		Comment: d.SupervisorComment, Awaiting: d.Status == inbox.StatusClosed && d.Detailed == inbox.DetClosing,
		MayRateClient: inbox.MayRateClient(me, d), MayRateDialog: inbox.MayRateDialog(org, me, d)}
}

// CloseAskRating closes a dialog and sends the customer a rating request
// (in the workspace's language, as the server will send it); the
// customer's answer "1".."5" becomes the dialog's rating.
func (s *Conversation) CloseAskRating(dialogID string) error {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return notFound(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return toUI(err)
	}
	now := time.Now().UTC()
	text := inbox.RatingRequestText(org)
	msg := &inbox.Message{ID: newID(), DialogID: dialogID, ClientID: d.ClientID, ChannelID: d.ChannelID, Kind: inbox.MsgOutbound,
		AuthorID: me, Text: text, Delivery: inbox.DeliveryPending, CreatedAt: now}
	nd := d.Clone()
	nd.Status, nd.Detailed, nd.ClosedByID, nd.ClosedAt, nd.ClosedByOperatorAt = inbox.StatusClosed, inbox.DetClosing, me, now, now
	nd.LastMessageID, nd.LastMessageText, nd.LastMessageFromTeam = msg.ID, inbox.MessagePreview(text, nil), true
	nd.LastMessageAt, nd.LastOperatorMessageAt = now, now
	cmd := &inbox.Close{DialogRef: inbox.DialogRef{DialogID: dialogID}, RequestRating: true, RatingMessageID: msg.ID}
	return s.c.enqueue(ctx, rp, cmd.Type(), cmd, dialogID, replica.Optimistic{Dialog: nd, Message: msg})
}

// RateClient is the operator's rating of the dialog's client, 1 to 5.
func (s *Conversation) RateClient(dialogID string, rating int) error {
	if rating < 1 || rating > 5 {
		return uiError("rating.out_of_range", "", nil)
	}
	return s.rate(dialogID, &inbox.RateClient{DialogRef: inbox.DialogRef{DialogID: dialogID}, Rating: rating}, func(d *inbox.Dialog) {
		d.OperatorRating = rating
	})
}

// RateDialog is the supervisor's rating of the dialog, 1 to 5, with an
// optional comment.
func (s *Conversation) RateDialog(dialogID string, rating int, comment string) error {
	if rating < 1 || rating > 5 {
		return uiError("rating.out_of_range", "", nil)
	}
	comment = strings.TrimSpace(comment)
	if len([]rune(comment)) > inbox.MaxRatingCommentRunes {
		return uiError("rating.comment_too_long", "", nil)
	}
	return s.rate(dialogID, &inbox.RateDialog{DialogRef: inbox.DialogRef{DialogID: dialogID}, Rating: rating, Comment: comment}, func(d *inbox.Dialog) {
		d.SupervisorRating, d.SupervisorComment = rating, comment
	})
}

// rate queues a rating command with its optimistic change.
func (s *Conversation) rate(dialogID string, cmd inbox.Command, change func(d *inbox.Dialog)) error {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return notFound(err)
	}
	nd := d.Clone()
	change(nd)
	nd.ModifiedAt = time.Now().UTC()
	return s.c.enqueue(ctx, rp, cmd.Type(), cmd, dialogID, replica.Optimistic{Dialog: nd})
}
