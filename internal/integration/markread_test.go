package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/server"
	"switchboard/wire"
)

// post sends body to the server and decodes the answer into out.
func post(t *testing.T, url, auth string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Authorization", auth)
	req.Header.Set(wire.ProtocolHeader, "1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// "Mark all as read" over a thousand dialogs is a thousand dialog.read
// commands through the outbox, as when the operator marks one: queued in
// one transaction, pushed in the client's batches, each accepted by the
// real server. The test logs how long each part took (the figures in
// bench/README.md); it asserts only that every dialog ends up read.
func TestMarkingAThousandDialogsReadReachesTheServer(t *testing.T) {
	const n = 1000
	base := teamServer(t)
	var events []server.IngestEvent
	for i := range n {
		payload, _ := json.Marshal(map[string]any{"channelId": "ch-email", "externalId": fmt.Sprintf("bulk-%d", i),
			"contact": map[string]string{"externalId": fmt.Sprintf("bulk-%d@example.com", i), "name": fmt.Sprintf("Клиент %d", i)},
			"text":    "Где мой заказ?"})
		events = append(events, server.IngestEvent{Type: "inbound.message", Payload: payload})
	}
	var ingested struct{ Results []wire.CommandResult }
	post(t, base+"/api/v1/ingest", "Host "+hostKey, server.IngestRequest{Events: events}, &ingested)

	rp, sk := desktop(t, base, "anna@demo.switchboard")
	ctx := context.Background()
	unread := func() []inbox.Dialog {
		ds, err := rp.UnreadDialogs(ctx, "op-anna", replica.TabUnassigned)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	eventually(t, "the thousand dialogs reaching anna", sk, func() bool { return len(unread()) >= n })

	start := time.Now()
	ds := unread()
	var cmds []replica.Queued
	for i := range ds {
		d := ds[i].Clone()
		d.Unread = 0
		payload, _ := json.Marshal(map[string]string{"dialogId": d.ID})
		cmds = append(cmds, replica.Queued{Command: wire.CommandEnvelope{ID: fmt.Sprintf("read-%d", i), Type: "dialog.read", Payload: payload},
			Change: replica.Optimistic{Dialog: d}})
	}
	if err := rp.EnqueueAll(ctx, cmds); err != nil {
		t.Fatal(err)
	}
	queuedIn := time.Since(start)
	if left := unread(); len(left) != 0 {
		t.Fatalf("%d dialogs still unread right after EnqueueAll, want none", len(left))
	}
	pushStart := time.Now()
	if err := sk.cl.Push(ctx); err != nil {
		t.Fatalf("Push: %v", err)
	}
	pushedIn := time.Since(pushStart)
	t.Logf("%d dialogs: read in the replica after %v (query + one transaction), every command answered by the server after %v more",
		len(ds), queuedIn, pushedIn)

	out, err := rp.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, e := range out {
		if e.State != replica.OutboxSent {
			t.Errorf("command %s for %s: %s %s %s, want sent", e.ID, e.DialogID, e.State, e.Code, e.Message)
		} else {
			sent++
		}
	}
	if sent != len(ds) {
		t.Errorf("%d commands sent, want %d", sent, len(ds))
	}
	// The server's own versions come back over the live feed: still read.
	eventually(t, "the server's read dialogs", sk, func() bool {
		d, err := rp.Dialog(ctx, ds[len(ds)-1].ID)
		return err == nil && d.Unread == 0 && len(unread()) == 0
	})
}
