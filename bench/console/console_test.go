// Command console measures the supervisor's dialog table against the
// console issue's target — "the table's first page and a sort over 100k
// dialogs: p99 under 50 ms end to end in the app" — beside a baseline from
// the same run.
//
// It fills a replica with D dialogs as the sync client does (Apply, in
// pull-sized pages: clients, lines, operators, channels, tags, dialogs
// with every time of the table's columns), then times app.QueryTable, the
// function the Supervisor.Table binding runs, plus the JSON encoding of
// its answer that the binding returns to the UI, for the first page and
// for sorts on several columns (number, a time, durations, names), with
// filters, and deep in the scroll. The baseline is a bare indexed page
// query on the same file: the 100 newest dialogs' JSON by number.
//
// It is a test only so that the app's package (which binds Wails) stays
// out of the module's import graph (internal/archtest); it runs only when
// asked, and asserts no time:
//
//	go test -tags sqlite_fts5 ./bench/console -run Table -v -args -dialogs 100000 -samples 200
package console

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"switchboard/app"
	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/wire"
)

var (
	dialogs = flag.Int("dialogs", 0, "dialogs in the replica (0: skip the benchmark)")
	samples = flag.Int("samples", 200, "samples per query")
	keep    = flag.String("keep", "", "keep the filled replica at this path (to study its query plans)")
	reuse   = flag.String("reuse", "", "time a replica kept by -keep instead of filling one")
	costOf  = flag.Int("index-cost", 20000, "dialogs applied with and without the table's indexes (migration 10), to show their cost; 0 skips")
)

const me = "op-sup"

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func change(seq *int64, kind wire.Kind, id string, v any) wire.Change {
	data, err := json.Marshal(v)
	must(err)
	*seq++
	return wire.Change{Seq: *seq, Kind: kind, ID: id, Op: wire.OpPut, Data: data}
}

var names = []string{"Оксана", "Олег", "Мария", "John", "Анна", "Петро", "Світлана", "Ivan", "Kate", "Дмитро"}

// workspace: a supervisor who sees everything, 40 operators, 10 lines,
// 5 channels, 20 tags.
func workspace(seq *int64) []wire.Change {
	t0 := time.Now().Add(-365 * 24 * time.Hour)
	out := []wire.Change{change(seq, wire.KindWorkspace, "ws", &inbox.Workspace{ID: "ws", Name: "Bench", CreatedAt: t0})}
	for _, r := range inbox.DefaultRoles() {
		out = append(out, change(seq, wire.KindRole, r.ID, r))
	}
	out = append(out, change(seq, wire.KindOperator, me, &inbox.Operator{ID: me, Name: "Supervisor", Email: "sup@x", Role: inbox.RoleSupervisor, Active: true}))
	for o := range 40 {
		id := fmt.Sprintf("op-%d", o)
		out = append(out, change(seq, wire.KindOperator, id, &inbox.Operator{ID: id, Name: fmt.Sprintf("%s %d", names[o%len(names)], o), Email: id + "@x", Role: inbox.RoleOperator, Active: true}))
	}
	for l := range 10 {
		id := fmt.Sprintf("line-%d", l)
		out = append(out, change(seq, wire.KindLine, id, &inbox.Line{ID: id, Name: fmt.Sprintf("Line %c", 'J'-l)}))
	}
	for c := range 5 {
		id := fmt.Sprintf("ch-%d", c)
		out = append(out, change(seq, wire.KindChannel, id, &inbox.Channel{ID: id, Name: fmt.Sprintf("Channel %d", c), Kind: inbox.KindTelegram}))
	}
	for g := range 20 {
		id := fmt.Sprintf("tg-%d", g)
		out = append(out, change(seq, wire.KindTag, id, &inbox.Tag{ID: id, Name: fmt.Sprintf("tag %d", g)}))
	}
	return out
}

