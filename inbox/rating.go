package inbox

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Ratings. A dialog carries three, as the seeds describe them:
//
//   - the customer's (ClientRating, 1–5): at close the operator may send
//     the customer a rating request. The connector protocol has no notion
//     of a rating (no buttons), so the request is an ordinary outbound
//     message asking for one number, and the customer's reply "1".."5"
//     (or one to five stars) while the dialog awaits it is recorded as the
//     rating instead of reopening the dialog;
//   - the operator's rating of the client (OperatorRating, 1–5), by whoever
//     handled the dialog;
//   - the supervisor's (SupervisorRating, 1–5, with a comment), by the
//     line's supervisors and those who manage dialogs (RateDialog).

// More moves of a dialog's log, about ratings.
const (
	// EvRatingRequested: the operator closed the dialog asking the
	// customer for a rating.
	EvRatingRequested EventType = "rating_requested"
	// EvCustomerRated: the customer answered the request; To is the rating.
	EvCustomerRated EventType = "customer_rated"
	// EvOperatorRatedClient: the operator who handled the dialog rated the
	// client; To is the rating.
	EvOperatorRatedClient EventType = "operator_rated_client"
)

// MaxRatingCommentRunes bounds a supervisor's comment on a rating.
const MaxRatingCommentRunes = 2000

// minRatingWindow is the least time a customer has to answer a rating
// request, even where the line reopens dialogs sooner (or never).
const minRatingWindow = 24 * time.Hour

// ratingRequestTexts is the request the customer reads, in the workspace's
// default language.
var ratingRequestTexts = map[string]string{
	"en": "Thank you for contacting us! Please rate our help: reply with one number from 1 (poor) to 5 (excellent).",
	"ru": "Спасибо за обращение! Пожалуйста, оцените нашу помощь: ответьте одной цифрой от 1 (плохо) до 5 (отлично).",
	"uk": "Дякуємо за звернення! Будь ласка, оцініть нашу допомогу: надішліть одну цифру від 1 (погано) до 5 (чудово).",
}

// RatingRequestText is the rating request in the workspace's default
// language (English when it has none we know). The desktop shows the same
// text optimistically that the server then sends.
func RatingRequestText(org *Org) string {
	if org != nil && org.Workspace != nil {
		if t, ok := ratingRequestTexts[org.Workspace.DefaultLanguage]; ok {
			return t
		}
	}
	return ratingRequestTexts["en"]
}

// ParseRating reads a customer's answer to a rating request: one digit
// from 1 to 5 (an ending "." or "!" allowed), or one to five stars (★ or
// ⭐). Anything else is a message, not a rating.
func ParseRating(text string) (int, bool) {
	s := strings.TrimRight(strings.TrimSpace(text), ".! ")
	if len(s) == 1 && s[0] >= '1' && s[0] <= '5' {
		return int(s[0] - '0'), true
	}
	n := 0
	for _, r := range s {
		if r != '★' && r != '⭐' && r != '\uFE0F' { // U+FE0F: the emoji form of ⭐
			return 0, false
		}
		if r != '\uFE0F' {
			n++
		}
	}
	if n < 1 || n > 5 {
		return 0, false
	}
	return n, true
}

func validRating(n int) error {
	if n < 1 || n > 5 {
		return &Refusal{Code: "rating.out_of_range", Message: "A rating is from 1 to 5.", Args: map[string]string{"field": "rating"}}
	}
	return nil
}

// AwaitsRating reports whether a customer's "1".."5" now rates d: it was
// closed with a rating request not yet answered, within the line's reopen
// window (at least a day).
func (d *Dialog) AwaitsRating(org *Org, kind ChannelKind, now time.Time) bool {
	if d.Status != StatusClosed || d.Detailed != DetClosing {
		return false
	}
	window := max(time.Duration(org.ReopenWindowHours(d.LineID, kind))*time.Hour, minRatingWindow)
	return now.Sub(d.ClosedAt) < window
}

