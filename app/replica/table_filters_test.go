package replica

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/wire"
)

func TestTableColumnFilters(t *testing.T) {
	rp := tableFixture(t)
	ctx := context.Background()
	// d2 carries two tags, d5 one; d1 has a supervisor's comment.
	d2, err := rp.Dialog(ctx, "d2")
	if err != nil {
		t.Fatal(err)
	}
	d2.Tags = []string{"tg-vip", "tg-refund"}
	d5, _ := rp.Dialog(ctx, "d5")
	d5.Tags = []string{"tg-refund"}
	d1, _ := rp.Dialog(ctx, "d1")
	d1.SupervisorComment = "Rude to the CLIENT"
	mustApply(t, rp, newChanges(t, 100).put(wire.KindDialog, "d2", d2).put(wire.KindDialog, "d5", d5).put(wire.KindDialog, "d1", d1).list)

	n := func(v int64) *int64 { return &v }
	minute := int64(time.Minute / time.Millisecond)
	tests := []struct {
		name string
		f    []ColumnFilter
		want []string
	}{
		{"client contains, folded", []ColumnFilter{{Column: "client", Text: "ARL"}}, []string{"d1"}},
		{"comment contains", []ColumnFilter{{Column: "supervisorComment", Text: "client"}}, []string{"d1"}},
		{"empty text narrows nothing", []ColumnFilter{{Column: "client", Text: "  "}}, []string{"d1", "d2", "d3", "d4", "d5"}},
		{"status choice", []ColumnFilter{{Column: "status", Values: []string{"unassigned", "closed"}}}, []string{"d1", "d3"}},
		{"outgoing", []ColumnFilter{{Column: "type", Values: []string{"outgoing"}}}, []string{"d4"}},
		{"line", []ColumnFilter{{Column: "line", Values: []string{"l2"}}}, []string{"d2"}},
		{"channel", []ColumnFilter{{Column: "channel", Values: []string{"ch2"}}}, []string{"d5"}},
		{"operator or nobody", []ColumnFilter{{Column: "operator", Values: []string{"op-b", "-"}}}, []string{"d2", "d3", "d5"}},
		{"tag", []ColumnFilter{{Column: "tags", Values: []string{"tg-refund"}}}, []string{"d2", "d5"}},
		{"tag vip", []ColumnFilter{{Column: "tags", Values: []string{"tg-vip"}}}, []string{"d2"}},
		// first responses: d1 7 min, d2 2 min, d5 20 min; d3, d4 none.
		{"first response at least 5 min", []ColumnFilter{{Column: "firstResponse", Min: n(5 * minute)}}, []string{"d1", "d5"}},
		{"first response 1..10 min", []ColumnFilter{{Column: "firstResponse", Min: n(minute), Max: n(10 * minute)}}, []string{"d1", "d2"}},
		{"created in a range", []ColumnFilter{{Column: "created", Min: n(t0.Add(60 * time.Minute).UnixMilli()), Max: n(t0.Add(200 * time.Minute).UnixMilli())}}, []string{"d2", "d3", "d4"}},
		{"number range", []ColumnFilter{{Column: "number", Min: n(4)}}, []string{"d4", "d5"}},
		{"two filters at once", []ColumnFilter{{Column: "operator", Values: []string{"op-b"}}, {Column: "tags", Values: []string{"tg-vip"}}}, []string{"d2"}},
	}
	for _, tt := range tests {
		items, total, err := rp.TableDialogs(ctx, TableQuery{Filters: tt.f})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := tableIDs(items); !slices.Equal(got, tt.want) || total != len(tt.want) {
			t.Errorf("%s: %v (total %d), want %v", tt.name, got, total, tt.want)
		}
	}

	bad := [][]ColumnFilter{
		{{Column: "data", Text: "x"}},
		{{Column: "type", Values: []string{"sideways"}}},
		{{Column: "created", Min: n(10), Max: n(5)}},
		{{Column: "tags", Values: make([]string, maxChoices+1)}},
	}
	for _, f := range bad {
		if _, _, err := rp.TableDialogs(ctx, TableQuery{Filters: f}); !errors.Is(err, ErrBadQuery) {
			t.Errorf("TableDialogs(%+v) = %v, want ErrBadQuery", f, err)
		}
	}

	// Select all: the open ones the filter matches, newest number first.
	ids, err := rp.TableOpenIDs(ctx, TableQuery{Filters: []ColumnFilter{{Column: "status", Values: []string{"closed", "in_progress", "unassigned"}}}}, 10)
	if err != nil || !slices.Equal(ids, []string{"d5", "d4", "d3", "d2"}) {
		t.Errorf("TableOpenIDs = %v, %v; want d5 d4 d3 d2 (d1 is closed)", ids, err)
	}
	if ids, _ := rp.TableOpenIDs(ctx, TableQuery{}, 2); len(ids) != 2 {
		t.Errorf("TableOpenIDs(limit 2) = %v", ids)
	}
}

// Every sortable column's window is an index walk: no sort of every
// dialog (tableIndexes). A new sortable column needs its index.
func TestTableSortsWalkAnIndex(t *testing.T) {
	rp := tableFixture(t)
	ctx := context.Background()
	// A replica has none of the table's indexes until the table needs them:
	// operators, who never open it, do not pay for them on every write.
	var n int
	if err := rp.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'dialogs\_t\_%' ESCAPE '\'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a fresh replica has %d table indexes (%v), want none", n, err)
	}
	if err := rp.EnsureTableIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := rp.EnsureTableIndexes(ctx); err != nil { // again: nothing to do
		t.Fatal(err)
	}
	for col, key := range TableSorts {
		if _, byName := nameSorts[col]; byName || col == "client" {
			continue
		}
		for _, dir := range []string{" ASC", " DESC"} {
			q := `EXPLAIN QUERY PLAN SELECT d.rowid FROM dialogs d WHERE 1 = 1 AND (` + key + `) IS NOT NULL ORDER BY (` + key + `)` + dir + `, d.number` + dir + ` LIMIT 100 OFFSET 0`
			if key == "d.number" {
				q = `EXPLAIN QUERY PLAN SELECT d.rowid FROM dialogs d WHERE 1 = 1 ORDER BY d.number` + dir + ` LIMIT 100`
			}
			rows, err := rp.r.QueryContext(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", col, err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			joined := strings.Join(plan, "; ")
			if strings.Contains(joined, "TEMP B-TREE") || !strings.Contains(joined, "INDEX") {
				t.Errorf("sort by %s%s plans %q, want an index walk", col, dir, joined)
			}
		}
	}
}