// generate emits dialog n and its client: spread over a year, a fifth
// each unassigned, in progress, snoozed, closed and spam-or-closed, with
// answer, start and close times varying so that every duration sorts.
func generate(seq *int64, n int, emit func(wire.Change)) {
	at := time.Now().Add(-time.Duration(*dialogs-n) * 5 * time.Minute)
	cid, did := fmt.Sprintf("cl-%d", n), fmt.Sprintf("dl-%d", n)
	emit(change(seq, wire.KindClient, cid, &inbox.Client{ID: cid, OriginalName: fmt.Sprintf("%s %d", names[n%len(names)], n*7919%100000),
		CreatedAt: at, ModifiedAt: at}))
	sec := func(s int) time.Time { return at.Add(time.Duration(s) * time.Second) }
	d := &inbox.Dialog{ID: did, Number: int64(n + 1), ClientID: cid, ChannelID: fmt.Sprintf("ch-%d", n%5), LineID: fmt.Sprintf("line-%d", n%10),
		CreatedAt: at, ModifiedAt: sec(n % 7000), LastMessageAt: sec(n % 5000), Outgoing: n%13 == 0}
	op := fmt.Sprintf("op-%d", n%40)
	answer, start, closeAfter := 5+(n*37)%3600, 1+(n*17)%600, 600+(n*101)%86400
	switch n % 5 {
	case 0:
		d.Status, d.Detailed, d.QueuedAt = inbox.StatusUnassigned, inbox.DetQueued, at
	case 1:
		d.Status, d.Detailed, d.AssigneeID, d.StartedAt, d.FirstAnswerAt = inbox.StatusInProgress, inbox.DetOperatorAnswered, op, sec(start), sec(answer)
	case 2:
		d.Status, d.AssigneeID, d.StartedAt, d.SnoozedUntil = inbox.StatusSnoozed, op, sec(start), time.Now().Add(time.Hour)
	default:
		d.Status, d.Detailed, d.AssigneeID, d.StartedAt, d.FirstAnswerAt = inbox.StatusClosed, inbox.DetClosed, op, sec(start), sec(answer)
		d.ClosedByID, d.ClosedAt, d.ClosedByOperatorAt = op, sec(answer+closeAfter), sec(answer+closeAfter)
		d.ClientRating, d.SupervisorRating = 1+n%5, n%6
		if n%50 == 3 {
			d.Status, d.Detailed = inbox.StatusSpam, inbox.DetSpam
		}
	}
	if n%3 == 0 {
		d.Tags = []string{fmt.Sprintf("tg-%d", n%20)}
	}
	emit(change(seq, wire.KindDialog, did, d))
}

type stats struct{ d []time.Duration }

func (s *stats) time(fn func()) {
	t := time.Now()
	fn()
	s.d = append(s.d, time.Since(t))
}

func (s *stats) q(q float64) time.Duration {
	slices.Sort(s.d)
	return s.d[int(q*float64(len(s.d)-1))]
}

func msOf(d time.Duration) string { return fmt.Sprintf("%7.2f ms", float64(d.Microseconds())/1000) }

func TestTable(t *testing.T) {
	if *dialogs == 0 {
		t.Skip("a benchmark: go test ./bench/console -run Table -v -args -dialogs 100000")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sbconsole")
	must(err)
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "replica.db")
	if *reuse != "" {
		path = *reuse
	}
	rp, err := replica.Open(ctx, path)
	must(err)
	if *reuse == "" {
		fill(ctx, rp, *dialogs)
	}
	// The table's indexes are built when the table is first opened, after
	// the replica filled: once per replica file.
	start := time.Now()
	must(rp.EnsureTableIndexes(ctx))
	fmt.Printf("build      the table's %d indexes over the filled replica in %.1f s (once, when the table first opens)\n", replica.TableIndexCount(), time.Since(start).Seconds())
	org, err := rp.Org(ctx)
	must(err)
	measure(ctx, rp, org, path)
	if *costOf > 0 {
		indexCost(ctx, dir, *costOf)
	}
	must(rp.Close())
	if *keep != "" && *reuse == "" {
		must(os.Rename(path, *keep))
	}
}

// fill applies the workspace and the dialogs as pull pages do.
func fill(ctx context.Context, rp *replica.Replica, dialogs int) time.Duration {
	var seq int64
	must(rp.Baseline(ctx, 0))
	_, err := rp.Apply(ctx, workspace(&seq))
	must(err)
	t := time.Now()
	batch := make([]wire.Change, 0, 10000)
	flush := func() {
		_, err := rp.Apply(ctx, batch)
		must(err)
		batch = batch[:0]
	}
	for n := range dialogs {
		generate(&seq, n, func(c wire.Change) {
			if batch = append(batch, c); len(batch) == cap(batch) {
				flush()
			}
		})
	}
	flush()
	must(rp.FinishPull(ctx))
	took := time.Since(t)
	fmt.Printf("fill       %d dialogs and clients through Apply in %.1f s\n", dialogs, took.Seconds())
	return took
}

