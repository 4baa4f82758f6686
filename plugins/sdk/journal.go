package sdk

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	pb "switchboard/plugins/proto"
)

// Journal is a durable queue of inbound events kept in the host's state, for
// connectors whose channel pushes events once (webhooks, websockets) and
// cannot replay them. Append stores an event and gives it a cursor; Receive
// and Ack implement the Connector methods of the same names; events survive
// a crash of the connector until acknowledged.
type Journal struct {
	host   Host
	prefix string

	// mu guards next and wake. wake is closed and replaced on every
	// Append, waking Receive loops.
	mu   sync.Mutex
	next uint64
	wake chan struct{}
}

const cursorDigits = 20

// OpenJournal opens the journal called name in the host's state, continuing
// its cursor sequence.
func OpenJournal(ctx context.Context, host Host, name string) (*Journal, error) {
	j := &Journal{host: host, prefix: "journal/" + name + "/", wake: make(chan struct{})}
	keys, err := host.StateList(ctx, j.prefix+"next")
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", name, err)
	}
	if len(keys) > 0 {
		v, _, err := host.StateGet(ctx, j.prefix+"next")
		if err != nil {
			return nil, fmt.Errorf("open journal %s: %w", name, err)
		}
		if j.next, err = strconv.ParseUint(string(v), 10, 64); err != nil {
			return nil, fmt.Errorf("open journal %s: bad sequence %q: %w", name, v, err)
		}
	}
	return j, nil
}

func (j *Journal) eventKey(cursor string) string { return j.prefix + "e/" + cursor }

// Append stores e with a new cursor and returns the cursor.
func (j *Journal) Append(ctx context.Context, e Event) (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.next++
	cursor := fmt.Sprintf("%0*d", cursorDigits, j.next)
	e.Cursor = cursor
	data, err := proto.Marshal(EventToProto(e))
	if err != nil {
		return "", fmt.Errorf("journal append: %w", err)
	}
	// The sequence is stored first: a crash between the two writes wastes a
	// number but never reuses one.
	if err := j.host.StatePut(ctx, j.prefix+"next", []byte(strconv.FormatUint(j.next, 10))); err != nil {
		return "", fmt.Errorf("journal append: %w", err)
	}
	if err := j.host.StatePut(ctx, j.eventKey(cursor), data); err != nil {
		return "", fmt.Errorf("journal append: %w", err)
	}
	close(j.wake)
	j.wake = make(chan struct{})
	return cursor, nil
}

// Receive emits stored events after the cursor in order, then waits for
// appended ones until ctx ends.
func (j *Journal) Receive(ctx context.Context, after string, emit func(Event) error) error {
	for {
		j.mu.Lock()
		wake := j.wake
		j.mu.Unlock()
		keys, err := j.host.StateList(ctx, j.prefix+"e/")
		if err != nil {
			return fmt.Errorf("journal receive: %w", err)
		}
		for _, k := range keys {
			cursor := strings.TrimPrefix(k, j.prefix+"e/")
			if cursor <= after {
				continue
			}
			data, found, err := j.host.StateGet(ctx, k)
			if err != nil {
				return fmt.Errorf("journal receive: %w", err)
			}
			if !found {
				continue // acknowledged meanwhile
			}
			var p pb.InboundEvent
			if err := proto.Unmarshal(data, &p); err != nil {
				return fmt.Errorf("journal receive %s: %w", cursor, err)
			}
			if err := emit(EventFromProto(&p)); err != nil {
				return err
			}
			after = cursor
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// Ack forgets every event up to and including cursor.
func (j *Journal) Ack(ctx context.Context, cursor string) error {
	keys, err := j.host.StateList(ctx, j.prefix+"e/")
	if err != nil {
		return fmt.Errorf("journal ack %s: %w", cursor, err)
	}
	for _, k := range keys {
		if strings.TrimPrefix(k, j.prefix+"e/") > cursor {
			break
		}
		if err := j.host.StateDelete(ctx, k); err != nil {
			return fmt.Errorf("journal ack %s: %w", cursor, err)
		}
	}
	return nil
}
