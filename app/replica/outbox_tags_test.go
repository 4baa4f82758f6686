package replica

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

// Tagging offline: a tag made on the spot, two messages and the dialog
// tagged with it show at once (the tag in the org, the dialog under the
// tag's filter); the server's refusals take each back, except where the
// server has sent its own version since.
func TestOptimisticTagsShowAtOnceAndRollBack(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindTag, "vip", &inbox.Tag{ID: "vip", Name: "VIP"}).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).
		put(wire.KindMessage, "m1", message("m1", "d1", "где мой заказ", t0)).
		put(wire.KindMessage, "m2", message("m2", "d1", "жалоба", t0)).list)
	enqueue := func(id, typ string, opt Optimistic) {
		t.Helper()
		if err := rp.Enqueue(ctx, wire.CommandEnvelope{ID: id, Type: typ, Payload: json.RawMessage(`{}`)}, opt); err != nil {
			t.Fatalf("Enqueue(%s): %v", typ, err)
		}
	}
	listed := func(tag string) []string {
		t.Helper()
		items, _, err := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabAll, Filter: Filter{TagID: tag}})
		if err != nil {
			t.Fatal(err)
		}
		return ids(items)
	}
	tagsOf := func(id string) []string {
		t.Helper()
		h, err := rp.History(ctx, "d1", 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			if m.ID == id {
				return m.Tags
			}
		}
		t.Fatalf("no message %s", id)
		return nil
	}
	tagged := func(id string, tags ...string) *inbox.Message {
		m := message(id, "d1", map[string]string{"m1": "где мой заказ", "m2": "жалоба"}[id], t0)
		m.Tags = tags
		return m
	}

	enqueue("c-tag", "tag.create", Optimistic{Entity: &EntityChange{Kind: wire.KindTag, ID: "t-new", Data: json.RawMessage(`{"id":"t-new","name":"Жалоба"}`)}})
	enqueue("c-msgs", "message.tag", Optimistic{Messages: []*inbox.Message{tagged("m1", "t-new"), tagged("m2", "t-new"), tagged("ghost", "t-new")}})
	enqueue("c-vip", "message.tag", Optimistic{Messages: []*inbox.Message{tagged("m1", "t-new", "vip")}})
	enqueue("c-dlg", "dialog.tag", Optimistic{Dialog: dialog("d1", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.Tags = []string{"t-new"} })})

	org, err := rp.Org(ctx)
	if err != nil || org.Tags["t-new"] == nil || org.Tags["t-new"].Name != "Жалоба" {
		t.Fatalf("Org after the optimistic tag.create lacks t-new: %v", err)
	}
	if got := listed("t-new"); !slices.Equal(got, []string{"d1"}) {
		t.Errorf("the tag's filter lists %v, want [d1] at once", got)
	}
	if got := tagsOf("m1"); !slices.Equal(got, []string{"t-new", "vip"}) {
		t.Errorf("m1 tags = %v, want [t-new vip]", got)
	}
	if h, _ := rp.History(ctx, "d1", 0, 10); len(h.Messages) != 2 {
		t.Errorf("tagging a message the replica lacks made %d messages, want 2", len(h.Messages))
	}

	// The server answered m2 with its own version (tagged by a colleague
	// with vip) before refusing our tagging.
	mustApply(t, rp, newChanges(t, 10).put(wire.KindMessage, "m2", tagged("m2", "vip")).list)
	for _, id := range []string{"c-dlg", "c-vip", "c-msgs", "c-tag"} {
		if _, err := rp.Resolve(ctx, wire.CommandResult{ID: id, Code: "tag.exists"}); err != nil {
			t.Fatalf("Resolve(%s): %v", id, err)
		}
	}
	if got := tagsOf("m1"); len(got) != 0 {
		t.Errorf("m1 tags after the refusals = %v, want none", got)
	}
	if got := tagsOf("m2"); !slices.Equal(got, []string{"vip"}) {
		t.Errorf("m2 tags after the refusals = %v, want the server's [vip]", got)
	}
	if got := listed("t-new"); len(got) != 0 {
		t.Errorf("the refused tag still lists %v", got)
	}
	if got := listed("vip"); !slices.Equal(got, []string{"d1"}) {
		t.Errorf("vip lists %v, want d1 by the server's m2", got)
	}
	if d, _ := rp.Dialog(ctx, "d1"); len(d.Tags) != 0 {
		t.Errorf("dialog tags after the refusal = %v", d.Tags)
	}
	if org, _ := rp.Org(ctx); org.Tags["t-new"] != nil || org.Tags["vip"] == nil {
		t.Errorf("Org after the refusal: t-new %v, vip %v; want only vip", org.Tags["t-new"], org.Tags["vip"])
	}
}

// Accepted, the optimistic rows stay until the server's versions replace
// them; an accepted command has nothing left to undo.
func TestAcceptedTagsStay(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).
		put(wire.KindMessage, "m1", message("m1", "d1", "x", t0)).list)
	m := message("m1", "d1", "x", t0)
	m.Tags = []string{"t"}
	if err := rp.Enqueue(ctx, wire.CommandEnvelope{ID: "c1", Type: "message.tag", Payload: json.RawMessage(`{}`)},
		Optimistic{Messages: []*inbox.Message{m}, Entity: &EntityChange{Kind: wire.KindTag, ID: "t", Data: json.RawMessage(`{"id":"t","name":"T"}`)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "c1", OK: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "c1", Code: "late"}); err != nil {
		t.Fatal(err)
	}
	items, _, _ := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabAll, Filter: Filter{TagID: "t"}})
	if org, _ := rp.Org(ctx); len(items) != 1 || org.Tags["t"] == nil {
		t.Errorf("after acceptance (and a stray late refusal): listed %v, tag %v", ids(items), org.Tags["t"])
	}
}
