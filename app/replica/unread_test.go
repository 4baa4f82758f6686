package replica

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestMarkingATabReadQueuesOneCommandPerDialogInOneGo(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mine := func(id string, unread int, status inbox.Status) *inbox.Dialog {
		return dialog(id, status, func(d *inbox.Dialog) { d.AssigneeID, d.Unread = "me", unread })
	}
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "a", mine("a", 2, inbox.StatusInProgress)).
		put(wire.KindDialog, "b", mine("b", 0, inbox.StatusInProgress)).
		put(wire.KindDialog, "c", mine("c", 1, inbox.StatusInProgress)).
		put(wire.KindDialog, "snoozed", mine("snoozed", 4, inbox.StatusSnoozed)).
		put(wire.KindDialog, "queue", dialog("queue", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.Unread = 1 })).list)

	unread := func(tab Tab) []string {
		t.Helper()
		ds, err := rp.UnreadDialogs(ctx, "me", tab)
		if err != nil {
			t.Fatalf("UnreadDialogs(%s): %v", tab, err)
		}
		var out []string
		for _, d := range ds {
			out = append(out, d.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := unread(TabMine); !slices.Equal(got, []string{"a", "c"}) {
		t.Fatalf("UnreadDialogs(mine) = %v, want a c", got)
	}
	if got := unread(TabAll); !slices.Equal(got, []string{"a", "c", "queue", "snoozed"}) {
		t.Errorf("UnreadDialogs(all) = %v, want a c queue snoozed", got)
	}
	if _, err := rp.UnreadDialogs(ctx, "me", Tab("nope")); err == nil {
		t.Error("UnreadDialogs(nope) succeeded, want an unknown tab")
	}

	var cmds []Queued
	for _, id := range unread(TabMine) {
		d, _ := rp.Dialog(ctx, id)
		d.Unread = 0
		payload, _ := json.Marshal(map[string]string{"dialogId": id})
		cmds = append(cmds, Queued{Command: wire.CommandEnvelope{ID: "read-" + id, Type: "dialog.read", Payload: payload}, Change: Optimistic{Dialog: d}})
	}
	if err := rp.EnqueueAll(ctx, cmds); err != nil {
		t.Fatal(err)
	}
	if got := unread(TabMine); got != nil {
		t.Errorf("UnreadDialogs(mine) after EnqueueAll = %v, want none", got)
	}
	lc, _ := rp.LineCounts(ctx, "me")
	if lc["l1"].UnreadMine != 0 || lc["l1"].UnreadSnoozed != 1 {
		t.Errorf("LineCounts after marking Mine read = %+v, want no unread in Mine, Snoozed untouched", lc["l1"])
	}
	pending, _ := rp.Pending(ctx, 10)
	if len(pending) != 2 || pending[0].ID != "read-a" || pending[1].ID != "read-c" {
		t.Errorf("Pending = %v, want read-a, read-c", pending)
	}
	// The server refuses one: only that dialog is unread again.
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "read-c", Code: "dialog.not_seen"}); err != nil {
		t.Fatal(err)
	}
	if got := unread(TabMine); !slices.Equal(got, []string{"c"}) {
		t.Errorf("UnreadDialogs(mine) after c was refused = %v, want c", got)
	}

	// A batch with a bad command stores none of it.
	bad := []Queued{{Command: wire.CommandEnvelope{ID: "x1", Type: "dialog.read", Payload: json.RawMessage(`{}`)}}, {Command: wire.CommandEnvelope{ID: "", Type: "dialog.read"}}}
	if err := rp.EnqueueAll(ctx, bad); err == nil {
		t.Error("EnqueueAll with a command without id succeeded")
	}
	if pending, _ := rp.Pending(ctx, 10); len(pending) != 1 {
		t.Errorf("Pending after the refused batch = %d commands, want only read-a", len(pending))
	}
}
