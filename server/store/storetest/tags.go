package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// testTags runs the tag commands as the server's engine does, in one write
// (an outbox arrives as one request): a tag made on the spot is known to
// the commands after it in the same transaction, it reaches every
// operator, and the tagged message and dialog keep their tags in their
// dialog's scope.
func testTags(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	ctx := context.Background()
	mark, _ := s.Head(ctx)
	run := func(tx store.Tx, actor, typ, payload string) error {
		cmd, err := inbox.DecodeCommand(typ, []byte(payload))
		if err != nil {
			return err
		}
		o, err := cmd.Execute(tx, inbox.Env{Now: t0, ActorID: actor, NewID: tx.NewID, NextDialogNumber: tx.NextDialogNumber})
		if err != nil {
			return err
		}
		_, err = tx.Apply(o)
		return err
	}
	err := s.Write(ctx, func(tx store.Tx) error {
		for _, c := range []struct{ typ, payload string }{
			{"tag.create", `{"tagId":"tag-new","name":"Жалоба","color":"#aa3300"}`},
			{"message.tag", `{"dialogId":"dl-1","tagId":"tag-new","messageIds":["ms-1"]}`},
			{"dialog.tag", `{"dialogId":"dl-1","tagId":"tag-new"}`},
		} {
			if err := run(tx, opAnna, c.typ, c.payload); err != nil {
				t.Errorf("%s: %v", c.typ, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	org, err := s.Org(ctx)
	if err != nil || org.Tags["tag-new"] == nil || org.Tags["tag-new"].Name != "Жалоба" || org.Tags["tag-new"].Color != "#aa3300" {
		t.Fatalf("Org().Tags[tag-new] = %+v, %v; want the tag made on the spot", org.Tags["tag-new"], err)
	}
	msgs, err := s.Messages(ctx, "dl-1")
	if err != nil || len(msgs) != 1 || !slices.Equal(msgs[0].Tags, []string{"tag-new"}) {
		t.Fatalf("Messages(dl-1) = %+v, %v; want ms-1 tagged", msgs, err)
	}
	if d, err := s.Dialog(ctx, "dl-1"); err != nil || !slices.Equal(d.Tags, []string{"tag-new"}) {
		t.Fatalf("Dialog(dl-1) tags = %v, %v", d.Tags, err)
	}

	tagOf := func(cs []wire.Change, kind wire.Kind, id string) []string {
		for _, c := range cs {
			if c.Kind == kind && c.ID == id && c.Op == wire.OpPut {
				var v struct{ Tags []string }
				if err := json.Unmarshal(c.Data, &v); err != nil {
					t.Fatal(err)
				}
				return v.Tags
			}
		}
		return nil
	}
	anna := pullAll(t, s, opAnna, mark)
	if _, ok := has(anna, wire.KindTag, "tag-new", wire.OpPut); !ok {
		t.Errorf("anna did not receive the tag she made")
	}
	if got := tagOf(anna, wire.KindMessage, "ms-1"); !slices.Equal(got, []string{"tag-new"}) {
		t.Errorf("anna's pull has ms-1 with tags %v, want [tag-new]", got)
	}
	if got := tagOf(anna, wire.KindDialog, "dl-1"); !slices.Equal(got, []string{"tag-new"}) {
		t.Errorf("anna's pull has dl-1 with tags %v, want [tag-new]", got)
	}
	// Taras works another line: the tag joins his list, the dialog stays
	// out of his sight.
	taras := pullAll(t, s, opTaras, mark)
	if _, ok := has(taras, wire.KindTag, "tag-new", wire.OpPut); !ok {
		t.Errorf("taras did not receive the new tag: every operator's list has it")
	}
	if _, ok := has(taras, wire.KindMessage, "ms-1", wire.OpPut); ok {
		t.Errorf("taras received a tagged message of a dialog he may not see")
	}

	// Later, a tag named the same way regardless of case is refused.
	err = s.Write(ctx, func(tx store.Tx) error {
		return run(tx, opTaras, "tag.create", `{"tagId":"tag-dup","name":"  жалоба "}`)
	})
	if r, ok := inbox.AsRefusal(err); !ok || r.Code != "tag.exists" {
		t.Fatalf("a second \"жалоба\" = %v, want tag.exists", err)
	}
}
