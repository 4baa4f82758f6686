package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
)

// testDialogColumns: a store may write only a dialog's JSON when none of
// its queryable columns changed (a customer's next message), but whatever
// way the write read the dialog (by id, as a client's latest, prefetched)
// and however many times one write puts it, the columns the queues and
// reports query must follow the dialog, and its JSON must be the last put.
func testDialogColumns(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	ctx := context.Background()
	wake := t0.Add(time.Hour)

	// due lists the ids SnoozedDue finds at t0+2h (it selects by the
	// status and snoozed_until columns), as "[dl-1]" or "[]"; a store
	// without SnoozedDue gets want back.
	due := func(tx store.Tx, want string) (string, error) {
		dr, ok := tx.(interface {
			SnoozedDue(time.Time) ([]*inbox.Dialog, error)
		})
		if !ok {
			return want, nil
		}
		ds, err := dr.SnoozedDue(t0.Add(2 * time.Hour))
		ids := []string{}
		for _, d := range ds {
			ids = append(ids, d.ID)
		}
		return fmt.Sprint(ids), err
	}
	put := func(tx store.Tx, d *inbox.Dialog) error {
		_, err := tx.Apply(&inbox.Outcome{Dialogs: []*inbox.Dialog{d}})
		return err
	}
	// reads are the ways a write comes to know a stored dialog.
	reads := []struct {
		name string
		read func(tx store.Tx) (*inbox.Dialog, error)
	}{
		{"by id", func(tx store.Tx) (*inbox.Dialog, error) { return tx.Dialog("dl-1") }},
		{"as the latest", func(tx store.Tx) (*inbox.Dialog, error) { return tx.LatestDialog("cl-1", chTg) }},
		{"prefetched", func(tx store.Tx) (*inbox.Dialog, error) {
			if p, ok := tx.(store.Prefetcher); ok {
				refs := []store.InboundRef{{ChannelID: chTg, MessageExternalID: "x-1", ContactExternalID: "tg-cl-1"},
					{ChannelID: chTg, MessageExternalID: "x-2", ContactExternalID: "tg-nobody"}}
				if err := p.Prefetch(refs); err != nil {
					return nil, err
				}
			}
			return tx.LatestDialog("cl-1", chTg)
		}},
	}
	step := 0
	for _, r := range reads {
		// The JSON alone changes, then (same write) a column: snoozed.
		step++
		err := s.Write(ctx, func(tx store.Tx) error {
			d, err := r.read(tx)
			if err != nil || d == nil {
				return fmt.Errorf("read: %v, %v", d, err)
			}
			d.Unread, d.LastMessageText = step, fmt.Sprintf("text %d", step)
			if err := put(tx, d); err != nil {
				return err
			}
			d, err = tx.Dialog("dl-1")
			if err != nil {
				return err
			}
			d.Status, d.SnoozedUntil = inbox.StatusSnoozed, wake
			return put(tx, d)
		})
		if err != nil {
			t.Fatalf("%s: snooze: %v", r.name, err)
		}
		checkDialog(t, s, r.name+", snoozed", step, inbox.StatusSnoozed)
		if err := s.Write(ctx, func(tx store.Tx) error {
			if ids, err := due(tx, "[dl-1]"); err != nil || ids != "[dl-1]" {
				return fmt.Errorf("SnoozedDue = %v, %v; want [dl-1]", ids, err)
			}
			return nil
		}); err != nil {
			t.Fatalf("%s, snoozed: %v", r.name, err)
		}

		// The JSON alone changes: the columns stay as they are.
		step++
		if err := s.Write(ctx, func(tx store.Tx) error {
			d, err := r.read(tx)
			if err != nil || d == nil {
				return fmt.Errorf("read: %v, %v", d, err)
			}
			d.Unread, d.LastMessageText = step, fmt.Sprintf("text %d", step)
			return put(tx, d)
		}); err != nil {
			t.Fatalf("%s: JSON alone: %v", r.name, err)
		}
		checkDialog(t, s, r.name+", JSON alone", step, inbox.StatusSnoozed)

		// A column changes (woken up), then (same write) the JSON alone.
		step++
		if err := s.Write(ctx, func(tx store.Tx) error {
			d, err := r.read(tx)
			if err != nil || d == nil {
				return fmt.Errorf("read: %v, %v", d, err)
			}
			d.Status, d.SnoozedUntil = inbox.StatusUnassigned, time.Time{}
			if err := put(tx, d); err != nil {
				return err
			}
			d.Unread, d.LastMessageText = step, fmt.Sprintf("text %d", step)
			if err := put(tx, d); err != nil {
				return err
			}
			if ids, err := due(tx, "[]"); err != nil || ids != "[]" {
				return fmt.Errorf("SnoozedDue in the write that woke it = %v, %v; want none", ids, err)
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: wake: %v", r.name, err)
		}
		checkDialog(t, s, r.name+", woken", step, inbox.StatusUnassigned)
		if err := s.Write(ctx, func(tx store.Tx) error {
			if ids, err := due(tx, "[]"); err != nil || ids != "[]" {
				return fmt.Errorf("SnoozedDue = %v, %v; want none", ids, err)
			}
			open, err := tx.OpenDialogsOfClient("cl-1")
			if err != nil || len(open) != 1 || open[0].Unread != step {
				return fmt.Errorf("OpenDialogsOfClient = %v, %v; want dl-1 with unread %d", open, err, step)
			}
			return nil
		}); err != nil {
			t.Fatalf("%s, woken: %v", r.name, err)
		}
	}
}

// checkDialog reads dl-1 committed and checks its JSON.
func checkDialog(t *testing.T, s store.Store, what string, unread int, status inbox.Status) {
	t.Helper()
	d, err := s.Dialog(context.Background(), "dl-1")
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if d.Unread != unread || d.LastMessageText != fmt.Sprintf("text %d", unread) || d.Status != status {
		t.Fatalf("%s: dialog has unread %d, text %q, status %s; want %d, %q, %s",
			what, d.Unread, d.LastMessageText, d.Status, unread, fmt.Sprintf("text %d", unread), status)
	}
}
