package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
)

// testSettings: channel settings are kept per channel, replaced whole, and
// never appear in the change log.
func testSettings(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	if got, err := s.ChannelSettings(ctx, chTg); err != nil || got != nil {
		t.Fatalf("settings before any = %q, %v; want nil", got, err)
	}
	head, _ := s.Head(ctx)
	for _, v := range []string{`{"token":"secret-1"}`, `{"token":"secret-2","proxy":"x"}`} {
		if err := s.PutChannelSettings(ctx, chTg, []byte(v)); err != nil {
			t.Fatal(err)
		}
		got, err := s.ChannelSettings(ctx, chTg)
		if err != nil || string(got) != v {
			t.Fatalf("settings = %q, %v; want %q", got, err, v)
		}
	}
	if err := s.PutChannelSettings(ctx, chTg, []byte(`{"token":`)); err == nil {
		t.Error("broken JSON settings were saved")
	}
	if h, _ := s.Head(ctx); h != head {
		t.Errorf("saving settings moved the change log from %d to %d: secrets must never sync", head, h)
	}
}

// testLeases: a lease goes to one holder until it expires or is released;
// of many asking at once exactly one wins.
func testLeases(t *testing.T, open Opener) {
	s, reopen := open(t)
	ctx := context.Background()
	ttl := 10 * time.Second
	want := func(holder string, at time.Time, ok bool) {
		t.Helper()
		got, err := s.AcquireLease(ctx, chTg, holder, at, ttl)
		if err != nil || got != ok {
			t.Fatalf("AcquireLease(%s, +%s) = %v, %v; want %v", holder, at.Sub(t0), got, err, ok)
		}
	}
	held := func(at time.Time, want bool) {
		t.Helper()
		if got, err := s.LeaseHeld(ctx, chTg, at); err != nil || got != want {
			t.Fatalf("LeaseHeld(+%s) = %v, %v; want %v", at.Sub(t0), got, err, want)
		}
	}
	holder := func(at time.Time, want string) {
		t.Helper()
		if got, err := s.LeaseHolder(ctx, chTg, at); err != nil || got != want {
			t.Fatalf("LeaseHolder(+%s) = %q, %v; want %q", at.Sub(t0), got, err, want)
		}
	}
	held(t0, false)
	holder(t0, "")
	want("host-a", t0, true)
	held(t0.Add(9*time.Second), true)
	holder(t0.Add(9*time.Second), "host-a")
	held(t0.Add(10*time.Second), false) // expired, nobody renewed
	holder(t0.Add(10*time.Second), "")
	want("host-b", t0.Add(time.Second), false)
	want("host-a", t0.Add(5*time.Second), true) // renewed until t0+15s
	want("host-b", t0.Add(12*time.Second), false)
	want("host-b", t0.Add(15*time.Second), true) // expired: taken over
	holder(t0.Add(16*time.Second), "host-b")
	want("host-a", t0.Add(16*time.Second), false)
	if err := s.ReleaseLease(ctx, chTg, "host-a"); err != nil { // not a's to release
		t.Fatal(err)
	}
	want("host-a", t0.Add(17*time.Second), false)
	if err := s.ReleaseLease(ctx, chTg, "host-b"); err != nil {
		t.Fatal(err)
	}
	held(t0.Add(17*time.Second), false)
	want("host-a", t0.Add(18*time.Second), true)

	// Twenty hosts on two handles ask for a fresh channel at the same moment.
	other := reopen()
	var mu sync.Mutex
	var winners []string
	var wg sync.WaitGroup
	for i := range 20 {
		st := s
		if i%2 == 1 {
			st = other
		}
		wg.Go(func() {
			holder := fmt.Sprintf("host-%d", i)
			ok, err := st.AcquireLease(ctx, "ch-new", holder, t0, ttl)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				winners = append(winners, holder)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("20 hosts asking at once: winners %v, want exactly one", winners)
	}
}

// testDispatch: an operator's outbound message is queued in the same
// transaction that stores it, leaves the queue when dispatched, and
// nothing else is queued.
func testDispatch(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	apply(t, s, newDialog(1, lineA)) // an inbound message: not queued
	out := func(id string, at time.Time, d inbox.Delivery) *inbox.Message {
		return &inbox.Message{ID: id, DialogID: "dl-1", ClientID: "cl-1", ChannelID: chTg, Kind: inbox.MsgOutbound,
			AuthorID: opAnna, Text: "Ответ " + id, Delivery: d, CreatedAt: at}
	}
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{
		out("out-2", t0.Add(2*time.Minute), inbox.DeliverySending),
		out("out-1", t0.Add(time.Minute), inbox.DeliverySending),
		{ID: "cm-1", DialogID: "dl-1", ClientID: "cl-1", ChannelID: chTg, Kind: inbox.MsgComment, AuthorID: opAnna, Text: "internal", CreatedAt: t0},
	}})
	// A write that fails queues nothing.
	_ = s.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.Apply(&inbox.Outcome{Messages: []*inbox.Message{out("out-x", t0, inbox.DeliverySending)}}); err != nil {
			return err
		}
		return fmt.Errorf("boom")
	})
	ids := func(chs ...string) []string {
		t.Helper()
		ms, err := s.Dispatch(ctx, chs, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			if m.ChatID != "tg-cl-1" {
				t.Errorf("queued %s: chat %q, want the client's contact on the channel tg-cl-1", m.Message.ID, m.ChatID)
			}
			out = append(out, m.Message.ID)
		}
		return out
	}
	if got := fmt.Sprint(ids(chTg)); got != "[out-1 out-2]" {
		t.Fatalf("queue = %s, want [out-1 out-2] (oldest first, no inbound, no comment, no rolled-back)", got)
	}
	if got := ids("ch-other"); len(got) != 0 {
		t.Fatalf("queue of another channel = %v", got)
	}
	queued := func(ch, id string, version int64, want bool) {
		t.Helper()
		if got, err := s.Queued(ctx, ch, id, version); err != nil || got != want {
			t.Fatalf("Queued(%s, %s, %d) = %v, %v; want %v", ch, id, version, got, err, want)
		}
	}
	queued(chTg, "out-1", 0, true)
	queued("ch-other", "out-1", 0, false) // another channel's host may not settle it
	queued(chTg, "out-1", 1, false)       // not that change
	queued(chTg, "in-1", 0, false)
	// The channel reports it sent: the message is updated, then dispatched.
	sent := out("out-1", t0.Add(time.Minute), inbox.DeliverySent)
	sent.ExternalID = "tg-99"
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{sent}})
	if err := s.Dispatched(ctx, "out-1", 0); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(chTg)); got != "[out-2]" {
		t.Fatalf("queue after dispatching out-1 = %s, want [out-2]", got)
	}
	queued(chTg, "out-1", 0, false)
}

