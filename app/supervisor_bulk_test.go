package app

import (
	"encoding/json"
	"slices"
	"testing"

	"switchboard/app/replica"
	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

func TestBulkActionsFollowTheRulesPerDialog(t *testing.T) {
	ts := synctest.New(t)
	seedSupervisor(ts)
	ts.Put(wire.KindDialog, "d4", &inbox.Dialog{ID: "d4", Number: 4, ClientID: "c1", LineID: "l2", Status: inbox.StatusUnassigned})
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "four dialogs", func() bool {
		p, _ := a.Supervisor.Table(TableRequest{})
		return p.Total == 4
	})

	// Forward to Bob: d1 and d4 move, d2 is already his, d3 is closed,
	// and a dialog the replica does not hold is refused like the server would.
	res, err := a.Supervisor.Bulk(BulkRequest{Action: "assign", OperatorID: "bob", DialogIDs: []string{"d1", "d2", "d3", "d4", "d1", "nope"}})
	if err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, r := range res.Refused {
		refused = append(refused, r.DialogID+":"+r.Code)
	}
	if res.Queued != 2 || res.Unchanged != 1 || !slices.Equal(refused, []string{"d3:dialog.closed", "nope:dialog.not_found"}) {
		t.Fatalf("Bulk(assign) = %+v, want 2 queued, 1 unchanged, d3 closed and nope not found", res)
	}
	if res.Refused[0].Number != 3 || res.Refused[0].Message == "" {
		t.Errorf("refusal of d3 = %+v, want its number and words", res.Refused[0])
	}
	// At once in the table (optimistic), then executed by the server.
	p, _ := a.Supervisor.Table(TableRequest{Filters: []replica.ColumnFilter{{Column: "operator", Values: []string{"bob"}}}})
	if p.Total != 4 {
		t.Errorf("Bob's dialogs right after the bulk forward = %d, want 4", p.Total)
	}
	waitFor(t, "the two dialog.assign commands executed", func() bool {
		var got []string
		for _, c := range ts.ExecutedCommands() {
			var body map[string]string
			_ = json.Unmarshal(c.Payload, &body)
			if c.Type == "dialog.assign" && body["operatorId"] == "bob" {
				got = append(got, body["dialogId"])
			}
		}
		slices.Sort(got)
		return slices.Equal(got, []string{"d1", "d4"})
	})

	// Forward to a line: d4 is on it already.
	res, err = a.Supervisor.Bulk(BulkRequest{Action: "transfer", LineID: "l2", DialogIDs: []string{"d1", "d4"}})
	if err != nil || res.Queued != 1 || len(res.Refused) != 1 || res.Refused[0].Code != "transfer.same_line" {
		t.Errorf("Bulk(transfer) = %+v, %v; want d1 moved, d4 refused as already there", res, err)
	}
	// Spam closes the active ones.
	res, err = a.Supervisor.Bulk(BulkRequest{Action: "spam", DialogIDs: []string{"d2", "d3"}})
	if err != nil || res.Queued != 1 || len(res.Refused) != 1 {
		t.Errorf("Bulk(spam) = %+v, %v; want d2 queued, d3 refused", res, err)
	}
	if p, _ := a.Supervisor.Table(TableRequest{Status: "spam"}); p.Total != 1 || p.Rows[0].ID != "d2" {
		t.Errorf("spam after the bulk action = %+v", p.Rows)
	}
	// Select all: the active dialogs the filter matches.
	ids, err := a.Supervisor.SelectOpen(TableRequest{LineID: "l2"})
	if err != nil || !slices.Equal(ids, []string{"d4", "d1"}) {
		t.Errorf("SelectOpen(line l2) = %v, %v; want d4 d1", ids, err)
	}

	for _, bad := range []BulkRequest{
		{Action: "reopen", DialogIDs: []string{"d1"}},
		{Action: "assign", DialogIDs: []string{"d1"}},
		{Action: "transfer", DialogIDs: []string{"d1"}},
		{Action: "close"},
		{Action: "close", DialogIDs: make([]string, MaxBulk+1)},
	} {
		if _, err := a.Supervisor.Bulk(bad); codeOf(err) != CodeBadInput {
			t.Errorf("Bulk(%s, %d dialogs) = %v, want %s", bad.Action, len(bad.DialogIDs), err, CodeBadInput)
		}
	}
}
