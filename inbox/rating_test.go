package inbox

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestWhoMayRateWhat(t *testing.T) {
	long := strings.Repeat("я", MaxRatingCommentRunes+1)
	tests := []struct {
		name    string
		owner   string // who holds the dialog
		closeBy string // who closed it first ("" = still open)
		actor   string
		typ     string
		extra   string
		want    string // refusal code, "" for success
	}{
		{"the line's supervisor rates the dialog", "anna", "", "sofia", "dialog.rate", `,"rating":5,"comment":"polite and quick"`, ""},
		{"an admin rates the dialog", "anna", "anna", "admin", "dialog.rate", `,"rating":2`, ""},
		{"the operator who handled it may not rate the dialog", "anna", "", "anna", "dialog.rate", `,"rating":5`, "rating.not_supervisor"},
		{"a colleague may not rate the dialog", "anna", "", "oleg", "dialog.rate", `,"rating":1`, "rating.not_supervisor"},
		{"an operator of another line does not see the dialog to rate", "anna", "", "taras", "dialog.rate", `,"rating":3`, "dialog.not_found"},
		{"a supervisor's comment past 2000 characters is refused", "anna", "", "sofia", "dialog.rate", `,"rating":3,"comment":"` + long + `"`, "rating.comment_too_long"},
		{"a supervisor's rating of 0 is refused", "anna", "", "sofia", "dialog.rate", `,"rating":0`, "rating.out_of_range"},
		{"the system may not rate", "anna", "", "", "dialog.rate", `,"rating":3`, "command.needs_operator"},

		{"the assignee rates the client", "anna", "", "anna", "dialog.rate_client", `,"rating":4`, ""},
		{"the operator who closed the dialog rates the client", "anna", "anna", "anna", "dialog.rate_client", `,"rating":1`, ""},
		{"a supervisor who closed someone's dialog rates its client", "anna", "sofia", "sofia", "dialog.rate_client", `,"rating":3`, ""},
		{"a colleague of the line may not rate the client", "anna", "", "oleg", "dialog.rate_client", `,"rating":4`, "rating.not_handler"},
		{"a supervisor who did not handle it may not rate the client", "anna", "", "sofia", "dialog.rate_client", `,"rating":4`, "rating.not_handler"},
		{"a rating of the client above 5 is refused", "anna", "", "anna", "dialog.rate_client", `,"rating":6`, "rating.out_of_range"},
		{"a deactivated operator rates nothing", "anna", "", "gone", "dialog.rate_client", `,"rating":4`, "operator.inactive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, tc.owner)
			if tc.closeBy != "" {
				m.must(t, tc.closeBy, t0, "dialog.close", `{"dialogId":"`+id+`"}`)
			}
			o, err := m.run(t, tc.actor, t0, tc.typ, `{"dialogId":"`+id+`"`+tc.extra+`}`)
			if got := refusalCode(err); got != tc.want {
				t.Fatalf("%s by %q = %q, want %q", tc.typ, tc.actor, got, tc.want)
			}
			if tc.want != "" {
				if r, _ := AsRefusal(err); r.Message == "" {
					t.Errorf("refusal %s has no message", r.Code)
				}
				return
			}
			d := m.dialogs[id]
			switch tc.typ {
			case "dialog.rate":
				if d.SupervisorRating == 0 || !hasEvent(o, EvRated) {
					t.Errorf("after %s: supervisor rating %d, events %v", tc.typ, d.SupervisorRating, eventTypes(o))
				}
			case "dialog.rate_client":
				if d.OperatorRating == 0 || !hasEvent(o, EvOperatorRatedClient) {
					t.Errorf("after %s: operator rating %d, events %v", tc.typ, d.OperatorRating, eventTypes(o))
				}
			}
			if d.ClientRating != 0 {
				t.Errorf("an operator's command set the customer's rating to %d", d.ClientRating)
			}
			// The same rating again is a repeat that changes nothing.
			if again := m.must(t, tc.actor, t0.Add(time.Minute), tc.typ, `{"dialogId":"`+id+`"`+tc.extra+`}`); !again.Empty() {
				t.Errorf("repeating %s changed %d dialogs", tc.typ, len(again.Dialogs))
			}
		})
	}
}

