package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// testContactEdits: a contact an operator typed routes the customer to the
// client; once edited away, the old one routes to nobody — also when it
// was added and dropped within one write.
func testContactEdits(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	ctx := context.Background()
	const chWa = "ch-wa"
	wa := inbox.Contact{ChannelID: chWa, Kind: inbox.KindWhatsApp, ExternalID: "+380671234567", Handle: "+380671234567", Manual: true}
	edited := wa
	edited.ExternalID, edited.Handle = "+380671234568", "+380671234568"
	other := wa
	other.ExternalID, other.Handle = "+380501112233", "+380501112233"

	// put reads the client, changes its contacts and applies it, as a
	// command does.
	put := func(tx store.Tx, change func(c *inbox.Client)) error {
		c, err := tx.Client("cl-1")
		if err != nil {
			return err
		}
		change(c)
		_, err = tx.Apply(&inbox.Outcome{Clients: []*inbox.Client{c}})
		return err
	}
	owner := func(k inbox.Contact) (string, error) {
		var id string
		err := s.Write(ctx, func(tx store.Tx) error {
			c, err := tx.ClientByContact(k.ChannelID, k.ExternalID)
			if c != nil {
				id = c.ID
			}
			return err
		})
		return id, err
	}
	steps := []struct {
		name  string
		write func(tx store.Tx) error
		want  map[inbox.Contact]string // contact -> owning client, "" for none
	}{
		{"a typed number routes to the client", func(tx store.Tx) error {
			return put(tx, func(c *inbox.Client) { c.Contacts = append(c.Contacts, wa) })
		}, map[inbox.Contact]string{wa: "cl-1", edited: ""}},
		{"an edited number routes, the old one does not", func(tx store.Tx) error {
			return put(tx, func(c *inbox.Client) { c.Contacts[1] = edited })
		}, map[inbox.Contact]string{wa: "", edited: "cl-1"}},
		{"a number added and edited away in one write leaves no route", func(tx store.Tx) error {
			if err := put(tx, func(c *inbox.Client) { c.Contacts = append(c.Contacts, other) }); err != nil {
				return err
			}
			return put(tx, func(c *inbox.Client) { c.Contacts = c.Contacts[:2] })
		}, map[inbox.Contact]string{other: "", edited: "cl-1"}},
		{"a client put without being read keeps its routes", func(tx store.Tx) error {
			c := &inbox.Client{ID: "cl-1", OriginalName: "Client cl-1", Contacts: []inbox.Contact{{ChannelID: chTg, Kind: inbox.KindTelegram, ExternalID: "tg-cl-1"}}}
			_, err := tx.Apply(&inbox.Outcome{Clients: []*inbox.Client{c}})
			return err
		}, map[inbox.Contact]string{edited: "cl-1"}},
	}
	for _, st := range steps {
		if err := s.Write(ctx, st.write); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		for k, want := range st.want {
			got, err := owner(k)
			if err != nil || got != want {
				t.Errorf("%s: ClientByContact(%s) = %q, %v; want %q", st.name, k.ExternalID, got, err, want)
			}
		}
	}
	if got, err := owner(inbox.Contact{ChannelID: chTg, ExternalID: "tg-cl-1"}); got != "cl-1" || err != nil {
		t.Errorf("the channel's own contact lost its route: %q, %v", got, err)
	}
}

// testTasks: tasks reach every operator, are read back by the command
// reader, and their removal reaches everyone.
func testTasks(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	ctx := context.Background()
	due := t0.Add(24 * time.Hour)
	k := &inbox.ClientTask{ID: "task-1", ClientID: "cl-1", AssigneeID: opAnna, CreatedByID: opTaras, Text: "Call back", DueAt: due, CreatedAt: t0}
	mark, _ := s.Head(ctx)
	apply(t, s, &inbox.Outcome{Tasks: []*inbox.ClientTask{k}})
	for _, op := range []string{opAnna, opTaras, opSup} {
		if _, ok := has(pullAll(t, s, op, mark), wire.KindTask, "task-1", wire.OpPut); !ok {
			t.Errorf("%s did not receive the task", op)
		}
	}
	err := s.Write(ctx, func(tx store.Tx) error {
		got, err := tx.Task("task-1")
		if err != nil || got.AssigneeID != opAnna || got.CreatedByID != opTaras || !got.DueAt.Equal(due) || got.Done {
			return fmt.Errorf("task-1 = %+v, %v", got, err)
		}
		done := *got
		done.Done, done.DoneAt, done.DoneByID = true, t0, opAnna
		_, err = tx.Apply(&inbox.Outcome{Tasks: []*inbox.ClientTask{&done}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		if got, err := tx.Task("task-1"); err != nil || !got.Done || got.DoneByID != opAnna {
			return fmt.Errorf("task-1 after completion = %+v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mark, _ = s.Head(ctx)
	apply(t, s, &inbox.Outcome{Deleted: []inbox.Ref{{Kind: string(wire.KindTask), ID: "task-1"}}})
	for _, op := range []string{opAnna, opTaras} {
		if _, ok := has(pullAll(t, s, op, mark), wire.KindTask, "task-1", wire.OpDel); !ok {
			t.Errorf("%s did not receive the task's removal", op)
		}
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.Task("task-1"); !errors.Is(err, inbox.ErrNotFound) {
			return fmt.Errorf("task-1 after removal: %v, want not found", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
