package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/wire"
)

// countingStore counts the hub's reads of the change log and of the org.
type countingStore struct {
	store.Store
	reads, orgReads atomic.Int64
}

func (c *countingStore) Org(ctx context.Context) (*inbox.Org, error) {
	c.orgReads.Add(1)
	return c.Store.Org(ctx)
}

func (c *countingStore) ChangesAfter(ctx context.Context, after int64, limit int) ([]store.Logged, error) {
	c.reads.Add(1)
	return c.Store.ChangesAfter(ctx, after, limit)
}

// TestTheHubSendsWhatAWriteHandsOver: inbound messages reach a live
// subscriber in order, each once, without the hub reading back what the
// write that stored them handed it; a transfer, which moves log entries
// the write did not log, is read from the log and still arrives.
func TestTheHubSendsWhatAWriteHandsOver(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st := &countingStore{Store: b.open(t)}
			if err := seed.Demo(context.Background(), st, time.Now()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			e := serve(t, Config{Store: st, HostKey: "host-secret"}, time.Now())
			sofia := e.login("sofia@demo.switchboard")
			head, _ := st.Head(t.Context())
			c := e.liveConn(sofia, head)
			time.Sleep(50 * time.Millisecond) // joined before the writes
			reads0, orgReads0 := st.reads.Load(), st.orgReads.Load()
			var seqs []int64
			for i := range 10 {
				res := e.ingest(IngestRequest{Events: []IngestEvent{{Type: "inbound.message", Payload: json.RawMessage(fmt.Sprintf(
					`{"channelId":"ch-telegram","externalId":"h-%d","contact":{"externalId":"@hand_%d"},"text":"передано %d"}`, i, i%3, i))}}})
				if !res.Results[0].OK {
					t.Fatalf("ingest %d = %+v", i, res.Results[0])
				}
				seqs = append(seqs, res.Results[0].Seq)
			}
			got := map[string]int{}
			last := int64(0)
			for len(got) < 10 {
				f := waitFrame(t, c, "the inbound messages", func(f wire.Frame) bool { return f.Type == wire.FrameChanges })
				for _, ch := range f.Changes {
					if ch.Seq <= last {
						t.Errorf("change %d came after %d", ch.Seq, last)
					}
					last = ch.Seq
					if ch.Kind == wire.KindMessage {
						got[ch.ID]++
					}
				}
			}
			for id, n := range got {
				if n != 1 {
					t.Errorf("message %s came %d times", id, n)
				}
			}
			if n := st.reads.Load() - reads0; n > 0 {
				t.Errorf("the hub read the log %d times for writes that handed their changes over", n)
			}
			// Nor the org: the writes handed the one they committed with.
			if n := st.orgReads.Load() - orgReads0; n > 0 {
				t.Errorf("the org was read %d times for writes that handed their changes over", n)
			}
			// A transfer restamps the dialog's messages: read from the log.
			d, err := st.ContactDialog(t.Context(), "ch-telegram", "@hand_0")
			if err != nil {
				t.Fatal(err)
			}
			e.command(sofia, "dialog.take", map[string]string{"dialogId": d.ID})
			if r := e.command(sofia, "dialog.transfer", map[string]string{"dialogId": d.ID, "lineId": "line-support"}); !r.OK {
				t.Fatalf("transfer = %+v", r)
			}
			waitFrame(t, c, "the transferred dialog", func(f wire.Frame) bool {
				for _, ch := range f.Changes {
					if ch.Kind == wire.KindDialog && ch.ID == d.ID && ch.Op == wire.OpPut && ch.Seq > seqs[9] {
						var v struct{ LineID string }
						_ = json.Unmarshal(ch.Data, &v)
						return v.LineID == "line-support"
					}
				}
				return false
			})
		})
	}
}
