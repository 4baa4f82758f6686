package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

// TestIngestBatchRoutesLikeOneByOne posts one batch in which new and known
// customers write several times, one event repeats, and a known customer's
// dialog is reopened: the batch path (prefetched lookups, buffered writes)
// must route exactly like single messages would.
func TestIngestBatchRoutesLikeOneByOne(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		ev := func(id, contact, ch string) IngestEvent {
			p, _ := json.Marshal(inbox.InboundMessage{ChannelID: ch, ExternalID: id, Contact: inbox.InboundContact{ExternalID: contact}, Text: "msg " + id})
			return IngestEvent{ID: "ev-" + id, Type: "inbound.message", Payload: p}
		}
		var req IngestRequest
		for i := range 30 {
			// three new customers, ten messages each, interleaved
			req.Events = append(req.Events, ev(fmt.Sprintf("n%d", i), fmt.Sprintf("new-%d", i%3), "ch-telegram"))
		}
		req.Events = append(req.Events,
			ev("k1", "@maria_iv", "ch-telegram"), // Мария's open dialog dl-demo-01
			ev("k2", "@maria_iv", "ch-telegram"), // again
			ev("k1", "@maria_iv", "ch-telegram"), // redelivered inside the batch
			ev("p1", "@pavel_s", "ch-telegram"),  // Павел's closed dl-demo-07: reopened (closed minutes ago)
			ev("w1", "@maria_iv", "ch-whatsapp"), // same handle on another channel: another client
		)
		res := e.ingest(req)
		for i, r := range res.Results {
			if !r.OK {
				t.Fatalf("event %d = %+v", i, r)
			}
		}
		ctx := t.Context()
		org, _ := e.st.Org(ctx)
		p, err := e.st.Pull(ctx, viewerAll(org), 0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		dialogsOf := map[string]map[string]bool{} // client -> dialogs
		msgs := 0
		for _, c := range p.Changes {
			if c.Kind != wire.KindMessage || c.Op != wire.OpPut {
				continue
			}
			var m inbox.Message
			_ = json.Unmarshal(c.Data, &m)
			if m.Kind != inbox.MsgInbound {
				continue
			}
			msgs++
			if !strings.HasPrefix(m.Text, "msg ") {
				continue // seeded: a demo client may have dialogs on two channels
			}
			if dialogsOf[m.ClientID] == nil {
				dialogsOf[m.ClientID] = map[string]bool{}
			}
			dialogsOf[m.ClientID][m.DialogID] = true
		}
		seeded := 0
		for _, dd := range []int{2, 2, 2, 2, 1, 1, 2, 1, 1, 1, 1} {
			seeded += dd
		}
		if want := seeded + 30 + 4; msgs != want {
			t.Errorf("%d inbound messages stored, want %d (the repeat stored once)", msgs, want)
		}
		for client, ds := range dialogsOf {
			if len(ds) != 1 {
				t.Errorf("client %s has messages in %d dialogs, want 1", client, len(ds))
			}
		}
		if !dialogsOf["cl-demo-01"]["dl-demo-01"] {
			t.Errorf("Мария's messages did not go to her open dialog")
		}
		if d, _ := e.st.Dialog(ctx, "dl-demo-07"); d.Status == inbox.StatusClosed || d.Unread != 1 {
			t.Errorf("Павел's closed dialog = %s with %d unread, want reopened with 1", d.Status, d.Unread)
		}
		if d, _ := e.st.Dialog(ctx, "dl-demo-01"); d.Unread != 4 {
			t.Errorf("dl-demo-01 unread = %d, want 4 (2 seeded + 2 new)", d.Unread)
		}
	})
}
