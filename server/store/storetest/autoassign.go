package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
)

// testPresence: each instance's online operators count for every instance
// until their expiry; an instance replacing its list drops who left.
func testPresence(t *testing.T, open Opener) {
	s, reopen := open(t)
	other := reopen()
	defer other.Close()
	ctx := context.Background()
	if err := s.SetPresence(ctx, "i1", []string{opAnna, opTaras, opAnna}, t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := other.SetPresence(ctx, "i2", []string{opTaras, opSup}, t0.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	check := func(what string, st store.Store, at time.Time, want ...string) {
		t.Helper()
		got, err := st.Online(ctx, at)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: Online = %v, %v; want %v", what, got, err, want)
		}
	}
	check("both instances alive, seen from the first", s, t0, opAnna, opSup, opTaras)
	check("both instances alive, seen from the second", other, t0, opAnna, opSup, opTaras)
	check("the second instance's expiry passed", s, t0.Add(15*time.Second), opAnna, opTaras)
	if err := s.SetPresence(ctx, "i1", []string{opTaras}, t0.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	check("Anna left the first instance", other, t0.Add(15*time.Second), opTaras)
	if err := s.SetPresence(ctx, "i1", nil, t0); err != nil {
		t.Fatal(err)
	}
	check("the first instance went off", other, t0, opSup, opTaras)
}

// testAssignBoard: the board a write reads counts the dialogs in progress
// including the write's own, sees presence and the auto-assignment
// history; Waiting lists a line's queue longest waiting first.
func testAssignBoard(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	for n := 1; n <= 4; n++ {
		apply(t, s, newDialog(n, lineA))
	}
	apply(t, s, newDialog(5, lineB))
	if err := s.SetPresence(ctx, "i1", []string{opAnna}, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	err := s.Write(ctx, func(tx store.Tx) error {
		// Dialog 2 waited since before dialog 1 (returned to the queue
		// earlier), dialog 3 is given to Anna in this very write.
		d2, _ := tx.Dialog("dl-2")
		d2.QueuedAt = t0.Add(-time.Hour)
		d3, _ := tx.Dialog("dl-3")
		d3.Status, d3.AssigneeID = inbox.StatusInProgress, opAnna
		if _, err := tx.Apply(&inbox.Outcome{Dialogs: []*inbox.Dialog{d2, d3}}); err != nil {
			return err
		}
		if err := tx.RecordAutoAssigned(lineA, opAnna, 7); err != nil {
			return err
		}
		if err := tx.RecordAutoAssigned(lineB, opTaras, 3); err != nil {
			return err
		}
		b, err := tx.AssignBoard(t0)
		if err != nil {
			return err
		}
		if !b.Online[opAnna] || b.Online[opTaras] || len(b.Online) != 1 {
			t.Errorf("online = %v, want Anna alone", b.Online)
		}
		if b.InProgress[opAnna] != 1 || len(b.InProgress) != 1 {
			t.Errorf("in progress = %v, want Anna 1 (this write's own)", b.InProgress)
		}
		if b.LastChosen[lineA] != opAnna || b.LastChosen[lineB] != opTaras || b.LastOrder[opAnna] != 7 || b.LastOrder[opTaras] != 3 {
			t.Errorf("history = %v %v", b.LastChosen, b.LastOrder)
		}
		ws, err := tx.Waiting(lineA, 10)
		if err != nil {
			return err
		}
		var ids []string
		for _, d := range ws {
			ids = append(ids, d.ID)
		}
		if want := []string{"dl-2", "dl-1", "dl-4"}; !slices.Equal(ids, want) {
			t.Errorf("waiting = %v, want %v", ids, want)
		}
		if ws, _ := tx.Waiting(lineA, 1); len(ws) != 1 || ws[0].ID != "dl-2" {
			t.Errorf("waiting with limit 1 = %v", ws)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The history outlives the write.
	err = s.Write(ctx, func(tx store.Tx) error {
		if err := tx.RecordAutoAssigned(lineA, opAnna, 9); err != nil {
			return err
		}
		b, err := tx.AssignBoard(t0.Add(2 * time.Minute))
		if err == nil && (b.LastOrder[opAnna] != 9 || len(b.Online) != 0) {
			t.Errorf("later: history %v, online %v (presence expired)", b.LastOrder, b.Online)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
