// Package storetest is the contract every store.Store implementation
// passes. An implementation's test calls Run with a function that opens a
// fresh, empty store.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// Opener returns a fresh, empty store; reopen returns a second handle on the
// same database (to test migrations and multi-instance behaviour).
type Opener func(t *testing.T) (s store.Store, reopen func() store.Store)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Operators and lines of the fixture org.
const (
	opAnna  = "op-anna"  // works line sales
	opTaras = "op-taras" // works line support
	opSup   = "op-sup"   // supervises sales
	opAdmin = "op-admin" // admin: sees all
	lineA   = "line-sales"
	lineB   = "line-support"
	chTg    = "ch-telegram"
)

// seedOrg writes the fixture org.
func seedOrg(t *testing.T, s store.Store) {
	t.Helper()
	err := s.Write(context.Background(), func(tx store.Tx) error {
		var err error
		put := func(k wire.Kind, id string, v any) {
			if err != nil {
				return
			}
			_, err = tx.PutOrg(k, id, v)
		}
		put(wire.KindWorkspace, "ws", &inbox.Workspace{ID: "ws", Name: "Demo", CreatedAt: t0})
		for _, r := range inbox.DefaultRoles() {
			put(wire.KindRole, r.ID, r)
		}
		for _, o := range []struct{ id, role string }{{opAnna, "operator"}, {opTaras, "operator"}, {opSup, "supervisor"}, {opAdmin, "admin"}} {
			put(wire.KindOperator, o.id, &inbox.Operator{ID: o.id, Name: o.id, Email: o.id + "@x.test", Role: o.role, Active: true})
		}
		put(wire.KindGroup, "g-sales", &inbox.Group{ID: "g-sales", Name: "Sales", MemberIDs: []string{opAnna}})
		put(wire.KindGroup, "g-support", &inbox.Group{ID: "g-support", Name: "Support", MemberIDs: []string{opTaras}})
		put(wire.KindGroup, "g-sup", &inbox.Group{ID: "g-sup", Name: "Supervisors", MemberIDs: []string{opSup}})
		put(wire.KindLine, lineA, &inbox.Line{ID: lineA, Name: "Sales", OperatorGroupIDs: []string{"g-sales"}, SupervisorGroupIDs: []string{"g-sup"}})
		put(wire.KindLine, lineB, &inbox.Line{ID: lineB, Name: "Support", OperatorGroupIDs: []string{"g-support"}})
		put(wire.KindChannel, chTg, &inbox.Channel{ID: chTg, Name: "Bot", Kind: inbox.KindTelegram, LineID: lineA, State: inbox.ChannelActive})
		return err
	})
	if err != nil {
		t.Fatalf("seed org: %v", err)
	}
}

// newDialog builds a client, a dialog on line and one inbound message.
func newDialog(n int, line string) *inbox.Outcome {
	cid, did, mid := fmt.Sprintf("cl-%d", n), fmt.Sprintf("dl-%d", n), fmt.Sprintf("ms-%d", n)
	at := t0.Add(time.Duration(n) * time.Minute)
	return &inbox.Outcome{
		Clients: []*inbox.Client{{ID: cid, OriginalName: "Client " + cid, CreatedAt: at,
			Contacts: []inbox.Contact{{ChannelID: chTg, Kind: inbox.KindTelegram, ExternalID: "tg-" + cid}}}},
		Dialogs: []*inbox.Dialog{{ID: did, Number: int64(n), ClientID: cid, ChannelID: chTg, LineID: line,
			Status: inbox.StatusUnassigned, Detailed: inbox.DetQueued, CreatedAt: at, ModifiedAt: at}},
		Messages: []*inbox.Message{{ID: mid, DialogID: did, ClientID: cid, ChannelID: chTg, Kind: inbox.MsgInbound,
			Text: "Привет, ёжик " + mid, ExternalID: "ext-" + mid, CreatedAt: at}},
		Events: []*inbox.DialogEvent{{ID: "ev-" + did, DialogID: did, Type: inbox.EvCreated, At: at}},
	}
}

func apply(t *testing.T, s store.Store, o *inbox.Outcome) int64 {
	t.Helper()
	var seq int64
	err := s.Write(context.Background(), func(tx store.Tx) error {
		var err error
		seq, err = tx.Apply(o)
		return err
	})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return seq
}

// pullAll pulls everything the operator sees after seq.
func pullAll(t *testing.T, s store.Store, op string, after int64) []wire.Change {
	t.Helper()
	ctx := context.Background()
	org, err := s.Org(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v := store.ViewerOf(org, op)
	var out []wire.Change
	for {
		p, err := s.Pull(ctx, v, after, 3)
		if err != nil {
			t.Fatalf("pull: %v", err)
		}
		out = append(out, p.Changes...)
		if p.Next < after {
			t.Fatalf("pull went backwards: next %d after %d", p.Next, after)
		}
		after = p.Next
		if !p.More {
			return out
		}
	}
}

// has reports whether changes hold (kind, id, op) and returns its seq.
func has(cs []wire.Change, kind wire.Kind, id string, op wire.Op) (int64, bool) {
	for _, c := range cs {
		if c.Kind == kind && c.ID == id && c.Op == op {
			return c.Seq, true
		}
	}
	return 0, false
}