// requestRating adds the rating request to a Close: an outbound message in
// the workspace's language, handed to the channel like any answer; the
// dialog then awaits the customer's rating.
func (c *Close) requestRating(org *Org, op *Operator, d *Dialog, env Env, o *Outcome) {
	text := RatingRequestText(org)
	m := &Message{ID: c.RatingMessageID, DialogID: d.ID, ClientID: d.ClientID, ChannelID: d.ChannelID, Kind: MsgOutbound,
		AuthorID: op.ID, Text: text, Delivery: DeliverySending, CreatedAt: env.Now}
	d.Detailed = DetClosing
	d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, preview(text), true
	d.LastMessageAt, d.LastOperatorMessageAt = env.Now, env.Now
	o.Messages = append(o.Messages, m)
	logEvent(o, env, d, EvRatingRequested, "", "")
}

// rateByReply records a customer's answer to the rating request of their
// latest dialog on the channel, if the message is one and the dialog awaits
// it; nil when the message is to be routed as usual.
func (c *InboundMessage) rateByReply(r Reader, org *Org, ch *Channel, cl *Client, env Env) (*Outcome, error) {
	n, ok := ParseRating(c.Text)
	if !ok || len(c.Attachments) > 0 {
		return nil, nil
	}
	last, err := r.LatestDialog(cl.ID, ch.ID)
	if err != nil || last == nil || !last.AwaitsRating(org, ch.Kind, env.Now) {
		return nil, err
	}
	d := last.Clone()
	m := &Message{ID: env.NewID(), DialogID: d.ID, ClientID: cl.ID, ChannelID: ch.ID, Kind: MsgInbound, Text: c.Text,
		ExternalID: c.ExternalID, CreatedAt: env.Now}
	d.ClientRating, d.Detailed, d.ClientRatedAt = n, DetClosed, env.Now
	d.LastClientMessageAt, d.LastMessageAt, d.ModifiedAt = env.Now, env.Now, env.Now
	d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, preview(c.Text), false
	o := &Outcome{Dialogs: []*Dialog{d}, Messages: []*Message{m}}
	logEvent(o, env, d, EvCustomerRated, "", itoa(int64(n)))
	return o, nil
}

func init() { register(func() Command { return new(RateClient) }) }

// RateClient is the operator's rating of the client (1–5), by the operator
// who handled the dialog: its assignee or whoever closed it.
type RateClient struct {
	DialogRef
	Rating int `json:"rating"`
}

func (*RateClient) Type() string { return "dialog.rate_client" }
func (c *RateClient) validate() error {
	if err := validRating(c.Rating); err != nil {
		return err
	}
	return c.need(c.Type())
}

func (c *RateClient) Execute(r Reader, env Env) (*Outcome, error) {
	_, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if !MayRateClient(op.ID, d) {
		return nil, Refuse("rating.not_handler", "Only the operator who handled the dialog rates its client.")
	}
	if d.OperatorRating == c.Rating {
		return &Outcome{}, nil
	}
	from := itoa(int64(d.OperatorRating))
	d.OperatorRating, d.ModifiedAt = c.Rating, env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvOperatorRatedClient, from, itoa(int64(c.Rating)))
	return o, nil
}

// MayRateDialog reports whether the operator may give the supervisor's
// rating: it supervises the dialog's line or manages dialogs.
func MayRateDialog(org *Org, operatorID string, d *Dialog) bool {
	return org.Can(operatorID, PermDialogsManage) || org.SupervisesLine(operatorID, d.LineID)
}

// MayRateClient reports whether the operator may rate the dialog's client:
// it handled the dialog (holds it, or closed it last).
func MayRateClient(operatorID string, d *Dialog) bool {
	return operatorID != "" && (d.AssigneeID == operatorID || d.ClosedByID == operatorID)
}

func checkRatingComment(s string) error {
	if utf8.RuneCountInString(s) > MaxRatingCommentRunes {
		return &Refusal{Code: "rating.comment_too_long", Message: "The comment is longer than 2000 characters.",
			Args: map[string]string{"field": "comment", "max": itoa(MaxRatingCommentRunes)}}
	}
	return nil
}
