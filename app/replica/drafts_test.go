package replica

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func mine(d *inbox.Dialog) { d.AssigneeID = "me" }

// draftsOnRows returns the ids of the Mine tab's rows that carry a draft.
func draftsOnRows(t *testing.T, rp *Replica) []string {
	t.Helper()
	items, _, err := rp.ListDialogs(context.Background(), "me", ListQuery{Tab: TabMine})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, it := range items {
		if it.Draft != nil {
			out = append(out, it.ID)
		}
	}
	return out
}

func TestADraftSurvivesARestartAndMarksItsRow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "replica.db")
	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress, mine)).
		put(wire.KindDialog, "d2", dialog("d2", inbox.StatusInProgress, mine, func(d *inbox.Dialog) { d.LastMessageAt = t0.Add(time.Minute) })).
		put(wire.KindMessage, "m1", message("m1", "d1", "Where is my parcel?", t0)).list)
	want := Draft{DialogID: "d1", Kind: "comment", Text: "Посылка <b>задерживается</b>, уточню…", ReplyToID: "m1", UpdatedAt: t0}
	if err := rp.SaveDraft(ctx, want); err != nil {
		t.Fatalf("SaveDraft: %v", err)
	}
	rp.Close()

	rp, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	got, ok, err := rp.Draft(ctx, "d1")
	if err != nil || !ok || got != want {
		t.Fatalf("Draft(d1) after a restart = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	if _, ok, _ := rp.Draft(ctx, "d2"); ok {
		t.Errorf("d2 has a draft nobody wrote")
	}
	if rows := draftsOnRows(t, rp); len(rows) != 1 || rows[0] != "d1" {
		t.Errorf("rows with a draft = %v, want [d1]", rows)
	}

	// A resync from the server replaces what the server sent, not the
	// operator's drafts.
	mustApply(t, rp, newChanges(t, 3).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress, mine)).list)
	if _, ok, _ := rp.Draft(ctx, "d1"); !ok {
		t.Errorf("applying the server's changes lost the draft")
	}
	// Emptied, the draft goes, and its mark with it.
	if err := rp.SaveDraft(ctx, Draft{DialogID: "d1", Kind: "comment"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := rp.Draft(ctx, "d1"); ok {
		t.Errorf("an empty draft was kept")
	}
	if rows := draftsOnRows(t, rp); len(rows) != 0 {
		t.Errorf("rows with a draft after emptying it = %v", rows)
	}
}

func TestSendingClearsTheDraftInTheSameTransaction(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress, mine)).
		put(wire.KindDialog, "d2", dialog("d2", inbox.StatusInProgress, mine)).list)
	for _, d := range []string{"d1", "d2"} {
		if err := rp.SaveDraft(ctx, Draft{DialogID: d, Text: "almost ready"}); err != nil {
			t.Fatal(err)
		}
	}
	// A message sent from elsewhere (adding a colleague with a comment)
	// leaves the composer's draft alone.
	cmd, msg := sendCommand("c0", "d1", "fyi")
	if err := rp.Enqueue(ctx, cmd, Optimistic{Message: msg}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := rp.Draft(ctx, "d1"); !ok {
		t.Fatalf("a send that was not the draft cleared it")
	}
	cmd, msg = sendCommand("c1", "d1", "almost ready")
	if err := rp.Enqueue(ctx, cmd, Optimistic{Message: msg, ClearDraft: true}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := rp.Draft(ctx, "d1"); ok {
		t.Errorf("the sent draft is still there")
	}
	if _, ok, _ := rp.Draft(ctx, "d2"); !ok {
		t.Errorf("sending in d1 cleared d2's draft")
	}
	// Signing out wipes the drafts with the rest.
	if err := rp.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := rp.Draft(ctx, "d2"); ok {
		t.Errorf("a draft survived signing out")
	}
}

func TestARejectedEditPutsTheMessageBack(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	sent := &inbox.Message{ID: "m1", DialogID: "d1", Kind: inbox.MsgOutbound, AuthorID: "me", Text: "See you at 5",
		Delivery: inbox.DeliverySent, ExternalID: "x-1", CreatedAt: t0}
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress, mine)).
		put(wire.KindMessage, "m1", sent).list)
	edit := func(id, text string) {
		t.Helper()
		m := sent.Clone()
		m.Edit(text, t0.Add(time.Minute))
		payload, _ := json.Marshal(map[string]string{"messageId": "m1", "text": text})
		if err := rp.Enqueue(ctx, wire.CommandEnvelope{ID: id, Type: "message.edit", Payload: payload}, Optimistic{Message: m}); err != nil {
			t.Fatal(err)
		}
	}
	text := func() string {
		t.Helper()
		h, err := rp.History(ctx, "d1", 0, 10)
		if err != nil || len(h.Messages) != 1 {
			t.Fatalf("history = %+v, %v", h, err)
		}
		return h.Messages[0].Text
	}
	edit("e1", "See you at 6")
	if got := text(); got != "See you at 6" {
		t.Fatalf("after the optimistic edit the text is %q", got)
	}
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "e1", Code: "message.edit_window"}); err != nil {
		t.Fatal(err)
	}
	if got := text(); got != "See you at 5" {
		t.Errorf("after the refusal the text is %q, want the message as it was", got)
	}
	// When the server sent a newer version meanwhile, that version stays.
	edit("e2", "See you at 7")
	newer := sent.Clone()
	newer.Delivery = inbox.DeliveryRead
	mustApply(t, rp, newChanges(t, 3).put(wire.KindMessage, "m1", newer).list)
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "e2", Code: "message.edit_window"}); err != nil {
		t.Fatal(err)
	}
	h, _ := rp.History(ctx, "d1", 0, 10)
	if m := h.Messages[0]; m.Delivery != inbox.DeliveryRead || m.Text != "See you at 5" {
		t.Errorf("after a refusal that came after the server's newer version: %q %s, want the server's", m.Text, m.Delivery)
	}
	// A refused edit of a message still in the outbox puts it back; it
	// never takes the message away (that is the refused send's undo).
	cmd, pending := sendCommand("s1", "d1", "on my way")
	if err := rp.Enqueue(ctx, cmd, Optimistic{Message: pending}); err != nil {
		t.Fatal(err)
	}
	changed := pending.Clone()
	changed.Edit("on my way!", t0.Add(time.Minute))
	if err := rp.Enqueue(ctx, wire.CommandEnvelope{ID: "e3", Type: "message.edit", Payload: json.RawMessage(`{}`)}, Optimistic{Message: changed}); err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "e3", Code: "message.edit_window"}); err != nil {
		t.Fatal(err)
	}
	got, err := rp.MessagesByID(ctx, []string{pending.ID})
	if m, ok := got[pending.ID]; err != nil || !ok || m.Text != "on my way" || m.Delivery != inbox.DeliveryPending {
		t.Errorf("the pending message after its edit was refused = %+v (found %v, %v)", m, ok, err)
	}
}
