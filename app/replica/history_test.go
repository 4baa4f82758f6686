package replica

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// longDialog fills d1 with n messages m00.. a minute apart and a log entry
// half a minute after each tenth message.
func longDialog(t *testing.T, rp *Replica, n int) {
	t.Helper()
	cs := newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress))
	for i := range n {
		id := fmt.Sprintf("m%02d", i)
		at := t0.Add(time.Duration(i) * time.Minute)
		cs.put(wire.KindMessage, id, message(id, "d1", "text "+id, at))
		if i%10 == 0 {
			ev := fmt.Sprintf("e%02d", i)
			cs.put(wire.KindEvent, ev, &inbox.DialogEvent{ID: ev, DialogID: "d1", Type: inbox.EvTaken, At: at.Add(30 * time.Second)})
		}
	}
	mustApply(t, rp, cs.list)
}

func messageIDs(ms []inbox.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[0].ID + ".." + ms[len(ms)-1].ID
}

func eventIDs(es []inbox.DialogEvent) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestHistoryAroundAMessageLoadsItsNeighboursWhereverItIs(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	longDialog(t, rp, 100)
	tests := []struct {
		message     string
		want        string
		more, newer bool
		events      string
	}{
		{"m30", "m25..m35", true, true, "e30"},
		{"m02", "m00..m07", false, true, "e00"},
		{"m97", "m92..m99", true, false, ""},
		{"m00", "m00..m05", false, true, "e00"},
	}
	for _, tt := range tests {
		a, err := rp.HistoryAround(ctx, "d1", tt.message, 5)
		if err != nil {
			t.Fatalf("HistoryAround(%s): %v", tt.message, err)
		}
		got := messageIDs(a.Messages)
		if got != tt.want || a.More != tt.more || a.Newer != tt.newer {
			t.Errorf("HistoryAround(%s) = %s more=%v newer=%v, want %s more=%v newer=%v", tt.message, got, a.More, a.Newer, tt.want, tt.more, tt.newer)
		}
		if evs := fmt.Sprint(eventIDs(a.Events)); evs != fmt.Sprint(fieldsOrNil(tt.events)) {
			t.Errorf("HistoryAround(%s) events = %v, want %v", tt.message, evs, tt.events)
		}
	}
	if _, err := rp.HistoryAround(ctx, "d1", "nope", 5); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("HistoryAround(nope) = %v, want not found", err)
	}
	if _, err := rp.HistoryAround(ctx, "d2", "m30", 5); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("HistoryAround of another dialog's message = %v, want not found", err)
	}
}

func fieldsOrNil(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func TestHistoryAfterPagesForwardToTheNewestWithTheLogBetween(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	longDialog(t, rp, 30)
	a, err := rp.HistoryAround(ctx, "d1", "m05", 3)
	if err != nil {
		t.Fatal(err)
	}
	var pages []string
	var events []string
	after := a.Messages[len(a.Messages)-1].ID
	for more := a.Newer; more; {
		h, err := rp.HistoryAfter(ctx, "d1", after, 10)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, messageIDs(h.Messages))
		events = append(events, eventIDs(h.Events)...)
		after, more = h.Messages[len(h.Messages)-1].ID, h.More
	}
	if fmt.Sprint(pages) != "[m09..m18 m19..m28 m29..m29]" {
		t.Errorf("pages after m08 = %v, want m09..m18, m19..m28, m29", pages)
	}
	if fmt.Sprint(events) != "[e10 e20]" {
		t.Errorf("events of the pages after = %v, want e10 e20", events)
	}
	older, err := rp.HistoryBefore(ctx, "d1", a.Messages[0].ID, 10)
	if err != nil || messageIDs(older.Messages) != "m00..m01" || older.More || fmt.Sprint(eventIDs(older.Events)) != "[e00]" {
		t.Errorf("HistoryBefore(m02) = %s more=%v events %v, %v; want m00..m01 with e00 and no more", messageIDs(older.Messages), older.More, eventIDs(older.Events), err)
	}
	if _, err := rp.HistoryAfter(ctx, "d1", "nope", 10); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("HistoryAfter(nope) = %v, want not found", err)
	}
}

// A connector's burst lands many messages in one millisecond: paging by
// message skips none and repeats none.
func TestPagingByMessageKeepsMessagesOfTheSameMillisecond(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	cs := newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress))
	for i := range 12 {
		id := fmt.Sprintf("m%02d", i)
		cs.put(wire.KindMessage, id, message(id, "d1", "burst", t0))
	}
	mustApply(t, rp, cs.list)
	a, err := rp.HistoryAround(ctx, "d1", "m05", 2)
	if err != nil || messageIDs(a.Messages) != "m03..m07" {
		t.Fatalf("HistoryAround(m05) = %s, %v; want m03..m07", messageIDs(a.Messages), err)
	}
	var seen []string
	for _, m := range a.Messages {
		seen = append(seen, m.ID)
	}
	for first, more := a.Messages[0].ID, a.More; more; {
		h, err := rp.HistoryBefore(ctx, "d1", first, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(h.Messages) - 1; i >= 0; i-- {
			seen = append([]string{h.Messages[i].ID}, seen...)
		}
		first, more = h.Messages[0].ID, h.More
	}
	for last, more := a.Messages[len(a.Messages)-1].ID, a.Newer; more; {
		h, err := rp.HistoryAfter(ctx, "d1", last, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range h.Messages {
			seen = append(seen, m.ID)
		}
		last, more = h.Messages[len(h.Messages)-1].ID, h.More
	}
	if got := fmt.Sprint(seen); got != "[m00 m01 m02 m03 m04 m05 m06 m07 m08 m09 m10 m11]" {
		t.Errorf("paged through %v, want m00..m11 once each in order", got)
	}
}
