package server

import (
	"context"

	"switchboard/server/store"
	"switchboard/wire"
)

// inFlight is a batch whose commit is on its way.
type inFlight struct {
	f       store.Flight
	batch   []*job
	results []wire.CommandResult
	head    int64
	// handed is closed once a committed batch's results are handed out
	// (by a goroutine of its own, so that they go out as soon as the
	// commit lands, not once the next batch's rules have run), or once
	// the commit failed.
	handed chan struct{}
}

// runAhead is run's loop for a store whose writes overlap (PostgreSQL):
// while a batch's commit is on its way, the writer takes the next batch
// and runs its rules (store.AheadWriter.Speculate), then lands the first
// (hands out its results, or retries its commands one by one if it
// failed) and sends the second's commit. The backend storing one batch
// and Go routing the next share the two cores instead of taking turns.
// Batches still commit one at a time, in order, each seeing the last.
func (e *engine) runAhead(ctx context.Context, aw store.AheadWriter) {
	var prev *inFlight
	defer func() {
		if prev != nil {
			e.land(ctx, prev)
		}
	}()
	for {
		var batch []*job
		if prev == nil {
			select {
			case j := <-e.jobs:
				batch = append(batch, j)
			case <-ctx.Done():
				return
			}
		} else {
			select {
			case j := <-e.jobs:
				batch = append(batch, j)
			case <-prev.handed:
				e.land(ctx, prev)
				prev = nil
				continue
			case <-ctx.Done():
				return
			}
		}
		prev = e.commitAhead(ctx, aw, prev, e.drain(batch))
	}
}

// commitAhead runs batch's rules, ahead of prev's commit if it can, lands
// prev, and sends batch's commit.
func (e *engine) commitAhead(ctx context.Context, aw store.AheadWriter, prev *inFlight, batch []*job) *inFlight {
	results := make([]wire.CommandResult, len(batch))
	var head int64
	refs := inboundRefs(batch)
	fn := e.batchFunc(batch, results, &head)
	var spec store.Speculation
	if prev != nil {
		if aheadable(batch) {
			spec = aw.Speculate(ctx, prev.f, refs, fn)
		}
		if !e.land(ctx, prev) && spec != nil {
			// It ran on what prev would have committed.
			spec.Discard()
			spec = nil
		}
	}
	f, err := aw.WriteAhead(ctx, spec, refs, fn)
	if err != nil {
		e.finish(ctx, batch, results, 0, err)
		return nil
	}
	fl := &inFlight{f: f, batch: batch, results: results, head: head, handed: make(chan struct{})}
	go func() {
		defer close(fl.handed)
		<-f.Done()
		if f.Err() == nil {
			e.finish(ctx, batch, results, head, nil)
		}
	}()
	return fl
}

// land waits until a batch's commit has landed and its results are
// handed out; a failed batch is run again (finish). It reports whether
// the batch committed. The next batch's write begins only after, so
// batches are told in the order they commit.
func (e *engine) land(ctx context.Context, fl *inFlight) bool {
	<-fl.handed
	if err := fl.f.Err(); err != nil {
		e.finish(ctx, fl.batch, fl.results, fl.head, err)
		return false
	}
	return true
}

// aheadable reports whether a batch's rules may run ahead of the write
// before it: connector events only. (An operator's command reads and
// stores its recorded result, and its clock must not move twice.)
func aheadable(batch []*job) bool {
	for _, j := range batch {
		if j.sweep || j.actor != "" || j.env.Type != "inbound.message" {
			return false
		}
	}
	return true
}