func TestSupervisorRatingKeepsComment(t *testing.T) {
	m, id := queued(t, "anna")
	m.must(t, "sofia", t0, "dialog.rate", `{"dialogId":"`+id+`","rating":2,"comment":"  forgot to greet <b>the</b> client  "}`)
	d := m.dialogs[id]
	if d.SupervisorRating != 2 || d.SupervisorComment != "forgot to greet <b>the</b> client" {
		t.Fatalf("rating = %d %q, want 2 and the comment as written (trimmed)", d.SupervisorRating, d.SupervisorComment)
	}
	o := m.must(t, "sofia", t0.Add(time.Minute), "dialog.rate", `{"dialogId":"`+id+`","rating":4}`)
	if d := m.dialogs[id]; d.SupervisorRating != 4 || d.SupervisorComment != "" || o.Events[0].From != "2" || o.Events[0].To != "4" {
		t.Fatalf("re-rating = %d %q, event %+v; want 4, no comment, 2 -> 4", d.SupervisorRating, d.SupervisorComment, o.Events[0])
	}
}

func TestCloseWithRatingRequest(t *testing.T) {
	for _, lang := range []string{"en", "ru", "uk", ""} {
		t.Run("workspace language "+lang, func(t *testing.T) {
			m, id := queued(t, "anna")
			m.org.Workspace.DefaultLanguage = lang
			o := m.must(t, "anna", t0, "dialog.close", `{"dialogId":"`+id+`","requestRating":true,"ratingMessageId":"rq1"}`)
			d := m.dialogs[id]
			if d.Status != StatusClosed || d.Detailed != DetClosing || d.ClosedByID != "anna" {
				t.Errorf("closed with a request: %s/%s by %q, want closed/closing by anna", d.Status, d.Detailed, d.ClosedByID)
			}
			if len(o.Messages) != 1 {
				t.Fatalf("close sent %d messages, want the request", len(o.Messages))
			}
			rq := o.Messages[0]
			want := ratingRequestTexts[lang]
			if lang == "" {
				want = ratingRequestTexts["en"]
			}
			if rq.ID != "rq1" || rq.Kind != MsgOutbound || rq.Delivery != DeliverySending || rq.AuthorID != "anna" || rq.Text != want {
				t.Errorf("request = %+v, want outbound rq1 by anna, sending, %q", rq, want)
			}
			if !strings.Contains(rq.Text, "1") || !strings.Contains(rq.Text, "5") {
				t.Errorf("request %q does not say which numbers to answer", rq.Text)
			}
			if !hasEvent(o, EvClosed) || !hasEvent(o, EvRatingRequested) || d.LastMessageID != "rq1" || !d.LastMessageFromTeam {
				t.Errorf("events %v, last message %q", eventTypes(o), d.LastMessageID)
			}
		})
	}
	m, id := queued(t, "anna")
	if _, err := m.run(t, "anna", t0, "dialog.close", `{"dialogId":"`+id+`","requestRating":true}`); refusalCode(err) != "command.malformed" {
		t.Errorf("a request without its message id = %v, want command.malformed", err)
	}
	if o := m.must(t, "anna", t0, "dialog.close", `{"dialogId":"`+id+`"}`); len(o.Messages) != 0 || m.dialogs[id].Detailed != DetClosed {
		t.Errorf("a plain close sent %d messages, detailed %s", len(o.Messages), m.dialogs[id].Detailed)
	}
}

