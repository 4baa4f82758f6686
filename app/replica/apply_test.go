package replica

import (
	"context"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestApplyReportsWhatEachDialogAndMessageWasBefore(t *testing.T) {
	rp := openTemp(t)
	first := mustApply(t, rp, newChanges(t, 1).
		put(wire.KindClient, "c-d1", &inbox.Client{ID: "c-d1", OriginalName: "Оксана"}).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned)).
		put(wire.KindMessage, "m1", message("m1", "d1", "привіт", t0)).list)
	if len(first.Dialogs) != 1 || first.Dialogs[0].Before.Exists || first.Dialogs[0].After.ID != "d1" {
		t.Errorf("first batch Dialogs = %+v, want d1 new to the replica", first.Dialogs)
	}
	if len(first.Messages) != 1 || !first.Messages[0].New {
		t.Errorf("first batch Messages = %+v, want m1 new", first.Messages)
	}

	taken := dialog("d1", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "anna" })
	edited := message("m1", "d1", "привіт!", t0)
	second := mustApply(t, rp, newChanges(t, 4).
		put(wire.KindDialog, "d1", taken).
		put(wire.KindMessage, "m1", edited).
		put(wire.KindMessage, "m2", message("m2", "d1", "є хтось?", t0)).list)
	want := DialogHead{Exists: true, Status: inbox.StatusUnassigned, LineID: "l1"}
	if len(second.Dialogs) != 1 || second.Dialogs[0].Before != want || second.Dialogs[0].After.AssigneeID != "anna" {
		t.Errorf("second batch Dialogs = %+v, want before %+v and after assigned to anna", second.Dialogs, want)
	}
	if len(second.Messages) != 2 || second.Messages[0].New || !second.Messages[1].New {
		t.Errorf("second batch Messages = %+v, want m1 known (an edit) and m2 new", second.Messages)
	}
	// The edit reached the search index, the old text left it.
	hits, err := rp.Search(context.Background(), "привіт!", 10)
	if err != nil || len(hits) != 1 {
		t.Errorf("Search after the edit = %v, %v; want one hit", hits, err)
	}
	if name, err := rp.ClientName(context.Background(), "c-d1"); name != "Оксана" || err != nil {
		t.Errorf("ClientName = %q, %v; want Оксана", name, err)
	}
	if name, err := rp.ClientName(context.Background(), "nobody"); name != "" || err != nil {
		t.Errorf("ClientName of an unknown client = %q, %v; want empty", name, err)
	}
}
