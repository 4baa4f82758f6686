package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// The auto-assigning line of these tests: group g-auto (Anna, James, Taras
// and Sofia) works line-auto, fed by channel ch-auto. Anna, James and
// Taras are online (Anna and Taras on the first instance, James on the
// last), Sofia is not.
var autoCapacity = map[string]int{"op-anna": 4, "op-james": 3, "op-taras": 5, "op-sofia": 6}

func setUpAutoLine(t *testing.T, st store.Store, mode inbox.AutoAssign) {
	t.Helper()
	org, err := st.Org(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	err = st.Write(t.Context(), func(tx store.Tx) error {
		for id, c := range autoCapacity {
			op := *org.Operators[id]
			op.Capacity = c
			if _, err := tx.PutOrg(wire.KindOperator, id, &op); err != nil {
				return err
			}
		}
		puts := []struct {
			kind wire.Kind
			id   string
			v    any
		}{
			{wire.KindGroup, "g-auto", &inbox.Group{ID: "g-auto", Name: "Auto", MemberIDs: []string{"op-anna", "op-james", "op-taras", "op-sofia"}}},
			{wire.KindLine, "line-auto", &inbox.Line{ID: "line-auto", Name: "Auto", OperatorGroupIDs: []string{"g-auto"}, NameShown: inbox.ShowLineName, AutoAssign: mode}},
			{wire.KindChannel, "ch-auto", &inbox.Channel{ID: "ch-auto", Name: "Auto", Kind: inbox.KindCustom, LineID: "line-auto", State: inbox.ChannelActive}},
		}
		for _, p := range puts {
			if _, err := tx.PutOrg(p.kind, p.id, p.v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// instances starts n servers over the stores (one database), each with its
// own HTTP address.
func instances(t *testing.T, stores []store.Store) []*env {
	var out []*env
	for _, st := range stores {
		out = append(out, serve(t, Config{Store: st, HostKey: "host-secret"}, time.Now()))
	}
	return out
}

// waitOnline waits until the store counts exactly these operators online.
func waitOnline(t *testing.T, st store.Store, want ...string) {
	t.Helper()
	slices.Sort(want)
	for range 500 {
		got, err := st.Online(t.Context(), time.Now())
		if err == nil && slices.Equal(got, want) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	got, _ := st.Online(t.Context(), time.Now())
	t.Fatalf("online = %v, want %v", got, want)
}

// autoDialogs reads every dialog of line-auto, newest change last.
func autoDialogs(t *testing.T, st store.Store) []*inbox.Dialog {
	t.Helper()
	org, _ := st.Org(t.Context())
	p, err := st.Pull(t.Context(), viewerAll(org), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []*inbox.Dialog
	for _, c := range p.Changes { // in seq order
		if c.Kind != wire.KindDialog || c.Op != wire.OpPut {
			continue
		}
		d := new(inbox.Dialog)
		_ = json.Unmarshal(c.Data, d)
		if d.LineID == "line-auto" {
			out = append(out, d)
		}
	}
	return out
}

// inProgress counts each operator's in-progress dialogs in every line.
func inProgress(t *testing.T, st store.Store) map[string]int {
	t.Helper()
	org, _ := st.Org(t.Context())
	p, err := st.Pull(t.Context(), viewerAll(org), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, c := range p.Changes {
		if c.Kind != wire.KindDialog || c.Op != wire.OpPut {
			continue
		}
		var d inbox.Dialog
		_ = json.Unmarshal(c.Data, &d)
		if d.Status == inbox.StatusInProgress {
			n[d.AssigneeID]++
		}
	}
	return n
}

// flood posts n new customers' first messages at once, one event per
// request, round the instances.
func flood(t *testing.T, envs []*env, n int) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			p, _ := json.Marshal(inbox.InboundMessage{ChannelID: "ch-auto", ExternalID: fmt.Sprint("m", i),
				Contact: inbox.InboundContact{ExternalID: fmt.Sprint("cust-", i)}, Text: fmt.Sprint("hello ", i)})
			b, _ := json.Marshal(IngestRequest{Events: []IngestEvent{{Type: "inbound.message", Payload: p}}})
			req, _ := newRequest("POST", envs[i%len(envs)].ts.URL+"/api/v1/ingest", b)
			req.Header.Set("Authorization", "Host host-secret")
			res, err := httpDo(req)
			var out wire.CommandsResponse
			switch {
			case err != nil:
				errs <- err.Error()
			case res.status != 200 || json.Unmarshal(res.body, &out) != nil || len(out.Results) != 1 || !out.Results[0].OK:
				errs <- fmt.Sprintf("ingest %d = %d %s", i, res.status, res.body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// checkAutoAssignment floods line-auto with 200 new dialogs through the
// given instances and checks: nobody past their capacity, everyone online
// with room filled to it, the rest unassigned, each assignment the one the
// mode picks (replayed in commit order on a fresh board), and every
// assignment in the dialog's log. Then capacity freed and an operator
// coming online give out the longest waiting dialogs.
func checkAutoAssignment(t *testing.T, envs []*env, mode inbox.AutoAssign) {
	first, last := envs[0], envs[len(envs)-1]
	st := first.st
	setUpAutoLine(t, st, mode)
	before := inProgress(t, st)

	anna := first.liveConn(first.login("anna@demo.switchboard"), 0)
	_ = last.liveConn(last.login("james@demo.switchboard"), 0)
	_ = first.liveConn(first.login("taras@demo.switchboard"), 0)
	waitOnline(t, st, "op-anna", "op-james", "op-taras")
	_ = anna

	flood(t, envs, 200)

	ds := autoDialogs(t, st)
	if len(ds) != 200 {
		t.Fatalf("line-auto has %d dialogs, want 200", len(ds))
	}
	org, _ := st.Org(t.Context())
	got := map[string]int{}
	unassigned := 0
	var order []string // assignees in commit order
	for _, d := range ds {
		switch d.Status {
		case inbox.StatusInProgress:
			got[d.AssigneeID]++
			order = append(order, d.AssigneeID)
		case inbox.StatusUnassigned:
			unassigned++
			if d.AssigneeID != "" {
				t.Errorf("unassigned dialog %d has assignee %s", d.Number, d.AssigneeID)
			}
		default:
			t.Errorf("dialog %d is %s", d.Number, d.Status)
		}
	}
	after := inProgress(t, st)
	want := map[string]int{}
	total := 0
	for _, id := range []string{"op-anna", "op-james", "op-taras"} {
		want[id] = max(0, autoCapacity[id]-before[id])
		total += want[id]
	}
	for id, n := range after {
		if c := org.Operators[id].Capacity; n > c && n > before[id] {
			t.Errorf("%s holds %d dialogs in progress, capacity %d", id, n, c)
		}
	}
	if !maps(got, want) || unassigned != 200-total {
		t.Errorf("auto-assigned %v and %d unassigned, want %v and %d", got, unassigned, want, 200-total)
	}

	// The spread: replaying the mode on a board that starts as the line
	// did gives the same operators in the same order.
	b := inbox.NewBoard()
	b.Online = map[string]bool{"op-anna": true, "op-james": true, "op-taras": true}
	for id, n := range before {
		b.InProgress[id] = n
	}
	for i, op := range order {
		if w := b.Choose(org, "line-auto"); w != op {
			t.Fatalf("assignment %d went to %s, the %s mode picks %s (all: %v)", i+1, op, mode, w, order)
		}
		b.Record("line-auto", op)
	}

	// The dialog's log records it.
	var one *inbox.Dialog
	for _, d := range ds {
		if d.Status == inbox.StatusInProgress {
			one = d
			break
		}
	}
	if one != nil {
		org, _ := st.Org(t.Context())
		p, _ := st.Pull(t.Context(), viewerAll(org), 0, 100000)
		found := false
		for _, c := range p.Changes {
			var ev inbox.DialogEvent
			if c.Kind == wire.KindEvent && json.Unmarshal(c.Data, &ev) == nil && ev.DialogID == one.ID &&
				ev.Type == inbox.EvAutoAssigned && ev.To == one.AssigneeID && ev.ActorID == "" {
				found = true
			}
		}
		if !found {
			t.Errorf("dialog %d's log has no auto_assigned entry to %s", one.Number, one.AssigneeID)
		}
	}

	// Capacity freed: Anna closes one of hers on the last instance; the
	// longest waiting dialog goes to her.
	var annas *inbox.Dialog
	var oldest *inbox.Dialog
	for _, d := range ds {
		if d.Status == inbox.StatusInProgress && d.AssigneeID == "op-anna" && annas == nil {
			annas = d
		}
		if d.Status == inbox.StatusUnassigned && (oldest == nil || inbox.WaitingOrder(d, oldest) < 0) {
			oldest = d
		}
	}
	if annas == nil || oldest == nil {
		t.Fatalf("Anna's dialog %v, the oldest waiting %v: want both", annas != nil, oldest != nil)
	}
	if r := last.command(last.login("anna@demo.switchboard"), "dialog.close", map[string]string{"dialogId": annas.ID}); !r.OK {
		t.Fatalf("close = %+v", r)
	}
	if d, _ := st.Dialog(t.Context(), oldest.ID); d.Status != inbox.StatusInProgress || d.AssigneeID != "op-anna" {
		t.Errorf("after Anna closed one, the longest waiting dialog %d is %s/%s, want in progress with Anna", d.Number, d.Status, d.AssigneeID)
	}

	// Sofia comes online on the last instance: she gets the longest
	// waiting dialogs up to her capacity.
	_ = last.liveConn(last.login("sofia@demo.switchboard"), 0)
	wantSofia := max(0, autoCapacity["op-sofia"]-before["op-sofia"])
	for range 500 {
		if inProgress(t, st)["op-sofia"] >= before["op-sofia"]+wantSofia {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := inProgress(t, st)["op-sofia"]; n != before["op-sofia"]+wantSofia {
		t.Errorf("Sofia online holds %d in progress, want %d", n, before["op-sofia"]+wantSofia)
	}
}

func maps(a, b map[string]int) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestAutoAssignmentWithTwoInstances: two servers over one PostgreSQL
// schema take 200 new dialogs at once, spread over both; nobody goes past
// their capacity.
func TestAutoAssignmentWithTwoInstances(t *testing.T) {
	for _, mode := range []inbox.AutoAssign{inbox.AutoAssignRoundRobin, inbox.AutoAssignLeastLoaded} {
		t.Run(string(mode), func(t *testing.T) {
			dsn := pgtest.Schema(t)
			var stores []store.Store
			for range 2 {
				s, err := sqlstore.OpenPostgres(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = s.Close() })
				stores = append(stores, s)
			}
			if err := seed.Demo(context.Background(), stores[0], time.Now()); err != nil {
				t.Fatal(err)
			}
			checkAutoAssignment(t, instances(t, stores), mode)
		})
	}
}

// TestAutoAssignmentOnSQLite is the same with one instance on SQLite.
func TestAutoAssignmentOnSQLite(t *testing.T) {
	for _, mode := range []inbox.AutoAssign{inbox.AutoAssignRoundRobin, inbox.AutoAssignLeastLoaded} {
		t.Run(string(mode), func(t *testing.T) {
			s, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "sb.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := seed.Demo(context.Background(), s, time.Now()); err != nil {
				t.Fatal(err)
			}
			checkAutoAssignment(t, instances(t, []store.Store{s}), mode)
		})
	}
}

// TestAdminTurnsOnAutoAssignment: a dialog waits in a line without
// auto-assignment; the admin gives Taras a capacity and the line
// round-robin, and the waiting dialog goes to Taras (online); a new one
// lands in his Mine at once.
func TestAdminTurnsOnAutoAssignment(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		admin := e.login("admin@demo.switchboard")
		_ = e.liveConn(e.login("taras@demo.switchboard"), 0)
		waitOnline(t, e.st, "op-taras")
		msg := func(id string) string {
			p, _ := json.Marshal(inbox.InboundMessage{ChannelID: "ch-webchat", ExternalID: id, Contact: inbox.InboundContact{ExternalID: "v-" + id}, Text: "hi " + id})
			res := e.ingest(IngestRequest{Events: []IngestEvent{{Type: "inbound.message", Payload: p}}})
			if !res.Results[0].OK {
				t.Fatalf("ingest = %+v", res.Results[0])
			}
			org, _ := e.st.Org(t.Context())
			pg, _ := e.st.Pull(t.Context(), viewerAll(org), 0, 100000)
			for _, c := range pg.Changes {
				var mm inbox.Message
				if c.Kind == wire.KindMessage && json.Unmarshal(c.Data, &mm) == nil && mm.Text == "hi "+id {
					return mm.DialogID
				}
			}
			t.Fatalf("message %s not stored", id)
			return ""
		}
		status := func(id string) string {
			d, err := e.st.Dialog(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			return string(d.Status) + " " + d.AssigneeID
		}
		waiting := msg("w1")
		if got := status(waiting); got != "unassigned " {
			t.Fatalf("without auto-assignment the dialog is %q", got)
		}
		code, body := e.call("PUT", "/api/v1/admin/operators/op-taras", admin, OperatorInput{Name: "Тарас Шевчук", Email: "taras@demo.switchboard", Role: inbox.RoleOperator, Active: true, Capacity: 5})
		if code != 200 {
			t.Fatalf("capacity = %d %s", code, body)
		}
		code, body = e.call("PUT", "/api/v1/admin/lines/line-support", admin, inbox.Line{Name: "Підтримка", OperatorGroupIDs: []string{"g-support"}, NameShown: inbox.ShowLineName, AutoAssign: inbox.AutoAssignRoundRobin})
		if code != 200 {
			t.Fatalf("line = %d %s", code, body)
		}
		for i := 0; status(waiting) != "in_progress op-taras"; i++ {
			if i > 500 {
				t.Fatalf("the waiting dialog is %q after the line turned round-robin", status(waiting))
			}
			time.Sleep(10 * time.Millisecond)
		}
		w2 := msg("w2")
		if got := status(w2); got != "in_progress op-taras" {
			t.Errorf("a new dialog is %q, want in Taras's Mine", got)
		}
		// Taras returns it to the queue: it waits for someone else rather
		// than coming straight back to him.
		if r := e.command(e.login("taras@demo.switchboard"), "dialog.return", map[string]string{"dialogId": w2}); !r.OK {
			t.Fatalf("return = %+v", r)
		}
		if got := status(w2); got != "unassigned " {
			t.Errorf("a dialog Taras returned is %q, want waiting", got)
		}
	})
}

// TestLinesToFill: the lines a batch's outcomes make worth a pass.
func TestLinesToFill(t *testing.T) {
	ops := []*inbox.Operator{{ID: "ann", Active: true}, {ID: "bob", Active: true}}
	groups := []*inbox.Group{{ID: "g1", MemberIDs: []string{"ann"}}, {ID: "g2", MemberIDs: []string{"ann", "bob"}}}
	lines := []*inbox.Line{
		{ID: "a", OperatorGroupIDs: []string{"g1"}, AutoAssign: inbox.AutoAssignRoundRobin},
		{ID: "b", OperatorGroupIDs: []string{"g2"}, AutoAssign: inbox.AutoAssignLeastLoaded},
		{ID: "c", OperatorGroupIDs: []string{"g2"}}, // off
		{ID: "d", OperatorGroupIDs: []string{"g2"}, AutoAssign: inbox.AutoAssignRoundRobin, Archived: true},
	}
	org := inbox.NewOrg(&inbox.Workspace{ID: "w"}, ops, nil, groups, lines, nil, nil)
	out := func(d *inbox.Dialog, evs ...*inbox.DialogEvent) []*inbox.Outcome {
		return []*inbox.Outcome{{Dialogs: []*inbox.Dialog{d}, Events: evs}}
	}
	tests := []struct {
		name    string
		touched []*inbox.Outcome
		sweep   bool
		want    []string
	}{
		{"nothing", nil, false, nil},
		{"a sweep: every auto-assigning line", nil, true, []string{"a", "b"}},
		{"a new dialog in a line that is off", out(&inbox.Dialog{LineID: "c"}), false, nil},
		{"a new dialog in an auto line", out(&inbox.Dialog{LineID: "a"}), false, []string{"a"}},
		{"bob closes a dialog in the off line: his auto lines", out(&inbox.Dialog{LineID: "c", AssigneeID: "bob"}), false, []string{"b"}},
		{"ann transfers from c to b: b, and ann's lines", out(&inbox.Dialog{LineID: "b"},
			&inbox.DialogEvent{Type: inbox.EvTransferred, ActorID: "ann", From: "c", To: "b"}), false, []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := linesToFill(org, tt.touched, tt.sweep); !slices.Equal(got, tt.want) {
			t.Errorf("%s: lines = %v, want %v", tt.name, got, tt.want)
		}
	}
}
