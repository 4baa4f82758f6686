package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"migrations run from empty and again on reopen", testReopen},
		{"org round-trips and its cache follows writes", testOrg},
		{"an outcome is readable through the command reader", testReader},
		{"a failed write leaves nothing behind", testRollback},
		{"pull gives each operator only what it may see", testSight},
		{"a transferred dialog is removed for those who lost it and re-sent to those who gained it", testTransfer},
		{"the log keeps each entity once, at its newest", testCompaction},
		{"live changes carry the same scope as pull", testChangesAfterMatchesPull},
		{"what a write hands to the live hub is what the log reads back", testHandover},
		{"concurrent writers get strictly increasing seqs", testConcurrentWrites},
		{"group changes resync the operators whose lines changed", testResync},
		{"removals reach exactly those who had the entity", testRemove},
		{"command results are stored once per id", testCommandResults},
		{"credentials and sessions", testAuth},
		{"prefetched lookups answer like direct ones, with the transaction's own writes", testPrefetch},
		{"a dialog's columns follow every write of it, however it was read", testDialogColumns},
		{"channel settings are kept apart from the change log", testSettings},
		{"a channel's lease goes to exactly one holder at a time", testLeases},
		{"outbound messages are queued with the message and leave the queue once dispatched", testDispatch},
		{"replies name the message they answer; edits and deletes are queued by their version", testDispatchChanges},
		{"ids a write mints have nothing stored under them", testFreshIDs},
		{"dialog reports group and measure in SQL", testReports},
		{"dialog reports measure spans as inbox.MetricsOf does", testReportsFollowMetricsOf},
		{"charted reports: volume, percentiles, CSAT, operator load and tags on business hours", testAnalytics},
		{"report percentiles are exact nearest ranks", testPercentilesExact},
		{"workspace secrets are kept apart from the change log", testWorkspaceSecrets},
		{"a dialog's ratings are kept and synced", testRatings},
		{"edited contacts route to their client and the old ones to nobody", testContactEdits},
		{"tasks reach every operator and are read back, completed and removed", testTasks},
		{"files are stored once by their SHA-256 and stream back whole", testFiles},
		{"a file over the limit or cut short keeps nothing; same bytes at once make one file", testFileLimits},
		{"the messages carrying a file and who uploaded it are known", testFileMessages},
		{"a tag made on the spot is known to the commands after it and reaches everyone", testTags},
		{"a customer's contact on a channel leads to its newest dialog there", testContactDialog},
		{"signals reach every instance on the same database", testSignals},
		{"presence counts every instance's operators until their expiry", testPresence},
		{"auto-assignment reads loads with the write's own changes, presence, history and the queue in order", testAssignBoard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func testReopen(t *testing.T, open Opener) {
	s, reopen := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	s2 := reopen()
	defer s2.Close()
	head1, _ := s.Head(context.Background())
	head2, err := s2.Head(context.Background())
	if err != nil || head2 != head1 || head1 == 0 {
		t.Fatalf("Head after reopen = %d, %v; want %d (non-zero)", head2, err, head1)
	}
	if _, err := s2.Dialog(context.Background(), "dl-1"); err != nil {
		t.Fatalf("Dialog after reopen: %v", err)
	}
}

func testOrg(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	org, err := s.Org(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(org.Operators) != 4 || len(org.Lines) != 2 || org.Workspace == nil || org.Workspace.Name != "Demo" {
		t.Fatalf("Org = %d operators, %d lines, workspace %+v", len(org.Operators), len(org.Lines), org.Workspace)
	}
	if !org.WorksLine(opAnna, lineA) || org.WorksLine(opAnna, lineB) {
		t.Fatalf("WorksLine(anna) wrong after round trip")
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.PutOrg(wire.KindGroup, "g-support", &inbox.Group{ID: "g-support", MemberIDs: []string{opTaras, opAnna}})
		if err != nil {
			return err
		}
		if !tx.Org().WorksLine(opAnna, lineB) {
			return errors.New("the transaction does not see its own org write")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	org, _ = s.Org(ctx)
	if !org.WorksLine(opAnna, lineB) {
		t.Fatalf("Org() after a group change is stale")
	}
	if err := s.Write(ctx, func(tx store.Tx) error { _, err := tx.PutOrg("dialog", "x", 1); return err }); err == nil {
		t.Fatalf("PutOrg(dialog) = nil error, want a refusal of a non-org kind")
	}
}

func testReader(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	snoozed := newDialog(2, lineA)
	snoozed.Dialogs[0].Status = inbox.StatusSnoozed
	snoozed.Dialogs[0].SnoozedUntil = t0.Add(time.Hour)
	apply(t, s, snoozed)
	err := s.Write(context.Background(), func(tx store.Tx) error {
		c, err := tx.ClientByContact(chTg, "tg-cl-1")
		if err != nil || c == nil || c.ID != "cl-1" {
			return fmt.Errorf("ClientByContact = %v, %v; want cl-1", c, err)
		}
		if c, err := tx.ClientByContact(chTg, "nobody"); c != nil || err != nil {
			return fmt.Errorf("ClientByContact(nobody) = %v, %v; want nil, nil", c, err)
		}
		m, err := tx.MessageByExternalID(chTg, "ext-ms-1")
		if err != nil || m == nil || m.Text != "Привет, ёжик ms-1" {
			return fmt.Errorf("MessageByExternalID = %v, %v", m, err)
		}
		d, err := tx.LatestDialog("cl-1", chTg)
		if err != nil || d == nil || d.ID != "dl-1" {
			return fmt.Errorf("LatestDialog = %v, %v; want dl-1", d, err)
		}
		open, err := tx.OpenDialogsOfClient("cl-2")
		if err != nil || len(open) != 1 {
			return fmt.Errorf("OpenDialogsOfClient(cl-2) = %d, %v; want 1", len(open), err)
		}
		if _, err := tx.Dialog("missing"); !errors.Is(err, inbox.ErrNotFound) {
			return fmt.Errorf("Dialog(missing) error = %v, want ErrNotFound", err)
		}
		type dueReader interface {
			SnoozedDue(time.Time) ([]*inbox.Dialog, error)
		}
		if dr, ok := tx.(dueReader); ok {
			due, err := dr.SnoozedDue(t0.Add(2 * time.Hour))
			if err != nil || len(due) != 1 || due[0].ID != "dl-2" {
				return fmt.Errorf("SnoozedDue = %d, %v; want dl-2", len(due), err)
			}
			if due, _ := dr.SnoozedDue(t0); len(due) != 0 {
				return fmt.Errorf("SnoozedDue before the time = %d dialogs, want 0", len(due))
			}
		}
		if n1, n2 := tx.NextDialogNumber(), tx.NextDialogNumber(); n2 != n1+1 {
			return fmt.Errorf("NextDialogNumber = %d then %d", n1, n2)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := s.Messages(context.Background(), "dl-1")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Messages(dl-1) = %d, %v", len(msgs), err)
	}
}

func testRollback(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	head, _ := s.Head(ctx)
	boom := errors.New("boom")
	err := s.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.Apply(newDialog(1, lineA)); err != nil {
			return err
		}
		tx.NextDialogNumber()
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	if h, _ := s.Head(ctx); h != head {
		t.Fatalf("Head after rollback = %d, want %d", h, head)
	}
	if _, err := s.Dialog(ctx, "dl-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Dialog after rollback: %v, want not found", err)
	}
	// The next write reuses the seqs the failed one had taken.
	seq := apply(t, s, newDialog(2, lineA))
	if seq <= head {
		t.Fatalf("seq after rollback = %d, want > %d", seq, head)
	}

	// A write the database refuses as it stores the rows: the client, its
	// contact and the dialog are written before the message that breaks
	// the unique (channel, external id), and the counters and the commit
	// after it (on PostgreSQL all in one pipeline). Nothing may stay, and
	// the pool's connections must come back usable: more failures than
	// connections, then a write and reads.
	head, _ = s.Head(ctx)
	for i := range 20 {
		o := newDialog(3, lineA)
		o.Messages[0].ExternalID = "ext-ms-2" // dl-2's message has it
		err := s.Write(ctx, func(tx store.Tx) error {
			if i%2 == 1 {
				// Also with reads in the transaction before the failure.
				if _, err := tx.Dialog("dl-2"); err != nil {
					return err
				}
			}
			tx.NextDialogNumber()
			_, err := tx.Apply(o)
			return err
		})
		if err == nil {
			t.Fatal("Write of a message under a taken external id succeeded")
		}
	}
	if h, _ := s.Head(ctx); h != head {
		t.Fatalf("Head after a refused write = %d, want %d", h, head)
	}
	if _, err := s.Dialog(ctx, "dl-3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Dialog after a refused write: %v, want not found", err)
	}
	err = s.Write(ctx, func(tx store.Tx) error {
		if c, err := tx.ClientByContact(chTg, "tg-cl-3"); err != nil || c != nil {
			return fmt.Errorf("client of a refused write = %v, %v; want none", c, err)
		}
		if d, err := tx.LatestDialog("cl-3", chTg); err != nil || d != nil {
			return fmt.Errorf("dialog of a refused write = %v, %v; want none", d, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seq := apply(t, s, newDialog(3, lineA)); seq <= head {
		t.Fatalf("seq after a refused write = %d, want > %d", seq, head)
	}
	if d, err := s.Dialog(ctx, "dl-3"); err != nil || d.Number != 3 {
		t.Fatalf("Dialog after the retry = %v, %v", d, err)
	}
}

func testSight(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	apply(t, s, newDialog(2, lineB))
	note := &inbox.Outcome{Messages: []*inbox.Message{{ID: "note-1", DialogID: "dl-1", Kind: inbox.MsgNote, AuthorID: opAnna, Text: "mine", CreatedAt: t0}}}
	apply(t, s, note)
	apply(t, s, &inbox.Outcome{Templates: []*inbox.Template{{ID: "tp-anna", OwnerID: opAnna, Title: "hi"}, {ID: "tp-all", Title: "hello"}}})
	cases := []struct {
		op        string
		see, miss []string
	}{
		{opAnna, []string{"dl-1", "ms-1", "ev-dl-1", "note-1", "tp-anna", "tp-all", "cl-2", opTaras}, []string{"dl-2", "ms-2", "ev-dl-2"}},
		{opTaras, []string{"dl-2", "ms-2", "tp-all"}, []string{"dl-1", "ms-1", "note-1", "tp-anna"}},
		{opSup, []string{"dl-1", "dl-2", "ms-1", "ms-2"}, []string{"note-1", "tp-anna"}},
		{opAdmin, []string{"dl-1", "dl-2", "ms-1", "ms-2"}, []string{"note-1", "tp-anna"}},
		{"op-stranger", []string{"ws", lineA}, []string{"dl-1", "dl-2", "ms-1"}},
	}
	for _, c := range cases {
		got := pullAll(t, s, c.op, 0)
		ids := map[string]bool{}
		for _, ch := range got {
			ids[ch.ID] = true
		}
		for _, id := range c.see {
			if !ids[id] {
				t.Errorf("Pull(%s) lacks %s", c.op, id)
			}
		}
		for _, id := range c.miss {
			if ids[id] {
				t.Errorf("Pull(%s) has %s, which it may not see", c.op, id)
			}
		}
	}
}

func testTransfer(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	ctx := context.Background()
	mark, _ := s.Head(ctx)
	d, err := s.Dialog(ctx, "dl-1")
	if err != nil {
		t.Fatal(err)
	}
	d.LineID = lineB
	apply(t, s, &inbox.Outcome{Dialogs: []*inbox.Dialog{d}})

	anna := pullAll(t, s, opAnna, mark)
	if _, ok := has(anna, wire.KindDialog, "dl-1", wire.OpDel); !ok {
		t.Errorf("anna lost sight of dl-1 but got no removal: %v", anna)
	}
	if _, ok := has(anna, wire.KindDialog, "dl-1", wire.OpPut); ok {
		t.Errorf("anna still receives dl-1 after its transfer away")
	}
	taras := pullAll(t, s, opTaras, mark)
	for _, id := range []struct {
		k  wire.Kind
		id string
	}{{wire.KindDialog, "dl-1"}, {wire.KindMessage, "ms-1"}, {wire.KindEvent, "ev-dl-1"}} {
		if _, ok := has(taras, id.k, id.id, wire.OpPut); !ok {
			t.Errorf("taras gained dl-1 but pulling after %d lacks %s %s", mark, id.k, id.id)
		}
	}
	admin := pullAll(t, s, opAdmin, mark)
	if _, ok := has(admin, wire.KindDialog, "dl-1", wire.OpDel); ok {
		t.Errorf("admin sees all yet got a removal")
	}
	// Assigning the dialog to anna brings it back to her.
	d.AssigneeID, d.Status = opAnna, inbox.StatusInProgress
	mark2, _ := s.Head(ctx)
	apply(t, s, &inbox.Outcome{Dialogs: []*inbox.Dialog{d}})
	anna = pullAll(t, s, opAnna, mark2)
	if _, ok := has(anna, wire.KindMessage, "ms-1", wire.OpPut); !ok {
		t.Errorf("anna, now the assignee, did not receive the dialog's messages")
	}
	// Starting from scratch, she ends with the dialog, not its removal.
	state := map[string]bool{}
	for _, c := range pullAll(t, s, opAnna, 0) {
		if c.Kind == wire.KindDialog {
			state[c.ID] = c.Op == wire.OpPut
		}
	}
	if !state["dl-1"] {
		t.Errorf("a fresh pull by anna ends without dl-1")
	}
}

func testCompaction(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	d, _ := s.Dialog(context.Background(), "dl-1")
	for i := range 5 {
		d.Unread = i
		apply(t, s, &inbox.Outcome{Dialogs: []*inbox.Dialog{d}})
	}
	n := 0
	var seqs []int64
	for _, c := range pullAll(t, s, opAdmin, 0) {
		seqs = append(seqs, c.Seq)
		if c.Kind == wire.KindDialog && c.ID == "dl-1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("dl-1 appears %d times in the log, want 1", n)
	}
	if !slices.IsSorted(seqs) {
		t.Errorf("pull is not in seq order: %v", seqs)
	}
}

func testChangesAfterMatchesPull(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	apply(t, s, newDialog(2, lineB))
	d, _ := s.Dialog(context.Background(), "dl-2")
	d.Participants = []string{opAnna}
	apply(t, s, &inbox.Outcome{Dialogs: []*inbox.Dialog{d}})
	apply(t, s, &inbox.Outcome{Messages: []*inbox.Message{{ID: "note-x", DialogID: "dl-1", Kind: inbox.MsgNote, AuthorID: opAnna, CreatedAt: t0}}})
	ctx := context.Background()
	all, err := s.ChangesAfter(ctx, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	org, _ := s.Org(ctx)
	for _, op := range []string{opAnna, opTaras, opSup, opAdmin, "nobody"} {
		v := store.ViewerOf(org, op)
		var live []int64
		for _, l := range all {
			if l.Visible(v) {
				live = append(live, l.Seq)
			}
		}
		var pulled []int64
		for _, c := range pullAll(t, s, op, 0) {
			pulled = append(pulled, c.Seq)
		}
		if !slices.Equal(live, pulled) {
			t.Errorf("%s: live filter %v != pull %v", op, live, pulled)
		}
	}
}

func testConcurrentWrites(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.Write(context.Background(), func(tx store.Tx) error {
				_, err := tx.Apply(newDialog(100+i, lineA))
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, _ := s.ChangesAfter(context.Background(), 0, 100000)
	dialogs := 0
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("seq %d follows %d", all[i].Seq, all[i-1].Seq)
		}
	}
	for _, l := range all {
		if l.Kind == wire.KindDialog {
			dialogs++
		}
	}
	if dialogs != n {
		t.Fatalf("%d dialogs logged, want %d", dialogs, n)
	}
}

func testResync(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	ctx := context.Background()
	mark, _ := s.Head(ctx)
	err := s.Write(ctx, func(tx store.Tx) error {
		_, err := tx.PutOrg(wire.KindGroup, "g-support", &inbox.Group{ID: "g-support", MemberIDs: []string{opTaras, opAnna}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := has(pullAll(t, s, opAnna, mark), wire.KindResync, opAnna, wire.OpPut); !ok {
		t.Errorf("anna joined a line but got no resync")
	}
	if _, ok := has(pullAll(t, s, opTaras, mark), wire.KindResync, opTaras, wire.OpPut); ok {
		t.Errorf("taras's lines did not change, yet he got a resync")
	}
}

func testRemove(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, &inbox.Outcome{Templates: []*inbox.Template{{ID: "tp-anna", OwnerID: opAnna}}})
	mark, _ := s.Head(context.Background())
	apply(t, s, &inbox.Outcome{Deleted: []inbox.Ref{{Kind: string(wire.KindTemplate), ID: "tp-anna"}}})
	if _, ok := has(pullAll(t, s, opAnna, mark), wire.KindTemplate, "tp-anna", wire.OpDel); !ok {
		t.Errorf("anna's template was removed but she got no removal")
	}
	if _, ok := has(pullAll(t, s, opTaras, mark), wire.KindTemplate, "tp-anna", wire.OpDel); ok {
		t.Errorf("taras got the removal of a template he never had")
	}
	err := s.Write(context.Background(), func(tx store.Tx) error {
		if _, err := tx.Template("tp-anna"); !errors.Is(err, inbox.ErrNotFound) {
			return fmt.Errorf("template after removal: %v", err)
		}
		_, err := tx.Apply(&inbox.Outcome{Deleted: []inbox.Ref{{Kind: "dialog", ID: "x"}}})
		if err == nil {
			return errors.New("removing a dialog kind gave no error")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testCommandResults(t *testing.T, open Opener) {
	s, _ := open(t)
	ctx := context.Background()
	r := wire.CommandResult{ID: "cmd-1", OK: false, Code: "dialog.already_taken", Args: map[string]string{"operator": "Anna"}}
	if err := s.Write(ctx, func(tx store.Tx) error { return tx.SaveCommandResult(opAnna, r) }); err != nil {
		t.Fatal(err)
	}
	err := s.Write(ctx, func(tx store.Tx) error {
		got, err := tx.CommandResult("cmd-1")
		if err != nil || got == nil || got.Code != r.Code || got.Args["operator"] != "Anna" {
			return fmt.Errorf("CommandResult = %+v, %v", got, err)
		}
		if got, err := tx.CommandResult("cmd-2"); got != nil || err != nil {
			return fmt.Errorf("CommandResult(unknown) = %+v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, func(tx store.Tx) error { return tx.SaveCommandResult(opAnna, r) }); err == nil {
		t.Fatal("saving a result twice gave no error")
	}
}

func testAuth(t *testing.T, open Opener) {
	s, _ := open(t)
	ctx := context.Background()
	err := s.Write(ctx, func(tx store.Tx) error {
		if err := tx.SetCredential(opAnna, " Anna@X.test ", "hash1"); err != nil {
			return err
		}
		if err := tx.SetCredential(opTaras, "anna@x.test", "hash2"); !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("a second operator with anna's e-mail: %v, want ErrConflict", err)
		}
		return tx.SetCredential(opAnna, "anna@x.test", "hash3")
	})
	if err != nil {
		t.Fatal(err)
	}
	id, hash, err := s.Credential(ctx, "ANNA@x.test")
	if err != nil || id != opAnna || hash != "hash3" {
		t.Fatalf("Credential = %q, %q, %v", id, hash, err)
	}
	if _, _, err := s.Credential(ctx, "nobody@x.test"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Credential(nobody) = %v, want not found", err)
	}
	now := t0
	if err := s.CreateSession(ctx, "tok", opAnna, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if id, err := s.Session(ctx, "tok", now); err != nil || id != opAnna {
		t.Fatalf("Session = %q, %v", id, err)
	}
	if _, err := s.Session(ctx, "tok", now.Add(2*time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired Session: %v, want not found", err)
	}
	if err := s.DeleteSession(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "tok", now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Session after logout: %v", err)
	}
}

func testPrefetch(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	apply(t, s, newDialog(1, lineA))
	old := newDialog(2, lineA)
	old.Dialogs[0].CreatedAt = t0.Add(-time.Hour)
	apply(t, s, old)
	err := s.Write(context.Background(), func(tx store.Tx) error {
		p, ok := tx.(store.Prefetcher)
		if !ok {
			return nil // an implementation without prefetch passes trivially
		}
		err := p.Prefetch([]store.InboundRef{
			{ChannelID: chTg, MessageExternalID: "ext-ms-1", ContactExternalID: "tg-cl-1"},
			{ChannelID: chTg, MessageExternalID: "ext-none", ContactExternalID: "tg-nobody"},
			{ChannelID: chTg, MessageExternalID: "ext-ms-2", ContactExternalID: "tg-cl-2"},
		})
		if err != nil {
			return err
		}
		if m, err := tx.MessageByExternalID(chTg, "ext-ms-1"); err != nil || m == nil || m.ID != "ms-1" {
			return fmt.Errorf("prefetched MessageByExternalID = %v, %v", m, err)
		}
		if m, err := tx.MessageByExternalID(chTg, "ext-none"); err != nil || m != nil {
			return fmt.Errorf("prefetched absent message = %v, %v", m, err)
		}
		if c, err := tx.ClientByContact(chTg, "tg-nobody"); err != nil || c != nil {
			return fmt.Errorf("prefetched absent contact = %v, %v", c, err)
		}
		if d, err := tx.LatestDialog("cl-2", chTg); err != nil || d == nil || d.ID != "dl-2" {
			return fmt.Errorf("prefetched LatestDialog = %v, %v", d, err)
		}
		// A newer dialog and a new message written in this transaction win
		// over the prefetched snapshot.
		fresh := newDialog(3, lineA)
		fresh.Clients[0].ID, fresh.Dialogs[0].ClientID, fresh.Messages[0].ClientID = "cl-2", "cl-2", "cl-2"
		fresh.Clients[0].Contacts[0].ExternalID = "tg-cl-2"
		fresh.Messages[0].ExternalID = "ext-none"
		if _, err := tx.Apply(fresh); err != nil {
			return err
		}
		if d, _ := tx.LatestDialog("cl-2", chTg); d == nil || d.ID != "dl-3" {
			return fmt.Errorf("LatestDialog after writing a newer dialog = %v, want dl-3", d)
		}
		if m, _ := tx.MessageByExternalID(chTg, "ext-none"); m == nil || m.ID != "ms-3" {
			return fmt.Errorf("MessageByExternalID after writing it = %v, want ms-3", m)
		}
		// A read that flushes the buffer must not bring back stale answers.
		if _, err := tx.OpenDialogsOfClient("cl-2"); err != nil {
			return err
		}
		if m, _ := tx.MessageByExternalID(chTg, "ext-none"); m == nil || m.ID != "ms-3" {
			return fmt.Errorf("MessageByExternalID after a flush = %v, want ms-3", m)
		}
		if d, _ := tx.LatestDialog("cl-2", chTg); d == nil || d.ID != "dl-3" {
			return fmt.Errorf("LatestDialog after a flush = %v, want dl-3", d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// One message's prefetch (a store may look it up by key): the newest
	// of the client's dialogs on the channel, not the first.
	newer := newDialog(4, lineA)
	newer.Clients = nil
	newer.Dialogs[0].ClientID, newer.Messages[0].ClientID = "cl-1", "cl-1"
	apply(t, s, newer)
	err = s.Write(context.Background(), func(tx store.Tx) error {
		for _, ref := range []store.InboundRef{
			{ChannelID: chTg, MessageExternalID: "ext-ms-1", ContactExternalID: "tg-cl-1"},
			{ChannelID: chTg, MessageExternalID: "ext-gone", ContactExternalID: "tg-gone"},
		} {
			if err := tx.(store.Prefetcher).Prefetch([]store.InboundRef{ref}); err != nil {
				return err
			}
		}
		if m, err := tx.MessageByExternalID(chTg, "ext-ms-1"); err != nil || m == nil || m.ID != "ms-1" {
			return fmt.Errorf("one prefetched MessageByExternalID = %v, %v", m, err)
		}
		if c, err := tx.ClientByContact(chTg, "tg-cl-1"); err != nil || c == nil || c.ID != "cl-1" {
			return fmt.Errorf("one prefetched ClientByContact = %v, %v", c, err)
		}
		if d, err := tx.LatestDialog("cl-1", chTg); err != nil || d == nil || d.ID != "dl-4" {
			return fmt.Errorf("one prefetched LatestDialog = %v, %v; want dl-4", d, err)
		}
		if m, err := tx.MessageByExternalID(chTg, "ext-gone"); err != nil || m != nil {
			return fmt.Errorf("one prefetched absent message = %v, %v", m, err)
		}
		if c, err := tx.ClientByContact(chTg, "tg-gone"); err != nil || c != nil {
			return fmt.Errorf("one prefetched absent contact = %v, %v", c, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
