package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"switchboard/inbox"
	"switchboard/server/store"
)

// testHandover: what a write hands to OnCommitted is exactly what
// ChangesAfter reads back right after it, so the live hub can send it
// without reading; a write that moves entries outside the log (a transfer
// restamps the dialog's messages) hands nothing over.
func testHandover(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	var mu sync.Mutex
	var handed []store.Committed
	s.OnCommitted(func(c store.Committed) {
		mu.Lock()
		handed = append(handed, c)
		mu.Unlock()
	})
	ctx := context.Background()
	// write runs one write and returns what it handed over, checked
	// against the log.
	write := func(what string, o *inbox.Outcome) (store.Committed, bool) {
		t.Helper()
		mu.Lock()
		n := len(handed)
		mu.Unlock()
		before, _ := s.Head(ctx)
		apply(t, s, o)
		after, _ := s.Head(ctx)
		mu.Lock()
		got := handed[n:]
		mu.Unlock()
		if len(got) == 0 {
			t.Fatalf("%s: the write was not told to OnCommitted", what)
		}
		c := got[0]
		if len(got) > 1 || c.From != before || c.To != after {
			t.Fatalf("%s: handed %d commits, the first %d→%d; want one, %d→%d", what, len(got), c.From, c.To, before, after)
		}
		if !c.Complete {
			if len(c.Changes) > 0 {
				t.Errorf("%s: an incomplete commit handed %d changes", what, len(c.Changes))
			}
			return c, false
		}
		logged, err := s.ChangesAfter(ctx, c.From, 100000)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := describe(c.Changes), describe(logged); g != w {
			t.Errorf("%s: handed over\n%s\nthe log holds\n%s", what, g, w)
		}
		return c, true
	}
	if _, ok := write("a new dialog", newDialog(1, lineA)); !ok {
		t.Fatal("a new dialog: nothing handed over")
	}
	d, _ := s.Dialog(ctx, "dl-1")
	d2 := d.Clone()
	d2.Unread = 3
	c, ok := write("the same dialog twice in one write", &inbox.Outcome{Dialogs: []*inbox.Dialog{d, d2}})
	if !ok {
		t.Fatal("the same dialog twice: nothing handed over")
	}
	if len(c.Changes) != 1 {
		t.Errorf("the same dialog twice: handed %d changes, want its newest only", len(c.Changes))
	}
	write("a private note", &inbox.Outcome{Messages: []*inbox.Message{{ID: "note-h", DialogID: "dl-1", Kind: inbox.MsgNote, AuthorID: opAnna, CreatedAt: t0}}})
	write("a second dialog", newDialog(2, lineB))
	d3 := d2.Clone()
	d3.LineID = lineB
	if _, ok := write("a transfer", &inbox.Outcome{Dialogs: []*inbox.Dialog{d3}}); ok {
		t.Error("a transfer restamps the dialog's messages, yet its write was handed over as complete")
	}
	if _, ok := write("after the transfer", newDialog(3, lineA)); !ok {
		t.Error("the write after a transfer was not handed over")
	}
}

// describe lists changes one per line, with everything the hub reads.
func describe(ls []store.Logged) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%d %s %s %s everyone=%v user=%q line=%q members=%q dialog=%q data=%s\n",
			l.Seq, l.Kind, l.ID, l.Op, l.Everyone, l.UserID, l.LineID, strings.Join(l.Members, ","), l.DialogID, l.Data)
	}
	return b.String()
}