// indexCost applies n dialogs to a fresh replica with the table's indexes
// built first, and to one without them (as an operator's replica fills,
// and a supervisor's before its table first opens), and prints both.
func indexCost(ctx context.Context, dir string, n int) {
	var took [2]time.Duration
	for i, with := range []bool{true, false} {
		rp, err := replica.Open(ctx, filepath.Join(dir, fmt.Sprintf("cost-%d.db", i)))
		must(err)
		if with {
			must(rp.EnsureTableIndexes(ctx))
		}
		took[i] = fill(ctx, rp, n)
		must(rp.Close())
	}
	fmt.Printf("apply      %d dialogs: %.1f s with the table's indexes | %.1f s without | ratio %.2f\n", n, took[0].Seconds(), took[1].Seconds(), took[0].Seconds()/took[1].Seconds())
}

// measure times the baseline and the table's queries.
func measure(ctx context.Context, rp *replica.Replica, org *inbox.Org, path string) {
	// Baseline: the same file, a bare indexed page (the rows' JSON only).
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_journal_mode=WAL")
	must(err)
	defer raw.Close()
	var base stats
	for range *samples {
		base.time(func() {
			rows, err := raw.QueryContext(ctx, `SELECT data FROM dialogs ORDER BY number DESC LIMIT 100`)
			must(err)
			n := 0
			for rows.Next() {
				var s string
				must(rows.Scan(&s))
				n++
			}
			must(rows.Err())
			rows.Close()
			if n != 100 {
				must(fmt.Errorf("baseline read %d rows", n))
			}
		})
	}
	fmt.Printf("baseline   bare indexed page (100 rows' JSON by number): p50 %s  p99 %s\n", msOf(base.q(0.5)), msOf(base.q(0.99)))

	n := func(v int64) *int64 { return &v }
	cases := []struct {
		name string
		q    app.TableRequest
	}{
		{"first page (number, newest first)", app.TableRequest{Sort: "number", Desc: true}},
		{"sort by created (time), oldest first", app.TableRequest{Sort: "created"}},
		{"sort by last message (time), newest", app.TableRequest{Sort: "lastMessage", Desc: true}},
		{"sort by closed (time), newest", app.TableRequest{Sort: "closed", Desc: true}},
		{"sort by first response (duration)", app.TableRequest{Sort: "firstResponse", Desc: true}},
		{"sort by duration (duration)", app.TableRequest{Sort: "duration"}},
		{"sort by time to start (duration)", app.TableRequest{Sort: "timeToStart", Desc: true}},
		{"sort by client (name)", app.TableRequest{Sort: "client"}},
		{"sort by operator (name)", app.TableRequest{Sort: "operator"}},
		{"sort by status", app.TableRequest{Sort: "status"}},
		{"sort by client rating", app.TableRequest{Sort: "clientRating", Desc: true}},
		{"filter line+status, by created", app.TableRequest{LineID: "line-3", Status: "closed", Sort: "created", Desc: true}},
		{"filter client contains, by number", app.TableRequest{Filters: []replica.ColumnFilter{{Column: "client", Text: "окс"}}, Sort: "number", Desc: true}},
		{"filter tag + operator, by duration", app.TableRequest{Filters: []replica.ColumnFilter{{Column: "tags", Values: []string{"tg-3"}}, {Column: "operator", Values: []string{"op-3", "op-13"}}}, Sort: "duration"}},
		{"filter first response 1-10 min, by it", app.TableRequest{Filters: []replica.ColumnFilter{{Column: "firstResponse", Min: n(60_000), Max: n(600_000)}}, Sort: "firstResponse"}},
		{"the middle page (offset D/2), by number", app.TableRequest{Sort: "number", Desc: true, Offset: *dialogs / 2}},
		{"the middle page, by first response", app.TableRequest{Sort: "firstResponse", Offset: *dialogs / 2}},
	}
	worst := time.Duration(0)
	for _, c := range cases {
		c.q.Limit = 100
		var st stats
		var size int
		for range *samples {
			st.time(func() {
				p, err := app.QueryTable(ctx, rp, org, c.q)
				must(err)
				b, err := json.Marshal(p)
				must(err)
				size = len(b)
				if len(p.Rows) == 0 {
					must(fmt.Errorf("%s: no rows", c.name))
				}
			})
		}
		p99 := st.q(0.99)
		worst = max(worst, p99)
		fmt.Printf("table      %-42s p50 %s  p99 %s  (%5.1f× baseline p99, %3d KiB JSON)\n", c.name+":", msOf(st.q(0.5)), msOf(p99),
			float64(p99)/float64(base.q(0.99)), size>>10)
	}
	verdict := "under"
	if worst >= 50*time.Millisecond {
		verdict = "OVER"
	}
	fmt.Printf("target     worst p99 %s: %s the 50 ms target\n", msOf(worst), verdict)
}