// testDispatchChanges: a reply names the channel's id of the message it
// answers; an edit or delete of a message the channel has is queued with
// its change, and taking the older change off the queue leaves a newer one
// queued meanwhile.
func testDispatchChanges(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	apply(t, s, newDialog(1, lineA)) // ms-1, the customer's message, is ext-ms-1 on the channel
	reply := &inbox.Message{ID: "out-1", DialogID: "dl-1", ClientID: "cl-1", ChannelID: chTg, Kind: inbox.MsgOutbound,
		AuthorID: opAnna, Text: "Ответ", ReplyToID: "ms-1", Delivery: inbox.DeliverySending, CreatedAt: t0.Add(time.Minute)}
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{reply}})
	one := func(wantVersion int64) store.Outbound {
		t.Helper()
		q, err := s.Dispatch(ctx, []string{chTg}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || q[0].Message.ID != "out-1" || q[0].Version != wantVersion {
			t.Fatalf("queue = %+v, want out-1 at version %d", q, wantVersion)
		}
		return q[0]
	}
	if got := one(0).ReplyToExternalID; got != "ext-ms-1" {
		t.Fatalf("the queued reply answers %q, want the channel's id ext-ms-1", got)
	}
	// Sent: off the queue.
	sent := reply.Clone()
	sent.Delivery, sent.ExternalID = inbox.DeliverySent, "tg-1"
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{sent}})
	if err := s.Dispatched(ctx, "out-1", 0); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Dispatch(ctx, []string{chTg}, 10); len(q) != 0 {
		t.Fatalf("queue after the send = %d messages, want none", len(q))
	}
	// Edited: queued again with the edit's version, the text as edited.
	edited := sent.Clone()
	edited.Text, edited.EditedAt, edited.ChangeDelivery = "Ответ (исправлен)", t0.Add(2*time.Minute), inbox.DeliverySending
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{edited}})
	first := one(inbox.ChangeVersion(edited))
	if first.Message.Text != edited.Text {
		t.Fatalf("queued edit carries %q, want %q", first.Message.Text, edited.Text)
	}
	// Deleted while the edit travels: the edit's settling keeps the delete.
	deleted := edited.Clone()
	deleted.Text, deleted.DeletedAt = "", t0.Add(3*time.Minute)
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{deleted}})
	if err := s.Dispatched(ctx, "out-1", first.Version); err != nil {
		t.Fatal(err)
	}
	last := one(inbox.ChangeVersion(deleted))
	if last.Message.DeletedAt.IsZero() {
		t.Fatalf("the queued change is not the delete: %+v", last.Message)
	}
	if err := s.Dispatched(ctx, "out-1", last.Version); err != nil {
		t.Fatal(err)
	}
	if q, _ := s.Dispatch(ctx, []string{chTg}, 10); len(q) != 0 {
		t.Fatalf("queue after the delete = %d messages, want none", len(q))
	}
	// The report of the delete's delivery queues nothing.
	done := deleted.Clone()
	done.ChangeDelivery = inbox.DeliverySent
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{done}})
	if q, _ := s.Dispatch(ctx, []string{chTg}, 10); len(q) != 0 {
		t.Fatalf("a settled change was queued again")
	}
}

// testFreshIDs: ids a write mints have nothing stored under them; reads
// about them answer from the write's own buffer.
func testFreshIDs(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	err := s.Write(context.Background(), func(tx store.Tx) error {
		cid, did := tx.NewID(), tx.NewID()
		if cid == did || cid == "" {
			return fmt.Errorf("NewID gave %q and %q", cid, did)
		}
		if d, err := tx.LatestDialog(cid, chTg); err != nil || d != nil {
			return fmt.Errorf("LatestDialog of a client minted now = %v, %v; want none", d, err)
		}
		o := newDialog(2, lineA)
		o.Clients[0].ID, o.Dialogs[0].ID, o.Dialogs[0].ClientID, o.Messages[0].ClientID, o.Messages[0].DialogID = cid, did, cid, cid, did
		o.Events[0].DialogID = did
		o.Dialogs[0].Number = tx.NextDialogNumber()
		if _, err := tx.Apply(o); err != nil {
			return err
		}
		d, err := tx.LatestDialog(cid, chTg)
		if err != nil || d == nil || d.ID != did {
			return fmt.Errorf("LatestDialog after putting its dialog = %v, %v; want %s", d, err, did)
		}
		// An existing client still reads the database.
		if d, err := tx.LatestDialog("cl-1", chTg); err != nil || d == nil || d.ID != "dl-1" {
			return fmt.Errorf("LatestDialog(cl-1) = %v, %v; want dl-1", d, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
