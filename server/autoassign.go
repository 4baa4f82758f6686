package server

import (
	"context"
	"errors"
	"slices"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// Auto-assignment runs inside the engine's write transaction, after the
// batch's commands: every instance writes under one lock (SQLite's single
// writer, PostgreSQL's advisory lock), so the in-progress counts it reads
// stay true until commit and no operator ever goes past their capacity,
// however many instances ingest at once.

// autoAssign gives out the waiting dialogs of the lines the batch touched
// (a new or requeued dialog there, or capacity freed or taken by one of
// the line's operators), or of every auto-assigning line on a sweep. It
// returns the seq of its last change.
func (e *engine) autoAssign(tx store.Tx, touched []*inbox.Outcome, sweep bool) (int64, error) {
	org := tx.Org()
	lines := linesToFill(org, touched, sweep)
	if len(lines) == 0 {
		return 0, nil
	}
	now := e.now()
	b, err := tx.AssignBoard(now)
	if err != nil {
		return 0, err
	}
	for _, o := range touched {
		for _, ev := range o.Events {
			if ev.Type == inbox.EvReturned && ev.From != "" {
				b.Avoid[ev.DialogID] = ev.From
			}
		}
	}
	// Read only the queues of lines where somebody has room.
	var waiting []*inbox.Dialog
	for _, l := range lines {
		if b.Choose(org, l) == "" {
			continue
		}
		ds, err := tx.Waiting(l, maxGiveOut)
		if err != nil {
			return 0, err
		}
		waiting = append(waiting, ds...)
	}
	// The longest waiting first, whatever their line.
	slices.SortFunc(waiting, inbox.WaitingOrder)
	env := inbox.Env{Now: now, NewID: tx.NewID, NextDialogNumber: tx.NextDialogNumber}
	full := map[string]bool{} // lines where nobody has room any more
	var head int64
	for _, d := range waiting {
		if full[d.LineID] || d.ClientBlacklisted {
			continue // (a blacklisted client's dialog waits for no one)
		}
		if b.Choose(org, d.LineID) == "" {
			full[d.LineID] = true
			continue
		}
		cl, err := tx.Client(d.ClientID)
		if errors.Is(err, inbox.ErrNotFound) {
			cl = nil
		} else if err != nil {
			return 0, err
		}
		out := inbox.GiveOut(org, b, d, cl, env)
		if out == nil {
			continue
		}
		seq, err := tx.Apply(out)
		if err != nil {
			return 0, err
		}
		head = max(head, seq)
		op := out.Dialogs[0].AssigneeID
		if err := tx.RecordAutoAssigned(d.LineID, op, b.LastOrder[op]); err != nil {
			return 0, err
		}
	}
	return head, nil
}

// maxGiveOut bounds the dialogs one line's pass reads.
const maxGiveOut = 1000

// linesToFill returns the auto-assigning lines whose queue may now move:
// the lines of the dialogs the batch wrote, and the lines of every
// operator who held, got, lost or moved one of them (their capacity
// changed). What this misses, the timer's sweep gives out within a tick.
func linesToFill(org *inbox.Org, touched []*inbox.Outcome, sweep bool) []string {
	set := map[string]bool{}
	addOp := func(id string) {
		if org.Operators[id] == nil {
			return
		}
		for _, l := range org.LinesOf(id) {
			set[l] = true
		}
	}
	if sweep {
		for id := range org.Lines {
			set[id] = true
		}
	}
	for _, o := range touched {
		for _, d := range o.Dialogs {
			set[d.LineID] = true
			addOp(d.AssigneeID)
		}
		for _, ev := range o.Events {
			// ActorID: whoever transferred a dialog away usually held it
			// (a transfer keeps no trace of its former assignee).
			addOp(ev.ActorID)
			for _, v := range []string{ev.From, ev.To} {
				if org.Lines[v] != nil {
					set[v] = true
				}
				addOp(v)
			}
		}
	}
	var out []string
	for id := range set {
		if org.AutoAssigns(id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// sweep asks the writer for a pass of auto-assignment over every
// auto-assigning line, and waits for it.
func (e *engine) sweep(ctx context.Context) {
	j := &job{sweep: true, done: make(chan wire.CommandResult, 1)}
	select {
	case e.jobs <- j:
	case <-ctx.Done():
		return
	}
	select {
	case <-j.done:
	case <-ctx.Done():
	}
}

// Presence: every instance writes the operators connected to it, renewed
// each presenceBeat and valid for presenceTTL, so an instance that dies
// stops counting within presenceTTL.
const (
	presenceBeat = 10 * time.Second
	presenceTTL  = 30 * time.Second
)

// presence keeps this instance's online operators in the store: at once
// when someone connects or leaves (a newcomer's lines then get a pass of
// auto-assignment), and on every beat.
func (s *Server) presence(ctx context.Context) {
	t := time.NewTicker(presenceBeat)
	defer t.Stop()
	changed := false
	for {
		var fresh bool
		select {
		case <-ctx.Done():
			// Leaving: this instance's operators stop counting now.
			off, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = s.st.SetPresence(off, s.instance, nil, time.Now())
			cancel()
			return
		case <-t.C:
		case <-s.othersPresence:
			// Another instance's operators changed: only read who is on.
			s.reconcilePresence(ctx)
			continue
		case fresh = <-s.hub.presenceChanged:
			changed = true
		}
		online := s.hub.onlineNow()
		if err := s.st.SetPresence(ctx, s.instance, online, s.cfg.Now().Add(presenceTTL)); err != nil {
			if ctx.Err() == nil {
				s.log.Error("presence", "err", err)
			}
			s.hub.reconcile(nil, false)
			continue
		}
		if changed {
			// Tell the other instances to read who is on now, rather than
			// at their next beat.
			s.signalPresence(ctx)
			changed = false
		}
		s.reconcilePresence(ctx)
		if fresh {
			s.eng.sweep(ctx)
		}
	}
}

// reconcilePresence reads who is online on any instance and tells this
// instance's connections who came and went.
func (s *Server) reconcilePresence(ctx context.Context) {
	online, err := s.st.Online(ctx, s.cfg.Now())
	if err != nil && ctx.Err() == nil {
		s.log.Error("presence", "err", err)
	}
	s.hub.reconcile(online, err == nil)
}
