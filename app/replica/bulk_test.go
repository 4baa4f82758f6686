package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// bulkFeed is a change feed as a server could send it, with everything the
// bulk path has to get right: a dialog's status, assignee and tags moving
// back and forth (the counters' and tags' triggers), the same entity put
// twice in a page, messages before their dialog, edits, deleted texts,
// deletes of every kind (a dialog's delete takes its messages, then some
// come back), org rows, notes, tasks, templates, a stale resync, and pages
// that overlap (a page pulled twice).
func bulkFeed(t *testing.T, seed uint64) []wire.Change {
	r := rand.New(rand.NewPCG(seed, 7))
	c := newChanges(t, 1)
	c.put(wire.KindLine, "l1", &inbox.Line{ID: "l1", Name: "Line 1"})
	c.put(wire.KindTag, "vip", &inbox.Tag{ID: "vip", Name: "VIP"})
	statuses := []inbox.Status{inbox.StatusUnassigned, inbox.StatusInProgress, inbox.StatusClosed}
	words := []string{"оплата", "доставка", "замовлення", "refund", "йогурт", "счёт", ""}
	const nd = 40
	for step := range 1500 {
		n := r.IntN(nd)
		did, cid := fmt.Sprintf("d%d", n), fmt.Sprintf("c%d", n)
		at := t0.Add(time.Duration(step) * time.Second)
		if step == 710 {
			c.list = append(c.list, resyncChange(c.next))
			c.next++
			continue
		}
		switch k := r.IntN(100); {
		case k < 10:
			c.put(wire.KindClient, cid, &inbox.Client{ID: cid, OriginalName: fmt.Sprintf("Клиент %s %d", words[r.IntN(len(words))], r.IntN(3)),
				Blacklisted: r.IntN(5) == 0, Contacts: []inbox.Contact{{ChannelID: "ch1", Kind: inbox.KindTelegram, ExternalID: "@" + cid}}})
		case k < 30:
			d := dialog(did, statuses[r.IntN(3)], func(d *inbox.Dialog) {
				d.ClientID, d.LastMessageAt = cid, at
				d.AssigneeID = []string{"", "anna", "boris"}[r.IntN(3)]
				if d.Status == inbox.StatusClosed {
					d.ClosedByID, d.ClosedAt = d.AssigneeID, at
				}
				d.ClientBlacklisted = r.IntN(6) == 0
				if r.IntN(3) == 0 {
					d.Tags = []string{"vip", "vip", "late"}[:1+r.IntN(3)]
				}
				d.Unread = r.IntN(3)
			})
			c.put(wire.KindDialog, did, d)
			if r.IntN(4) == 0 { // the same put again in the page
				c.put(wire.KindDialog, did, d)
			}
		case k < 70:
			mid := fmt.Sprintf("m%d-%d", n, r.IntN(12))
			m := message(mid, did, words[r.IntN(len(words))]+" "+words[r.IntN(len(words))], at)
			m.ClientID = cid
			if r.IntN(4) == 0 {
				m.Tags = []string{"vip", "", "vip", "urgent"}[:1+r.IntN(4)]
			}
			if r.IntN(10) == 0 {
				m.DeletedAt = at
			}
			c.put(wire.KindMessage, mid, m)
		case k < 78:
			c.put(wire.KindEvent, fmt.Sprintf("e%d-%d", n, r.IntN(5)),
				&inbox.DialogEvent{ID: fmt.Sprintf("e%d-%d", n, r.IntN(5)), DialogID: did, Type: "assigned", To: "anna", At: at})
		case k < 81:
			c.put(wire.KindNote, fmt.Sprintf("n%d", n), &inbox.ClientNote{ID: fmt.Sprintf("n%d", n), ClientID: cid, Text: "заметка", CreatedAt: at})
		case k < 84:
			c.put(wire.KindTask, fmt.Sprintf("t%d", n), &inbox.ClientTask{ID: fmt.Sprintf("t%d", n), ClientID: cid, AssigneeID: "anna", DueAt: at})
		case k < 86:
			c.put(wire.KindTemplate, fmt.Sprintf("tp%d", n%3), &inbox.Template{ID: fmt.Sprintf("tp%d", n%3), Title: "hi", Text: words[r.IntN(len(words))]})
		case k < 90:
			c.del(wire.KindMessage, fmt.Sprintf("m%d-%d", n, r.IntN(12)))
		case k < 92:
			c.del(wire.KindDialog, did)
		case k < 94:
			c.del(wire.KindClient, cid)
		case k < 95:
			c.del(wire.KindEvent, fmt.Sprintf("e%d-%d", n, r.IntN(5)))
		case k < 96:
			c.del([]wire.Kind{wire.KindNote, wire.KindTask, wire.KindTemplate, wire.KindLine}[r.IntN(4)], fmt.Sprintf("n%d", n))
		default:
			c.put(wire.KindLine, "l1", &inbox.Line{ID: "l1", Name: fmt.Sprintf("Line %d", step)})
		}
	}
	return c.list
}

