package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func clientDialog(id, clientID, channel string, last time.Time) *inbox.Dialog {
	return dialog(id, inbox.StatusInProgress, func(d *inbox.Dialog) {
		d.ClientID, d.ChannelID, d.LastMessageAt = clientID, channel, last
	})
}

func clientMessage(id string, d *inbox.Dialog, at time.Time) *inbox.Message {
	m := message(id, d.ID, "text "+id, at)
	m.ClientID, m.ChannelID = d.ClientID, d.ChannelID
	m.Attachments = []inbox.Attachment{{ID: "a-" + id, Name: id + ".pdf", MIME: "application/pdf", Size: 10}}
	return m
}

func TestClientHistoryPagesEveryChannelInTimeOrder(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	wa := clientDialog("d-wa", "cl", "ch-wa", t0)
	web := clientDialog("d-web", "cl", "ch-web", t0)
	other := clientDialog("d-other", "someone", "ch-wa", t0)
	cs := newChanges(t, 1).put(wire.KindDialog, wa.ID, wa).put(wire.KindDialog, web.ID, web).put(wire.KindDialog, other.ID, other)
	// Seven messages across the two channels, three of them in one
	// millisecond (a page boundary falls among them), and one of another
	// client at the same time.
	var want []string
	for i, d := range []*inbox.Dialog{wa, web, wa, web, web, wa, web} {
		at := t0.Add(time.Duration(i) * time.Minute)
		if i >= 2 && i <= 4 {
			at = t0.Add(2 * time.Minute)
		}
		id := fmt.Sprintf("m%d", i)
		cs.put(wire.KindMessage, id, clientMessage(id, d, at))
		want = append(want, id)
		cs.put(wire.KindMessage, "x"+id, clientMessage("x"+id, other, at))
	}
	mustApply(t, rp, cs.list)

	var got []string
	var cur HistoryCursor
	pages := 0
	for {
		h, err := rp.ClientHistory(ctx, "cl", cur, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		var page []string
		for _, m := range h.Messages {
			page = append(page, m.ID)
		}
		got = append(page, got...)
		if len(h.Messages) > 0 && len(h.Messages[0].Attachments) != 1 {
			t.Errorf("message %s lost its attachment", h.Messages[0].ID)
		}
		if !h.More {
			break
		}
		cur = h.Next
		if pages > 5 {
			t.Fatalf("ClientHistory never ended: %v", got)
		}
	}
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("ClientHistory pages = %v in %d pages, want %v in 3", got, pages, want)
	}

	// The index walks the client's rows: the plan names it.
	var plan string
	rows, err := rp.r.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT rowid FROM messages WHERE client_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 3`, "cl")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "; "
	}
	if !strings.Contains(plan, "messages_client") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("the history's plan is %q, want the messages_client index and no sort", plan)
	}
}

func TestClientDialogsNewestFirstWithTheirTotal(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	cs := newChanges(t, 1)
	for i := range 5 {
		d := clientDialog(fmt.Sprintf("d%d", i), "cl", []string{"ch-wa", "ch-web"}[i%2], t0.Add(time.Duration(i)*time.Hour))
		cs.put(wire.KindDialog, d.ID, d)
	}
	cs.put(wire.KindDialog, "other", clientDialog("other", "someone", "ch-wa", t0.Add(time.Hour*9)))
	mustApply(t, rp, cs.list)
	tests := []struct {
		offset, limit int
		want          []string
	}{
		{0, 3, []string{"d4", "d3", "d2"}},
		{3, 3, []string{"d1", "d0"}},
		{0, 0, []string{"d4", "d3", "d2"}}, // the card's default: three
	}
	for _, tc := range tests {
		ds, total, err := rp.ClientDialogs(ctx, "cl", tc.offset, tc.limit)
		var got []string
		for _, d := range ds {
			got = append(got, d.ID)
		}
		if err != nil || total != 5 || !slices.Equal(got, tc.want) {
			t.Errorf("ClientDialogs(cl, %d, %d) = %v, %d, %v; want %v, 5", tc.offset, tc.limit, got, total, err, tc.want)
		}
	}
}

func task(id, client, assignee string, due time.Time, done bool) *inbox.ClientTask {
	return &inbox.ClientTask{ID: id, ClientID: client, AssigneeID: assignee, Text: "do " + id, DueAt: due, Done: done, CreatedAt: t0}
}

func TestImportantListsMyClientsWithTasksDueTodayOrOverdue(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	endOfToday := t0.Add(15 * time.Hour)
	cs := newChanges(t, 1).
		put(wire.KindClient, "c-late", &inbox.Client{ID: "c-late", OriginalName: "Late"}).
		put(wire.KindClient, "c-today", &inbox.Client{ID: "c-today", OriginalName: "Today"}).
		put(wire.KindDialog, "d-today", clientDialog("d-today", "c-today", "ch-wa", t0)).
		put(wire.KindDialog, "d-today-new", clientDialog("d-today-new", "c-today", "ch-web", t0.Add(time.Hour))).
		put(wire.KindTask, "k1", task("k1", "c-today", "me", t0.Add(8*time.Hour), false)).
		put(wire.KindTask, "k2", task("k2", "c-today", "me", t0.Add(2*time.Hour), false)).
		put(wire.KindTask, "k3", task("k3", "c-late", "me", t0.Add(-48*time.Hour), false)).
		put(wire.KindTask, "k4", task("k4", "c-late", "me", t0.Add(-72*time.Hour), true)).     // done
		put(wire.KindTask, "k5", task("k5", "c-tomorrow", "me", t0.Add(20*time.Hour), false)). // not yet
		put(wire.KindTask, "k6", task("k6", "c-others", "colleague", t0, false))               // not mine
	a := mustApply(t, rp, cs.list)
	if !a.Clients {
		t.Errorf("Apply of clients and tasks did not report the client cards changed")
	}
	got, err := rp.ImportantClients(ctx, "me", endOfToday)
	if err != nil {
		t.Fatal(err)
	}
	want := []ImportantClient{
		{ClientID: "c-late", Name: "Late", Tasks: 1, FirstDue: t0.Add(-48 * time.Hour), FirstTask: "do k3"},
		{ClientID: "c-today", Name: "Today", Tasks: 2, FirstDue: t0.Add(2 * time.Hour), FirstTask: "do k2", LastDialogID: "d-today-new"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ImportantClients = %+v\nwant %+v", got, want)
	}
	if n, err := rp.ImportantCount(ctx, "me", endOfToday); n != 2 || err != nil {
		t.Errorf("ImportantCount = %d, %v; want 2", n, err)
	}

	// Completing c-late's task and deleting one of c-today's.
	done := task("k3", "c-late", "me", t0.Add(-48*time.Hour), true)
	mustApply(t, rp, newChanges(t, cs.next).put(wire.KindTask, "k3", done).del(wire.KindTask, "k2").list)
	got, _ = rp.ImportantClients(ctx, "me", endOfToday)
	if len(got) != 1 || got[0].ClientID != "c-today" || got[0].Tasks != 1 || got[0].FirstTask != "do k1" {
		t.Errorf("after completing and deleting: %+v, want c-today with k1 alone", got)
	}
	tasks, err := rp.ClientTasks(ctx, "c-late")
	if err != nil || len(tasks) != 2 || !tasks[0].Done {
		t.Errorf("ClientTasks(c-late) = %+v, %v; want both, done", tasks, err)
	}
}

func TestRejectedClientCardCommandsRollBack(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	orig := &inbox.Client{ID: "cl", OriginalName: "Olena"}
	cs := newChanges(t, 1).put(wire.KindClient, "cl", orig).put(wire.KindTask, "k-old", task("k-old", "cl", "me", t0, false))
	mustApply(t, rp, cs.list)
	enqueue := func(id string, opt Optimistic) {
		t.Helper()
		cmd := wire.CommandEnvelope{ID: id, Type: "test", Payload: json.RawMessage(`{}`), IssuedAt: t0}
		if err := rp.Enqueue(ctx, cmd, opt); err != nil {
			t.Fatalf("Enqueue(%s): %v", id, err)
		}
	}
	reject := func(id string) {
		t.Helper()
		if _, err := rp.Resolve(ctx, wire.CommandResult{ID: id, Code: "nope"}); err != nil {
			t.Fatal(err)
		}
	}
	name := func() string {
		card, err := rp.Client(ctx, "cl")
		if err != nil {
			t.Fatal(err)
		}
		return card.Client.Name()
	}
	taskIDs := func() []string {
		ks, err := rp.ClientTasks(ctx, "cl")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}

	renamed := *orig
	renamed.DisplayName = "Olena VIP"
	enqueue("rename", Optimistic{Client: &renamed})
	enqueue("new-task", Optimistic{Task: task("k-new", "cl", "me", t0, false)})
	enqueue("del-task", Optimistic{DeleteTask: "k-old"})
	enqueue("note", Optimistic{Note: &inbox.ClientNote{ID: "n1", ClientID: "cl", Text: "hi"}})
	if name() != "Olena VIP" || !slices.Equal(taskIDs(), []string{"k-new"}) {
		t.Fatalf("optimistic: name %q, tasks %v; want the rename, k-new only", name(), taskIDs())
	}
	for _, id := range []string{"rename", "new-task", "del-task", "note"} {
		reject(id)
	}
	card, _ := rp.Client(ctx, "cl")
	if name() != "Olena" || !slices.Equal(taskIDs(), []string{"k-old"}) || len(card.Notes) != 0 {
		t.Errorf("after rejections: name %q, tasks %v, notes %d; want all as before", name(), taskIDs(), len(card.Notes))
	}

	// A rejection after the server sent its own version keeps the server's.
	enqueue("rename-2", Optimistic{Client: &renamed})
	server := *orig
	server.DisplayName = "Olena (from a colleague)"
	mustApply(t, rp, newChanges(t, cs.next).put(wire.KindClient, "cl", &server).list)
	reject("rename-2")
	if name() != "Olena (from a colleague)" {
		t.Errorf("a rejection rolled back over the server's newer version: %q", name())
	}
}

func TestMigrationSixMovesKeptTasksIntoTheirTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "v5.db")
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateWith(ctx, db, migrations[:5]); err != nil {
		t.Fatal(err)
	}
	// Before the client card, a task arrived as a kept-whole entity.
	data, _ := json.Marshal(task("k1", "cl", "me", t0, false))
	if _, err := db.Exec(`INSERT INTO entities (kind, id, data) VALUES ('task', 'k1', ?)`, string(data)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a version 5 replica: %v", err)
	}
	defer rp.Close()
	got, err := rp.ImportantClients(ctx, "me", t0.Add(time.Hour))
	if err != nil || len(got) != 1 || got[0].ClientID != "cl" || !got[0].FirstDue.Equal(t0) {
		t.Errorf("ImportantClients after migrating = %+v, %v; want cl's task due at %v", got, err, t0)
	}
	var left int
	if err := rp.r.QueryRow(`SELECT count(*) FROM entities WHERE kind = 'task'`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d tasks left among the entities (%v)", left, err)
	}
}
