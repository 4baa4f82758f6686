package app

import (
	"slices"
	"testing"
	"time"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

// seedSupervisor makes the signed-in person a supervisor with three
// dialogs on two lines.
func seedSupervisor(ts *synctest.Server) {
	for _, r := range inbox.DefaultRoles() {
		ts.Put(wire.KindRole, r.ID, r)
	}
	ts.Put(wire.KindOperator, "anna", &inbox.Operator{ID: "anna", Name: "Anna", Role: inbox.RoleSupervisor, Active: true, Capacity: 5})
	ts.Put(wire.KindOperator, "bob", &inbox.Operator{ID: "bob", Name: "Bob", Role: inbox.RoleOperator, Active: true})
	ts.Put(wire.KindLine, "l1", &inbox.Line{ID: "l1", Name: "Sales"})
	ts.Put(wire.KindLine, "l2", &inbox.Line{ID: "l2", Name: "Accounts"})
	ts.Put(wire.KindClient, "c1", &inbox.Client{ID: "c1", OriginalName: "Оксана"})
	t0 := time.Now().Add(-time.Hour)
	ts.Put(wire.KindDialog, "d1", &inbox.Dialog{ID: "d1", Number: 1, ClientID: "c1", LineID: "l1", Status: inbox.StatusUnassigned, CreatedAt: t0, QueuedAt: t0})
	ts.Put(wire.KindDialog, "d2", &inbox.Dialog{ID: "d2", Number: 2, ClientID: "c1", LineID: "l2", Status: inbox.StatusInProgress, AssigneeID: "bob",
		CreatedAt: t0, StartedAt: t0.Add(time.Minute), FirstAnswerAt: t0.Add(3 * time.Minute),
		Responses: inbox.ResponseStats{Count: 2, TotalMs: 300_000, MaxMs: 200_000, BusinessTotalMs: 300_000, BusinessMaxMs: 200_000}})
	ts.Put(wire.KindDialog, "d3", &inbox.Dialog{ID: "d3", Number: 3, ClientID: "c1", LineID: "l1", Status: inbox.StatusClosed, AssigneeID: "bob",
		CreatedAt: t0, StartedAt: t0, FirstAnswerAt: t0.Add(time.Minute), ClosedAt: t0.Add(10 * time.Minute)})
}

func TestTheSupervisorsTableFloorAndAccess(t *testing.T) {
	ts := synctest.New(t)
	seedSupervisor(ts)
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "three dialogs", func() bool {
		p, _ := a.Supervisor.Table(TableRequest{})
		return p.Total == 3
	})
	acc, err := a.Supervisor.Access()
	if err != nil || !acc.Table || !acc.Reports || acc.Users || acc.Channels {
		t.Errorf("Access() = %+v, %v; want table and reports only", acc, err)
	}
	p, err := a.Supervisor.Table(TableRequest{Sort: "line", Desc: false})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range p.Rows {
		got = append(got, r.LineName)
	}
	if !slices.Equal(got, []string{"Accounts", "Sales", "Sales"}) {
		t.Errorf("sorted by line = %v", got)
	}
	d2 := p.Rows[0]
	if d2.OperatorName != "Bob" || d2.FirstResponse != 3*60_000 || d2.Handling != -1 || d2.ClientName != "Оксана" {
		t.Errorf("row of d2 = %+v; want Bob, first response 3 min, handling not yet", d2)
	}
	if d2.ResponseTotal != 300_000 || d2.ResponseAvg != 150_000 || d2.ResponseMax != 200_000 || p.Rows[1].ResponseTotal != -1 {
		t.Errorf("response times of d2 = %d/%d/%d, of d1 %d; want 5 min, 2.5 min, 3⅓ min and none",
			d2.ResponseTotal, d2.ResponseAvg, d2.ResponseMax, p.Rows[1].ResponseTotal)
	}
	if p, _ := a.Supervisor.Table(TableRequest{OperatorID: "-"}); p.Total != 1 || p.Rows[0].ID != "d1" {
		t.Errorf("nobody's dialogs = %+v, want d1", p.Rows)
	}
	if _, err := a.Supervisor.Table(TableRequest{Sort: "data"}); codeOf(err) != CodeBadInput {
		t.Errorf("Table(sort by data) = %v, want %s", err, CodeBadInput)
	}
	floor, err := a.Supervisor.Floor()
	if err != nil {
		t.Fatal(err)
	}
	if len(floor.Lines) != 2 || floor.Lines[1].Name != "Sales" || floor.Lines[1].Unassigned != 1 || floor.Lines[1].OldestQueuedAt == 0 {
		t.Errorf("floor lines = %+v", floor.Lines)
	}
	if len(floor.Operators) != 2 || floor.Operators[1].Name != "Bob" || floor.Operators[1].InProgress != 1 {
		t.Errorf("floor operators = %+v", floor.Operators)
	}
}

func TestTableSettingsAreCheckedAndSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	a, _ := startAppIn(t, dir, &memTokens{})
	def, err := a.Supervisor.TableSettings()
	if err != nil || def.Sort != "number" || len(def.Columns) == 0 {
		t.Fatalf("defaults = %+v, %v", def, err)
	}
	want := TableSettings{Columns: []string{"operator", "number", "firstResponse"}, Sort: "firstResponse", Desc: true}
	if _, err := a.Supervisor.SaveTableSettings(want); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []TableSettings{
		{Columns: []string{"number", "number"}, Sort: "number"},
		{Columns: []string{"password"}, Sort: "number"},
		{Columns: []string{"tags"}, Sort: "tags"},
		{Sort: "number"},
	} {
		if _, err := a.Supervisor.SaveTableSettings(bad); codeOf(err) != CodeBadInput {
			t.Errorf("SaveTableSettings(%+v) = %v, want %s", bad, err, CodeBadInput)
		}
	}
	a.core.stop()
	b, _ := startAppIn(t, dir, &memTokens{})
	got, err := b.Supervisor.TableSettings()
	if err != nil || !slices.Equal(got.Columns, want.Columns) || got.Sort != want.Sort || !got.Desc {
		t.Errorf("after a restart = %+v, %v; want %+v", got, err, want)
	}
}

func TestAnOperatorHasNoConsole(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	for _, r := range inbox.DefaultRoles() {
		ts.Put(wire.KindRole, r.ID, r)
	}
	a, _ := startApp(t)
	signIn(t, a, ts)
	acc, err := a.Supervisor.Access()
	if err != nil || acc.Any() {
		t.Errorf("Access() for an operator = %+v, %v; want nothing", acc, err)
	}
	if _, err := a.Supervisor.Table(TableRequest{}); codeOf(err) != CodeForbidden {
		t.Errorf("Table() for an operator = %v, want %s", err, CodeForbidden)
	}
	if _, err := a.Supervisor.Report(0, 1, "line", ""); codeOf(err) != CodeForbidden {
		t.Errorf("Report() for an operator = %v, want %s", err, CodeForbidden)
	}
	if _, err := a.Supervisor.Analytics(AnalyticsRequest{From: 0, To: 1}); codeOf(err) != CodeForbidden {
		t.Errorf("Analytics() for an operator = %v, want %s", err, CodeForbidden)
	}
}
