package app

import (
	"slices"
	"sync"
	"testing"
	"time"
)

type emitted struct {
	mu  sync.Mutex
	evs []InboxChanged
}

func (e *emitted) emit(name string, data any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if name == EventInboxChanged {
		e.evs = append(e.evs, data.(InboxChanged))
	}
}

func (e *emitted) list() []InboxChanged {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.evs)
}

func TestABurstOfChangesBecomesOneEventPerFullBatch(t *testing.T) {
	var e emitted
	// An hour-long delay: only the count can flush here.
	b := newBatcher(e.emit, 3, time.Hour)
	b.add([]string{"d1", "d2"}, false)
	b.add([]string{"d2"}, false) // a repeat does not count twice
	if got := e.list(); len(got) != 0 {
		t.Fatalf("emitted %v before the batch was full", got)
	}
	b.add([]string{"d3", "d4"}, false)
	got := e.list()
	if len(got) != 1 || !slices.Equal(got[0].DialogIDs, []string{"d1", "d2", "d3", "d4"}) {
		t.Fatalf("emitted %+v, want one event with d1..d4", got)
	}
}

func TestAQuietBatchIsFlushedByTheTimer(t *testing.T) {
	var e emitted
	b := newBatcher(e.emit, 1000, time.Millisecond)
	b.add([]string{"d1"}, true)
	deadline := time.Now().Add(10 * time.Second)
	for len(e.list()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the timer never flushed the batch")
		}
		time.Sleep(time.Millisecond)
	}
	got := e.list()
	if len(got) != 1 || !got[0].Org || !slices.Equal(got[0].DialogIDs, []string{"d1"}) {
		t.Errorf("emitted %+v, want one event with d1 and org", got)
	}
}

func TestNothingQueuedEmitsNothing(t *testing.T) {
	var e emitted
	b := newBatcher(e.emit, 10, time.Hour)
	b.add(nil, false)
	b.flush()
	if got := e.list(); len(got) != 0 {
		t.Errorf("emitted %v for an empty batch", got)
	}
}