// pages cuts feed into pages of random sizes, some overlapping the one
// before (a page pulled twice).
func pages(feed []wire.Change, seed uint64) [][]wire.Change {
	r := rand.New(rand.NewPCG(seed, 11))
	var out [][]wire.Change
	for lo := 0; lo < len(feed); {
		hi := min(len(feed), lo+bulkMin+r.IntN(300))
		from := lo
		if r.IntN(4) == 0 {
			from = max(0, lo-r.IntN(40))
		}
		out = append(out, feed[from:hi])
		lo = hi
	}
	return out
}

// The bulk path leaves exactly the replica the change-by-change path
// leaves, table by table, and reports the same Applied for every page:
// during a pull from 0 (search filled at its end) and on a replica that
// already holds data (search kept as it goes, a resync resetting it).
func TestBulkApplyLeavesTheSameReplicaAsChangeByChange(t *testing.T) {
	ctx := context.Background()
	for _, bootstrap := range []bool{true, false} {
		for seed := range uint64(3) {
			t.Run(fmt.Sprintf("bootstrap=%v/seed=%d", bootstrap, seed), func(t *testing.T) {
				feed := bulkFeed(t, seed)
				each, bulk := openTemp(t), openTemp(t)
				if !bootstrap {
					// A replica that holds data already: the feed's first
					// stretch, applied change by change to both.
					for _, rp := range []*Replica{each, bulk} {
						if _, err := rp.apply(ctx, feed[:200], false); err != nil {
							t.Fatal(err)
						}
					}
				} else {
					for _, rp := range []*Replica{each, bulk} {
						// The resync in the feed's middle is older than the pull.
						if err := rp.Baseline(ctx, feed[len(feed)-1].Seq); err != nil {
							t.Fatal(err)
						}
					}
				}
				resets := 0
				for i, p := range pages(feed, seed) {
					a1, err1 := each.apply(ctx, p, false)
					a2, err2 := bulk.apply(ctx, p, true)
					if err1 != nil || err2 != nil {
						t.Fatalf("page %d: change by change: %v; bulk: %v", i, err1, err2)
					}
					if !reflect.DeepEqual(a1, a2) {
						t.Fatalf("page %d: Applied differs:\nchange by change %s\nbulk             %s", i, appliedString(a1), appliedString(a2))
					}
					if a1.Reset {
						resets++
					}
					if a1.Reset && bootstrap {
						for _, rp := range []*Replica{each, bulk} {
							if err := rp.Baseline(ctx, feed[len(feed)-1].Seq); err != nil {
								t.Fatal(err)
							}
						}
					}
				}
				if want := map[bool]int{true: 0, false: 1}[bootstrap]; resets != want {
					t.Errorf("%d resets, want %d (the feed's resync is stale in a pull from 0)", resets, want)
				}
				for _, rp := range []*Replica{each, bulk} {
					finishPull(t, rp)
				}
				compareReplicas(t, each, bulk)
			})
		}
	}
}

func appliedString(a Applied) string {
	b, _ := json.Marshal(a)
	return string(b)
}

// compareReplicas fails unless every table of a and b (the search indexes
// by their rows, not their b-tree segments) holds the same rows.
func compareReplicas(t *testing.T, a, b *Replica) {
	t.Helper()
	ctx := context.Background()
	rows, err := a.r.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%\_fts\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 15 {
		t.Fatalf("tables = %v, want every table of the replica", tables)
	}
	total := 0
	for _, table := range tables {
		q := `SELECT rowid, * FROM ` + table
		if strings.HasSuffix(table, "_tags") || strings.HasSuffix(table, "_counts") {
			q = `SELECT * FROM ` + table // WITHOUT ROWID
		}
		if table == "meta" {
			// Whether the merger has merged the search index into one
			// yet is its own pace's doing.
			q += ` WHERE key <> '` + metaSearchWhole + `'`
		}
		ra, rb := dump(t, a.r, q), dump(t, b.r, q)
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("table %s differs:\nchange by change %d rows: %v\nbulk             %d rows: %v", table, len(ra), ra, len(rb), rb)
		}
		total += len(ra)
	}
	if total < 100 {
		t.Errorf("the replicas hold %d rows in all: the feed should have left more", total)
	}
	// The search indexes are contentless: what they hold shows in what
	// they find.
	found := 0
	for _, q := range []struct{ table, word string }{{"messages_fts", "опла"}, {"messages_fts", "доставка"}, {"messages_fts", "замов"},
		{"messages_fts", "refund"}, {"messages_fts", "иогу"}, {"messages_fts", "счет"}, {"clients_fts", "клиент"}, {"clients_fts", "c1"}} {
		q := `SELECT rowid FROM ` + q.table + ` WHERE ` + q.table + ` MATCH '"` + q.word + `"*'`
		ra, rb := dump(t, a.r, q), dump(t, b.r, q)
		if !reflect.DeepEqual(ra, rb) {
			t.Errorf("%s finds different rows:\nchange by change %v\nbulk             %v", q, ra, rb)
		}
		found += len(ra)
	}
	if found < 20 {
		t.Errorf("the search indexes found %d rows in all: the feed should have left more", found)
	}
}

func dump(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%q", vals))
	}
	slices.Sort(out)
	return out
}