func TestCustomerAnswersRatingRequest(t *testing.T) {
	h := time.Hour
	tests := []struct {
		name      string
		request   bool          // closed with a rating request
		after     time.Duration // answer this long after closing
		text      string
		rating    int  // recorded; 0 = none
		sameDiag  bool // the answer lands in the closed dialog
		reopened  bool
		oldStatus Detailed // the closed dialog's detailed status afterwards
	}{
		{"a 5 within the window rates the dialog", true, time.Minute, "5", 5, true, false, DetClosed},
		{"a digit with a full stop rates", true, time.Hour, " 2. ", 2, true, false, DetClosed},
		{"stars count as the rating", true, time.Hour, "⭐⭐⭐", 3, true, false, DetClosed},
		{"a 6 is a message: it reopens the dialog", true, time.Hour, "6", 0, true, true, ""},
		{"words are a message: they reopen the dialog", true, time.Hour, "5, but the parcel is late", 0, true, true, ""},
		{"a 4 after the window starts a new dialog and ends the wait", true, 49 * h, "4", 0, false, false, DetClosed},
		{"a 4 to a dialog closed without a request reopens it", false, time.Hour, "4", 0, true, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id := queued(t, "anna")
			closed := t0
			if tc.request {
				m.must(t, "anna", closed, "dialog.close", `{"dialogId":"`+id+`","requestRating":true,"ratingMessageId":"rq1"}`)
			} else {
				m.must(t, "anna", closed, "dialog.close", `{"dialogId":"`+id+`"}`)
			}
			unread := m.dialogs[id].Unread
			o := m.must(t, "", closed.Add(tc.after), "inbound.message",
				fmt.Sprintf(`{"channelId":"tg","externalId":"answer","contact":{"externalId":"c1"},"text":%q}`, tc.text))
			if len(o.Messages) != 1 || o.Messages[0].Kind != MsgInbound || o.Messages[0].Text != tc.text {
				t.Fatalf("the answer was not stored as the customer's message: %+v", o.Messages)
			}
			landed := o.Messages[0].DialogID
			if (landed == id) != tc.sameDiag {
				t.Errorf("answer landed in the closed dialog = %v, want %v", landed == id, tc.sameDiag)
			}
			d := m.dialogs[id]
			if d.ClientRating != tc.rating {
				t.Errorf("customer rating = %d, want %d", d.ClientRating, tc.rating)
			}
			if got := d.Status.Open(); got != tc.reopened {
				t.Errorf("reopened = %v (%s), want %v", got, d.Status, tc.reopened)
			}
			if tc.oldStatus != "" && d.Detailed != tc.oldStatus {
				t.Errorf("closed dialog's detailed status = %s, want %s", d.Detailed, tc.oldStatus)
			}
			if tc.rating > 0 {
				if d.Unread != unread || !hasEvent(o, EvCustomerRated) || o.Events[0].To != fmt.Sprint(tc.rating) || o.Events[0].ActorID != "" {
					t.Errorf("rated dialog: unread %d (was %d), events %v", d.Unread, unread, eventTypes(o))
				}
				// Asked once, answered once: a second number is a message.
				o2 := m.must(t, "", closed.Add(tc.after+time.Minute), "inbound.message",
					`{"channelId":"tg","externalId":"again","contact":{"externalId":"c1"},"text":"1"}`)
				if m.dialogs[id].ClientRating != tc.rating || !m.dialogs[id].Status.Open() || !hasEvent(o2, EvReopened) {
					t.Errorf("a second number changed the rating to %d or did not reopen (%s)", m.dialogs[id].ClientRating, m.dialogs[id].Status)
				}
			}
		})
	}
}

func TestParseRating(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true}, {"5", 5, true}, {" 3\n", 3, true}, {"4!", 4, true}, {"2.", 2, true},
		{"★", 1, true}, {"★★★★★", 5, true}, {"⭐️⭐️", 2, true},
		{"0", 0, false}, {"6", 0, false}, {"10", 0, false}, {"", 0, false}, {"five", 0, false},
		{"5 stars", 0, false}, {"★★★★★★", 0, false}, {"<b>5</b>", 0, false},
	}
	for _, tc := range tests {
		got, ok := ParseRating(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRating(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
