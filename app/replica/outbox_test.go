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

func sendCommand(id, dialogID, text string) (wire.CommandEnvelope, *inbox.Message) {
	payload, _ := json.Marshal(map[string]string{"messageId": "m-" + id, "dialogId": dialogID, "kind": "outbound", "text": text})
	return wire.CommandEnvelope{ID: id, Type: "message.send", Payload: payload, IssuedAt: t0},
		&inbox.Message{ID: "m-" + id, DialogID: dialogID, Kind: inbox.MsgOutbound, AuthorID: "me", Text: text, CreatedAt: t0}
}

func TestTheOutboxSurvivesARestartInOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "replica.db")
	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress)).list)
	for _, id := range []string{"c1", "c2", "c3"} {
		cmd, msg := sendCommand(id, "d1", "text "+id)
		if err := rp.Enqueue(ctx, cmd, Optimistic{Message: msg}); err != nil {
			t.Fatalf("Enqueue(%s): %v", id, err)
		}
	}
	rp.Close()

	rp, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rp.Close()
	pending, err := rp.Pending(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range pending {
		got = append(got, c.ID)
	}
	if len(got) != 3 || got[0] != "c1" || got[1] != "c2" || got[2] != "c3" {
		t.Fatalf("Pending after restart = %v, want c1 c2 c3", got)
	}
	if !pending[0].IssuedAt.Equal(t0) {
		t.Errorf("IssuedAt = %v, want %v", pending[0].IssuedAt, t0)
	}
	h, _ := rp.History(ctx, "d1", 0, 10)
	if len(h.Messages) != 3 || h.Messages[0].Delivery != inbox.DeliveryPending {
		t.Errorf("optimistic messages = %+v, want 3 pending", h.Messages)
	}

	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "c1", OK: true}); err != nil {
		t.Fatal(err)
	}
	if pending, _ := rp.Pending(ctx, 10); len(pending) != 2 {
		t.Errorf("Pending after c1 accepted = %d commands, want 2", len(pending))
	}
}

func TestARejectedCommandRollsBackItsOptimisticChange(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).list)

	taken := dialog("d1", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "me" })
	take := wire.CommandEnvelope{ID: "take1", Type: "dialog.take", Payload: json.RawMessage(`{"dialogId":"d1"}`)}
	if err := rp.Enqueue(ctx, take, Optimistic{Dialog: taken}); err != nil {
		t.Fatal(err)
	}
	send, msg := sendCommand("send1", "d1", "hello")
	if err := rp.Enqueue(ctx, send, Optimistic{Message: msg}); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabMine}); len(items) != 1 {
		t.Fatalf("Mine after an optimistic take = %v, want d1", ids(items))
	}

	dialogID, err := rp.Resolve(ctx, wire.CommandResult{ID: "take1", Code: "dialog.taken_by_other", Message: "Anna took it"})
	if err != nil {
		t.Fatal(err)
	}
	if dialogID != "d1" {
		t.Errorf("Resolve returned dialog %q, want d1", dialogID)
	}
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "send1", Code: "dialog.not_yours"}); err != nil {
		t.Fatal(err)
	}
	d, err := rp.Dialog(ctx, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != inbox.StatusUnassigned || d.AssigneeID != "" {
		t.Errorf("dialog after rejected take = %s/%q, want unassigned with nobody", d.Status, d.AssigneeID)
	}
	if h, _ := rp.History(ctx, "d1", 0, 10); len(h.Messages) != 0 {
		t.Errorf("rejected send left %d messages, want 0", len(h.Messages))
	}
	if hits, _ := rp.Search(ctx, "hello", 10); len(hits) != 0 {
		t.Errorf("rejected send left %d search hits, want 0", len(hits))
	}
	box, err := rp.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(box) != 2 || box[0].State != OutboxRejected || box[0].Message != "Anna took it" {
		t.Errorf("Outbox = %+v, want take1 rejected with its reason", box)
	}
}

func TestARollbackNeverUndoesTheServersNewerVersion(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).list)
	taken := dialog("d1", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "me" })
	take := wire.CommandEnvelope{ID: "take1", Type: "dialog.take", Payload: json.RawMessage(`{"dialogId":"d1"}`)}
	if err := rp.Enqueue(ctx, take, Optimistic{Dialog: taken}); err != nil {
		t.Fatal(err)
	}
	// Anna's take reaches the replica before the answer to ours.
	byAnna := dialog("d1", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "anna"; d.ModifiedAt = t0.Add(time.Second) })
	mustApply(t, rp, newChanges(t, 2).put(wire.KindDialog, "d1", byAnna).list)
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "take1", Code: "dialog.taken_by_other"}); err != nil {
		t.Fatal(err)
	}
	d, _ := rp.Dialog(ctx, "d1")
	if d.AssigneeID != "anna" {
		t.Errorf("assignee after rollback = %q, want anna (the server's newer version)", d.AssigneeID)
	}
}

func TestEnqueueRefusesACommandWithoutAnID(t *testing.T) {
	rp := openTemp(t)
	if err := rp.Enqueue(context.Background(), wire.CommandEnvelope{Type: "dialog.take"}, Optimistic{}); err == nil {
		t.Fatal("Enqueue without an id succeeded, want an error")
	}
}
