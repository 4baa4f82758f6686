package replica

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestABlacklistedClientsDialogsLeaveEveryTabButBlacklist(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	flag := func(d *inbox.Dialog) { d.ClientBlacklisted = true; d.AssigneeID = "me" }
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "mine", dialog("mine", inbox.StatusInProgress, flag)).
		put(wire.KindDialog, "snoozed", dialog("snoozed", inbox.StatusSnoozed, flag)).
		put(wire.KindDialog, "queued", dialog("queued", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientBlacklisted = true })).
		put(wire.KindDialog, "fine", dialog("fine", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "me"; d.Unread = 1 })).list)
	counts, err := rp.Counts(ctx, "me")
	if err != nil {
		t.Fatal(err)
	}
	want := map[Tab][]string{TabMine: {"fine"}, TabSnoozed: {}, TabUnassigned: {}, TabAll: {"fine"}, TabBlacklist: {"mine", "queued", "snoozed"}}
	for tab, w := range want {
		items, total, err := rp.ListDialogs(ctx, "me", ListQuery{Tab: tab, LineID: "l1"})
		if err != nil {
			t.Fatal(err)
		}
		got := ids(items)
		slices.Sort(got)
		if len(got) != len(w) || total != len(w) || counts[tab] != len(w) {
			t.Errorf("%s = %v (total %d, counter %d), want %v", tab, got, total, counts[tab], w)
			continue
		}
		for i := range w {
			if got[i] != w[i] {
				t.Errorf("%s = %v, want %v", tab, got, w)
			}
		}
	}
	lines, err := rp.LineCounts(ctx, "me")
	if err != nil {
		t.Fatal(err)
	}
	if lc := lines["l1"]; lc.UnreadMine != 1 || lc.Unassigned != 0 {
		t.Errorf("line counters = %+v, want only the fine dialog's unread", lc)
	}
}

func TestARejectedBlacklistRollsBackTheClientAndItsDialogs(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	client := &inbox.Client{ID: "c-d1", OriginalName: "Мария"}
	mustApply(t, rp, newChanges(t, 1).put(wire.KindClient, "c-d1", client).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID = "me" })).
		put(wire.KindDialog, "d2", dialog("d2", inbox.StatusClosed, func(d *inbox.Dialog) { d.ClientID = "c-d1" })).list)
	black := *client
	black.Blacklisted = true
	var others []*inbox.Dialog
	for _, id := range []string{"d1", "d2"} {
		d, _ := rp.Dialog(ctx, id)
		d.ClientBlacklisted = true
		others = append(others, d)
	}
	cmd := wire.CommandEnvelope{ID: "bl1", Type: "client.blacklist", Payload: json.RawMessage(`{"clientId":"c-d1","on":true}`)}
	if err := rp.Enqueue(ctx, cmd, Optimistic{Dialog: others[0], Others: others[1:], Client: &black}); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabBlacklist}); len(items) != 2 {
		t.Fatalf("Blacklist after the optimistic change = %v, want d1 d2", ids(items))
	}
	if card, _ := rp.Client(ctx, "c-d1"); !card.Client.Blacklisted {
		t.Fatalf("client not blacklisted at once")
	}
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "bl1", Code: "client.blacklist_forbidden"}); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabBlacklist}); len(items) != 0 {
		t.Errorf("Blacklist after the refusal = %v, want empty", ids(items))
	}
	if card, _ := rp.Client(ctx, "c-d1"); card.Client.Blacklisted {
		t.Errorf("client still blacklisted after the refusal")
	}
}

func TestARollbackKeepsAClientTheServerChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	client := &inbox.Client{ID: "c1", OriginalName: "Мария"}
	mustApply(t, rp, newChanges(t, 1).put(wire.KindClient, "c1", client).list)
	pinned := *client
	pinned.PinnedOperatorID = "me"
	cmd := wire.CommandEnvelope{ID: "pin1", Type: "client.pin", Payload: json.RawMessage(`{"clientId":"c1","operatorId":"me"}`)}
	if err := rp.Enqueue(ctx, cmd, Optimistic{Client: &pinned}); err != nil {
		t.Fatal(err)
	}
	renamed := *client
	renamed.DisplayName, renamed.PinnedOperatorID = "Мария (VIP)", "anna"
	mustApply(t, rp, newChanges(t, 2).put(wire.KindClient, "c1", &renamed).list)
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "pin1", Code: "client.pinned_to_other"}); err != nil {
		t.Fatal(err)
	}
	card, _ := rp.Client(ctx, "c1")
	if card.Client.Name() != "Мария (VIP)" || card.Client.PinnedOperatorID != "anna" {
		t.Errorf("client after the rollback = %+v, want the server's newer version", card.Client)
	}
}

func TestARejectedOutgoingDialogDisappears(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	cl := &inbox.Client{ID: "c-new", OriginalName: "+380 50 123 45 67"}
	d := dialog("out1", inbox.StatusInProgress, func(d *inbox.Dialog) { d.AssigneeID, d.ClientID, d.Outgoing = "me", "c-new", true })
	m := &inbox.Message{ID: "m-out1", DialogID: "out1", Kind: inbox.MsgOutbound, AuthorID: "me", Text: "Ваш заказ готов", CreatedAt: t0}
	cmd := wire.CommandEnvelope{ID: "start1", Type: "dialog.start", Payload: json.RawMessage(`{}`)}
	if err := rp.Enqueue(ctx, cmd, Optimistic{Dialog: d, Message: m, Client: cl}); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := rp.ListDialogs(ctx, "me", ListQuery{Tab: TabMine}); len(items) != 1 {
		t.Fatalf("Mine after starting = %v, want out1", ids(items))
	}
	if _, err := rp.Resolve(ctx, wire.CommandResult{ID: "start1", Code: "channel.no_start_by_phone"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rp.Dialog(ctx, "out1"); err == nil {
		t.Errorf("the refused outgoing dialog is still in the replica")
	}
	if h, _ := rp.History(ctx, "out1", 0, 10); len(h.Messages) != 0 {
		t.Errorf("its message is still there")
	}
	if hits, _ := rp.SearchClients(ctx, "380", 10); len(hits) != 0 {
		t.Errorf("the client made for it is still there: %+v", hits)
	}
	counts, _ := rp.Counts(ctx, "me")
	if counts[TabMine] != 0 {
		t.Errorf("Mine counter = %d, want 0", counts[TabMine])
	}
}
