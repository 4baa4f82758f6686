package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// testWorkspaceSecrets: a named secret document is kept, replaced whole,
// and never enters the change log (the SMTP password must not reach a
// replica).
func testWorkspaceSecrets(t *testing.T, open Opener) {
	s, reopen := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	if got, err := s.WorkspaceSecret(ctx, "smtp"); err != nil || got != nil {
		t.Fatalf("secret before any = %q, %v; want nil", got, err)
	}
	head, _ := s.Head(ctx)
	for _, v := range []string{`{"host":"mail.example.com","password":"p@ss"}`, `{"host":"smtp.example.org","password":"пароль"}`} {
		if err := s.PutWorkspaceSecret(ctx, "smtp", []byte(v)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.WorkspaceSecret(ctx, "smtp"); err != nil || string(got) != v {
			t.Fatalf("secret = %q, %v; want %q", got, err, v)
		}
	}
	if err := s.PutWorkspaceSecret(ctx, "smtp", []byte(`{"host":`)); err == nil {
		t.Error("broken JSON was saved")
	}
	if got, _ := s.WorkspaceSecret(ctx, "other"); got != nil {
		t.Errorf("another name reads %q, want nothing", got)
	}
	if h, _ := s.Head(ctx); h != head {
		t.Errorf("saving a secret moved the change log from %d to %d: secrets must never sync", head, h)
	}
	other := reopen()
	defer other.Close()
	if got, err := other.WorkspaceSecret(ctx, "smtp"); err != nil || string(got) != `{"host":"smtp.example.org","password":"пароль"}` {
		t.Errorf("another instance reads %q, %v", got, err)
	}
}

// run executes a command through a write transaction, as the server's
// engine does, and applies its outcome.
func run(t *testing.T, s store.Store, actor string, now time.Time, typ, payload string) *inbox.Outcome {
	t.Helper()
	var out *inbox.Outcome
	err := s.Write(context.Background(), func(tx store.Tx) error {
		cmd, err := inbox.DecodeCommand(typ, []byte(payload))
		if err != nil {
			return err
		}
		out, err = cmd.Execute(tx, inbox.Env{Now: now, ActorID: actor, NewID: tx.NewID, NextDialogNumber: tx.NextDialogNumber})
		if err != nil {
			return err
		}
		_, err = tx.Apply(out)
		return err
	})
	if err != nil {
		t.Fatalf("%s by %q: %v", typ, actor, err)
	}
	return out
}

// testRatings: a dialog's three ratings and the supervisor's comment are
// kept through the rules' reads, direct reads, pulls and a second handle;
// the rating request is queued for the channel like any answer.
func testRatings(t *testing.T, open Opener) {
	s, reopen := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	apply(t, s, newDialog(1, lineA))
	run(t, s, opAnna, t0.Add(time.Hour), "dialog.take", `{"dialogId":"dl-1"}`)
	run(t, s, opAnna, t0.Add(2*time.Hour), "dialog.close", `{"dialogId":"dl-1","requestRating":true,"ratingMessageId":"rq-1"}`)
	queued, err := s.Dispatch(ctx, []string{chTg}, 10)
	if err != nil || len(queued) != 1 || queued[0].Message.ID != "rq-1" || queued[0].ChatID != "tg-cl-1" {
		t.Fatalf("queue after closing with a request = %+v, %v; want rq-1 to tg-cl-1", queued, err)
	}
	if d, _ := s.Dialog(ctx, "dl-1"); d.Detailed != inbox.DetClosing {
		t.Fatalf("closed with a request: detailed %s, want closing", d.Detailed)
	}
	// The customer answers "5" on the channel.
	rated := run(t, s, "", t0.Add(3*time.Hour), "inbound.message",
		`{"channelId":"`+chTg+`","externalId":"answer-1","contact":{"externalId":"tg-cl-1"},"text":"5"}`)
	if len(rated.Messages) != 1 || rated.Messages[0].DialogID != "dl-1" {
		t.Fatalf("the answer landed in %+v, want dl-1", rated.Messages)
	}
	run(t, s, opAnna, t0.Add(4*time.Hour), "dialog.rate_client", `{"dialogId":"dl-1","rating":2}`)
	comment := `Вежливо, но "долго" — <b>3</b> минуты`
	payload, _ := json.Marshal(map[string]any{"dialogId": "dl-1", "rating": 4, "comment": comment})
	run(t, s, opSup, t0.Add(5*time.Hour), "dialog.rate", string(payload))

	check := func(where string, d *inbox.Dialog) {
		t.Helper()
		if d.ClientRating != 5 || d.OperatorRating != 2 || d.SupervisorRating != 4 || d.SupervisorComment != comment ||
			d.Status != inbox.StatusClosed || d.Detailed != inbox.DetClosed {
			t.Errorf("%s: ratings %d/%d/%d %q, %s/%s; want 5/2/4, the comment, closed/closed", where,
				d.ClientRating, d.OperatorRating, d.SupervisorRating, d.SupervisorComment, d.Status, d.Detailed)
		}
	}
	d, err := s.Dialog(ctx, "dl-1")
	if err != nil {
		t.Fatal(err)
	}
	check("Dialog", d)
	err = s.Write(ctx, func(tx store.Tx) error {
		d, err := tx.Dialog("dl-1")
		if err != nil {
			return err
		}
		check("the command reader", d)
		if latest, err := tx.LatestDialog("cl-1", chTg); err != nil || latest == nil {
			return fmt.Errorf("LatestDialog = %v, %v", latest, err)
		} else {
			check("LatestDialog", latest)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Client(ctx, "cl-1"); err != nil || c.OriginalName != "Client cl-1" {
		t.Errorf("Client(cl-1) = %+v, %v", c, err)
	}
	if _, err := s.Client(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Client(nobody) error = %v, want ErrNotFound", err)
	}
	second := reopen()
	defer second.Close()
	if d, err := second.Dialog(ctx, "dl-1"); err != nil {
		t.Fatal(err)
	} else {
		check("another instance", d)
	}
	for _, op := range []string{opSup, opAnna} {
		var got *inbox.Dialog
		var events []inbox.EventType
		for _, c := range pullAll(t, s, op, 0) {
			switch c.Kind {
			case wire.KindDialog:
				if c.ID == "dl-1" {
					got = new(inbox.Dialog)
					if err := json.Unmarshal(c.Data, got); err != nil {
						t.Fatal(err)
					}
				}
			case wire.KindEvent:
				var e inbox.DialogEvent
				_ = json.Unmarshal(c.Data, &e)
				events = append(events, e.Type)
			}
		}
		if got == nil {
			t.Fatalf("%s pulled no dl-1", op)
		}
		check("pull by "+op, got)
		want := map[inbox.EventType]bool{inbox.EvRatingRequested: true, inbox.EvCustomerRated: true, inbox.EvOperatorRatedClient: true, inbox.EvRated: true}
		for _, e := range events {
			delete(want, e)
		}
		if len(want) > 0 {
			t.Errorf("%s's pull lacks the log entries %v", op, want)
		}
	}
}
