package replica

import (
	"context"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestNoticesListNewestFirstAndKeepTheirReadState(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	add := func(n Notice) bool {
		t.Helper()
		added, err := rp.AddNotice(ctx, n)
		if err != nil {
			t.Fatalf("AddNotice(%s): %v", n.ID, err)
		}
		return added
	}
	add(Notice{ID: "mention:m1", Kind: NoticeMention, DialogID: "d1", MessageID: "m1", ActorID: "oleg", Body: "<b>look</b>", At: t0})
	add(Notice{ID: "alert:1", Kind: "new_dialog", DialogID: "d2", Title: "New dialog in Support", Body: "Ivan", At: t0.Add(time.Minute)})
	add(Notice{ID: "alert:2", Kind: "summary", Title: "While you were away", Count: 3, At: t0.Add(2 * time.Minute)})
	if add(Notice{ID: "mention:m1", Kind: NoticeMention, DialogID: "d1", Body: "again", At: t0.Add(time.Hour)}) {
		t.Error("AddNotice of a stored id = added, want kept once")
	}

	list, unread, err := rp.Notices(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if unread != 3 || len(list) != 3 || list[0].ID != "alert:2" || list[2].ID != "mention:m1" {
		t.Fatalf("Notices = %+v (unread %d), want 3 unread, newest first", list, unread)
	}
	if m := list[2]; m.Body != "<b>look</b>" || m.ActorID != "oleg" || m.MessageID != "m1" || !m.At.Equal(t0) || m.Count != 1 {
		t.Errorf("the mention came back as %+v", m)
	}
	if list[0].DialogID != "" || list[0].Count != 3 {
		t.Errorf("the summary came back as %+v, want no dialog and count 3", list[0])
	}

	if n, err := rp.MarkDialogNoticesRead(ctx, "d1"); err != nil || n != 1 {
		t.Errorf("MarkDialogNoticesRead(d1) = %d, %v; want 1", n, err)
	}
	if n, err := rp.MarkNoticesRead(ctx, "alert:1", "alert:1", "nope"); err != nil || n != 1 {
		t.Errorf("MarkNoticesRead(alert:1) = %d, %v; want 1", n, err)
	}
	if n, _ := rp.UnreadNotices(ctx); n != 1 {
		t.Errorf("UnreadNotices = %d, want 1", n)
	}
	// A resync keeps the centre; signing out wipes it.
	mustApply(t, rp, newChanges(t, 1).put(wire.KindResync, "me", struct{}{}).list)
	if n, _ := rp.MarkNoticesRead(ctx); n != 1 {
		t.Errorf("MarkNoticesRead() after a resync = %d, want the summary still there and unread", n)
	}
	if err := rp.Wipe(ctx); err != nil {
		t.Fatal(err)
	}
	if list, _, _ := rp.Notices(ctx, 10); len(list) != 0 {
		t.Errorf("Notices after Wipe = %+v, want none", list)
	}
}

func TestLineCountsSplitTheQueueFromMyUnread(t *testing.T) {
	rp := openTemp(t)
	unread := func(n int) func(*inbox.Dialog) { return func(d *inbox.Dialog) { d.Unread = n } }
	mine := func(d *inbox.Dialog) { d.AssigneeID = "me" }
	other := func(line string) func(*inbox.Dialog) { return func(d *inbox.Dialog) { d.LineID = line } }
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "q1", dialog("q1", inbox.StatusUnassigned)).
		put(wire.KindDialog, "q2", dialog("q2", inbox.StatusUnassigned, other("l2"))).
		put(wire.KindDialog, "q-black", dialog("q-black", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientBlacklisted = true })).
		put(wire.KindDialog, "m-unread", dialog("m-unread", inbox.StatusInProgress, mine, unread(2))).
		put(wire.KindDialog, "m-read", dialog("m-read", inbox.StatusInProgress, mine)).
		put(wire.KindDialog, "s-unread", dialog("s-unread", inbox.StatusSnoozed, mine, unread(1), other("l2"))).
		put(wire.KindDialog, "theirs", dialog("theirs", inbox.StatusInProgress, unread(5), func(d *inbox.Dialog) { d.AssigneeID = "anna" })).
		put(wire.KindDialog, "closed", dialog("closed", inbox.StatusClosed, mine, unread(1))).
		list)
	got, err := rp.LineCounts(context.Background(), "me")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]LineCount{"l1": {Unassigned: 1, UnreadMine: 1}, "l2": {Unassigned: 1, UnreadSnoozed: 1}}
	if len(got) != len(want) || got["l1"] != want["l1"] || got["l2"] != want["l2"] {
		t.Errorf("LineCounts(me) = %+v, want %+v", got, want)
	}
}
