package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// decode turns a wire command into an inbox command.
var decode = inbox.DecodeCommand

// engine executes commands. One goroutine owns writing: it takes every
// command waiting (up to maxBatch) and runs them in one transaction, so a
// burst of inbound messages costs one commit, not one each (group commit).
// Commands keep their order: a request's commands are queued in order and
// the writer takes the queue in order.
type engine struct {
	st       store.Store
	now      func() time.Time
	jobs     chan *job
	onCommit func(head int64)
	// lastMilli is the time given to the previous operator command, in
	// Unix milliseconds; only the writer goroutine touches it.
	lastMilli int64
}

const maxBatch = 256

type job struct {
	actor string // "" for the system (connector events, timers)
	env   wire.CommandEnvelope
	done  chan wire.CommandResult
	// sweep, instead of a command, asks for a pass of auto-assignment over
	// every auto-assigning line (an operator came online, a line or a
	// capacity changed).
	sweep bool
}

func newEngine(st store.Store, now func() time.Time, onCommit func(int64)) *engine {
	return &engine{st: st, now: now, jobs: make(chan *job, 4096), onCommit: onCommit}
}

// submit queues commands and waits for their results, in order.
func (e *engine) submit(ctx context.Context, actor string, envs []wire.CommandEnvelope) ([]wire.CommandResult, error) {
	jobs := make([]*job, len(envs))
	for i, env := range envs {
		jobs[i] = &job{actor: actor, env: env, done: make(chan wire.CommandResult, 1)}
		select {
		case e.jobs <- jobs[i]:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out := make([]wire.CommandResult, len(envs))
	for i, j := range jobs {
		select {
		case out[i] = <-j.done:
		case <-ctx.Done():
			// The commands still run; a retry with the same ids gets the
			// stored results.
			return nil, ctx.Err()
		}
	}
	return out, nil
}

func (e *engine) run(ctx context.Context) {
	if aw, ok := e.st.(store.AheadWriter); ok && aw.WritesAhead() {
		e.runAhead(ctx, aw)
		return
	}
	for {
		var batch []*job
		select {
		case j := <-e.jobs:
			batch = append(batch, j)
		case <-ctx.Done():
			return
		}
		e.commit(ctx, e.drain(batch))
	}
}

// drain adds to batch the commands waiting, up to maxBatch.
func (e *engine) drain(batch []*job) []*job {
	for len(batch) < maxBatch {
		select {
		case j := <-e.jobs:
			batch = append(batch, j)
		default:
			return batch
		}
	}
	return batch
}

// commit runs a batch in one transaction. If the transaction fails (a
// database error, not a refusal), each command is retried alone so one bad
// command cannot sink its neighbours.
func (e *engine) commit(ctx context.Context, batch []*job) {
	results := make([]wire.CommandResult, len(batch))
	var head int64
	refs := inboundRefs(batch)
	fn := e.batchFunc(batch, results, &head)
	var err error
	if pw, ok := e.st.(store.PrefetchWriter); ok && len(refs) > 0 {
		// The prefetch rides with the write's first round trip, so
		// it pays even for one message.
		err = pw.WritePrefetched(ctx, refs, fn)
	} else {
		err = e.st.Write(ctx, func(tx store.Tx) error {
			if p, ok := tx.(store.Prefetcher); ok && len(refs) > 1 {
				if err := p.Prefetch(refs); err != nil {
					return err
				}
			}
			return fn(tx)
		})
	}
	e.finish(ctx, batch, results, head, err)
}

// batchFunc is the body of a batch's transaction: it runs each command,
// then auto-assignment, into results and head. It may run more than once
// (a write run ahead and then again); each run starts afresh.
func (e *engine) batchFunc(batch []*job, results []wire.CommandResult, head *int64) func(store.Tx) error {
	return func(tx store.Tx) error {
		*head = 0
		var touched []*inbox.Outcome
		sweep := false
		for i, j := range batch {
			if j.sweep {
				sweep = true
				continue
			}
			r, out, err := e.execute(tx, j)
			if err != nil {
				return err
			}
			results[i] = r
			*head = max(*head, r.Seq)
			if out != nil {
				touched = append(touched, out)
			}
		}
		seq, err := e.autoAssign(tx, touched, sweep)
		*head = max(*head, seq)
		return err
	}
}

// finish hands out a batch's results once its transaction has ended with
// err; a failed batch of several is retried command by command.
func (e *engine) finish(ctx context.Context, batch []*job, results []wire.CommandResult, head int64, err error) {
	if errors.Is(err, store.ErrWroteBetween) {
		// Its rules ran on what another instance's commit changed.
		e.commit(ctx, batch)
		return
	}
	if err != nil {
		if len(batch) > 1 {
			for _, j := range batch {
				e.commit(ctx, []*job{j})
			}
			return
		}
		results[0] = wire.CommandResult{ID: batch[0].env.ID, Code: "server.error",
			Message: "The server could not store this change. Try again."}
	}
	if head > 0 && e.onCommit != nil {
		e.onCommit(head)
	}
	for i, j := range batch {
		j.done <- results[i]
	}
}

// execute runs one command inside the transaction. A refusal is a result,
// not an error: it is stored so a retry of the same id gets the same answer.
//
// System commands (connector events, timers) are not recorded: the rules
// make them idempotent themselves (a message is stored once per channel and
// external id), and recording every inbound message would double the
// writes of the busiest path.
func (e *engine) execute(tx store.Tx, j *job) (wire.CommandResult, *inbox.Outcome, error) {
	record := j.actor != ""
	if record {
		if prev, err := tx.CommandResult(j.env.ID); err != nil {
			return wire.CommandResult{}, nil, err
		} else if prev != nil {
			return *prev, nil, nil
		}
	}
	res := wire.CommandResult{ID: j.env.ID}
	out, err := e.run1(tx, j)
	if ref, ok := inbox.AsRefusal(err); ok {
		res.Code, res.Message, res.Args = ref.Code, ref.Message, ref.Args
		out = nil
	} else if err != nil {
		return res, nil, err
	} else {
		seq, err := tx.Apply(out)
		if err != nil {
			return res, nil, err
		}
		res.OK, res.Seq = true, seq
	}
	if !record {
		return res, out, nil
	}
	return res, out, tx.SaveCommandResult(j.actor, res)
}

func (e *engine) run1(tx store.Tx, j *job) (*inbox.Outcome, error) {
	cmd, err := decode(j.env.Type, j.env.Payload)
	if err != nil {
		return nil, err
	}
	now := e.now()
	if j.actor != "" {
		now = e.operatorClock(now)
	}
	out, err := cmd.Execute(tx, inbox.Env{Now: now, ActorID: j.actor, NewID: tx.NewID, NextDialogNumber: tx.NextDialogNumber})
	if errors.Is(err, inbox.ErrNotFound) {
		// A rule looked up something that is not there: the command names
		// an unknown id.
		return nil, inbox.Refuse("command.unknown_id", "%v", err)
	}
	return out, err
}

// operatorClock gives an operator command a time at least a millisecond
// after the previous operator command's. The store keeps times to the
// millisecond and lists messages by time, so without it the commands of
// one request (an outbox sent after a while offline) would tie and come
// out in the order of their random ids. Operators act at human pace, so
// the clock runs ahead of the wall clock only for the length of a burst.
// (Connector events are not bumped: at thousands a second the clock
// would run away.)
func (e *engine) operatorClock(now time.Time) time.Time {
	if ms := now.UnixMilli(); ms > e.lastMilli {
		e.lastMilli = ms
		return now
	}
	e.lastMilli++
	return time.UnixMilli(e.lastMilli).In(now.Location())
}

// inboundRefs names what the batch's inbound messages will look up one by
// one, for the store to load in a few queries (store.Prefetcher).
func inboundRefs(batch []*job) []store.InboundRef {
	var refs []store.InboundRef
	for _, j := range batch {
		if j.actor != "" || j.env.Type != "inbound.message" {
			continue
		}
		var m struct {
			ChannelID  string `json:"channelId"`
			ExternalID string `json:"externalId"`
			Contact    struct {
				ExternalID string `json:"externalId"`
			} `json:"contact"`
		}
		if json.Unmarshal(j.env.Payload, &m) != nil || m.ChannelID == "" {
			continue // the command itself will refuse it
		}
		refs = append(refs, store.InboundRef{ChannelID: m.ChannelID, MessageExternalID: m.ExternalID, ContactExternalID: m.Contact.ExternalID})
	}
	return refs
}
