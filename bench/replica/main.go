// Command replica measures the desktop's local replica against the desktop
// issue's targets, each beside its baseline from the same run:
//
//   - bootstrap: D dialogs and M messages applied as the sync client applies
//     pull pages (JSON entities, change-log bookkeeping) up to a usable
//     inbox (FinishPull), beside a raw batched insert of as many rows into a
//     plain SQLite table (wall time and the CPU time of every thread, each
//     beside the other's); then the messages' FTS5 index, which the replica
//     fills in the background after the pull: its own wall and CPU time,
//     and (in a full run) the operator's sends while it runs;
//   - queries over that replica: a tab's first page, the tab counters, a
//     page filtered by line — p50/p99;
//   - prefix search over the messages (Cyrillic, folded) — p50/p99;
//   - the optimistic write of a command (outbox + the dialog's new state in
//     one transaction) — p50/p99;
//   - "mark all as read" over a tab with 1,000 unread dialogs: one
//     dialog.read command each, queued in one transaction, beside the same
//     commands queued one transaction each;
//   - memory: a fresh process opens the filled replica as the app does and
//     runs the inbox screen's queries, beside another that does the same
//     with an empty replica — Go heap in use, RSS and its high-water mark.
//
// go run -tags sqlite_fts5 ./bench/replica [-dialogs 100000 -per-dialog 10]
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/wire"
)

var (
	dialogs  = flag.Int("dialogs", 100000, "dialogs in the replica")
	perDlg   = flag.Int("per-dialog", 10, "messages per dialog")
	samples  = flag.Int("samples", 300, "samples per query")
	page     = flag.Int("page", 10000, "changes per applied page (the sync client's pull page)")
	cpuProf  = flag.String("cpuprofile", "", "write a CPU profile of the bootstrap here")
	keep     = flag.String("keep", "", "keep the filled replica at this path (to study its query plans)")
	bootOnly = flag.Bool("bootstrap-only", false, "stop after the bootstrap's figures (to iterate on the write path)")
	memOf    = flag.String("memory-of", "", "(the memory child) open this replica, run the inbox's queries, print the process's memory")
)

const me = "op-me"

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// words the generated messages are made of: Russian and Ukrainian support
// talk, so prefix search has realistic, folded Cyrillic to chew on.
var words = []string{"здравствуйте", "оплата", "счёт", "заказ", "доставка", "возврат", "карта", "номер",
	"пожалуйста", "спасибо", "добрий", "день", "замовлення", "оплатив", "рахунок", "посилка", "йогурт",
	"телефон", "адрес", "курьер", "hello", "refund", "invoice", "order", "tracking"}

func text(i int) string {
	s := ""
	for k := range 8 {
		if k > 0 {
			s += " "
		}
		s += words[(i*7+k*13)%len(words)]
	}
	return fmt.Sprintf("%s №%d", s, i)
}

func change(seq *int64, kind wire.Kind, id string, v any) wire.Change {
	data, err := json.Marshal(v)
	must(err)
	*seq++
	return wire.Change{Seq: *seq, Kind: kind, ID: id, Op: wire.OpPut, Data: data}
}

// workspace is the operator's org: ten lines it works in.
func workspace(seq *int64) []wire.Change {
	t0 := time.Now().Add(-24 * time.Hour)
	out := []wire.Change{change(seq, wire.KindWorkspace, "ws", &inbox.Workspace{ID: "ws", Name: "Bench", CreatedAt: t0})}
	for _, r := range inbox.DefaultRoles() {
		out = append(out, change(seq, wire.KindRole, r.ID, r))
	}
	out = append(out, change(seq, wire.KindOperator, me, &inbox.Operator{ID: me, Name: "Me", Email: "me@x", Role: "operator", Active: true}),
		change(seq, wire.KindGroup, "g", &inbox.Group{ID: "g", Name: "G", MemberIDs: []string{me}}))
	for l := range 10 {
		id := fmt.Sprintf("line-%d", l)
		out = append(out, change(seq, wire.KindLine, id, &inbox.Line{ID: id, Name: id, OperatorGroupIDs: []string{"g"}}))
	}
	return out
}

// generate calls emit with the entities of dialog n: its client, the
// dialog and its messages.
func generate(seq *int64, n int, emit func(wire.Change)) {
	at := time.Now().Add(-time.Duration(*dialogs-n) * time.Minute)
	cid, did := fmt.Sprintf("cl-%d", n), fmt.Sprintf("dl-%d", n)
	emit(change(seq, wire.KindClient, cid, &inbox.Client{ID: cid, OriginalName: fmt.Sprintf("Клиент %s %d", words[n%len(words)], n),
		Contacts: []inbox.Contact{{ChannelID: "ch", Kind: inbox.KindTelegram, ExternalID: cid}}, CreatedAt: at, ModifiedAt: at}))
	d := &inbox.Dialog{ID: did, Number: int64(n), ClientID: cid, ChannelID: "ch", LineID: fmt.Sprintf("line-%d", n%10),
		CreatedAt: at, ModifiedAt: at, LastMessageAt: at}
	switch n % 4 { // a quarter each: queued, mine, closed by me, someone else's
	case 0:
		d.Status, d.QueuedAt = inbox.StatusUnassigned, at
	case 1:
		d.Status, d.AssigneeID = inbox.StatusInProgress, me
	case 2:
		d.Status, d.AssigneeID, d.ClosedByID, d.ClosedAt = inbox.StatusClosed, me, me, at
	case 3:
		d.Status, d.AssigneeID = inbox.StatusInProgress, "op-other"
	}
	emit(change(seq, wire.KindDialog, did, d))
	for k := range *perDlg {
		mid := fmt.Sprintf("ms-%d-%d", n, k)
		kind := inbox.MsgInbound
		if k%2 == 1 {
			kind = inbox.MsgOutbound
		}
		emit(change(seq, wire.KindMessage, mid, &inbox.Message{ID: mid, DialogID: did, ClientID: cid, ChannelID: "ch", Kind: kind,
			Text: text(n*(*perDlg) + k), CreatedAt: at.Add(time.Duration(k) * time.Second)}))
	}
}

type stats struct{ d []time.Duration }

func (s *stats) time(fn func()) {
	t := time.Now()
	fn()
	s.d = append(s.d, time.Since(t))
}

func (s *stats) String() string {
	slices.Sort(s.d)
	p := func(q float64) string {
		return fmt.Sprintf("%.3f ms", float64(s.d[int(q*float64(len(s.d)-1))].Microseconds())/1000)
	}
	return fmt.Sprintf("p50 %s  p99 %s", p(0.50), p(0.99))
}

func main() {
	flag.Parse()
	ctx := context.Background()
	if *memOf != "" {
		memoryChild(ctx, *memOf)
		return
	}
	dir, err := os.MkdirTemp("", "sbreplica")
	must(err)
	defer os.RemoveAll(dir)

	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		must(err)
		must(pprof.StartCPUProfile(f))
	}
	// Bootstrap through Apply, in pull-sized pages.
	rp, err := replica.Open(ctx, filepath.Join(dir, "replica.db"))
	must(err)
	var seq int64
	// A pull from 0, as the sync client makes it: the search index is
	// filled at the end, in one pass (timed with the bootstrap).
	must(rp.Baseline(ctx, 0))
	_, err = rp.Apply(ctx, workspace(&seq))
	must(err)
	// The pages are made first, so the bootstrap's wall and CPU time are
	// one stretch each: work in the background (the decoding ahead, the
	// merger, the checkpointer) gets no free time between pages.
	var pages [][]wire.Change // kept for the raw insert of the same rows
	batch := make([]wire.Change, 0, *page)
	for n := range *dialogs {
		generate(&seq, n, func(c wire.Change) {
			batch = append(batch, c)
			if len(batch) == *page {
				pages = append(pages, slices.Clone(batch))
				batch = batch[:0]
			}
		})
	}
	if len(batch) > 0 {
		pages = append(pages, slices.Clone(batch))
	}
	rows := 0
	t0, c0 := time.Now(), processCPU()
	for _, p := range pages {
		_, err := rp.Apply(ctx, p)
		must(err)
		rows += len(p)
	}
	t1, c1 := time.Now(), processCPU()
	// The pull's end: the dialogs' deferred indexes are made, and the
	// inbox is usable; the messages' search index is filled afterwards by
	// the replica's builder, in the background.
	must(rp.FinishPull(ctx))
	finishTime, finishCPU := time.Since(t1), processCPU()-c1
	applyTime, applyCPU := time.Since(t0), processCPU()-c0
	applyRate := float64(rows) / applyTime.Seconds()
	pprof.StopCPUProfile()
	// Until the search index is whole: quietly with -bootstrap-only (the
	// builder's own wall and CPU time, with the merger's and the
	// checkpointer's), else with an operator's send every 20 ms meanwhile
	// (what a send waits for while the builder runs).
	t2, c2 := time.Now(), processCPU()
	var during stats
	var duringWait time.Duration
	for sent := 0; ; sent++ {
		_, _, building, err := rp.SearchIndexing(ctx)
		must(err)
		if !building {
			break
		}
		if *bootOnly {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		_, w0 := rp.WriterWaits()
		during.time(func() { send(ctx, rp, fmt.Sprintf("during-%d", sent), sent) })
		_, w1 := rp.WriterWaits()
		duringWait = max(duringWait, w1-w0)
		time.Sleep(20 * time.Millisecond)
	}
	builtTime, builtCPU := time.Since(t2), processCPU()-c2
	// Then until the merger has folded the builder's segments: the index's
	// structure record (id 10: its segments and merges under way) stops
	// changing.
	segments := func() int {
		var n int
		must(rawQueryRow(rp.Path(), `SELECT count(DISTINCT id >> 37) FROM messages_fts_data WHERE id >> 37 > 0`, &n))
		return n
	}
	structure := func() string {
		var b string
		must(rawQueryRow(rp.Path(), `SELECT hex(block) FROM messages_fts_data WHERE id = 10`, &b))
		return b
	}
	builtSegs := segments()
	for last := structure(); ; {
		time.Sleep(300 * time.Millisecond)
		now := structure()
		if now == last {
			break
		}
		last = now
	}
	buildTime, buildCPU := time.Since(t2), processCPU()-c2
	segs := segments()

	// Raw: the same rows, batched the same, into one plain table.
	raw, err := sql.Open("sqlite3", filepath.Join(dir, "raw.db")+"?_journal_mode=WAL&_synchronous=NORMAL")
	must(err)
	_, err = raw.Exec(`CREATE TABLE raw (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL)`)
	must(err)
	t, c := time.Now(), processCPU()
	for _, p := range pages {
		tx, err := raw.Begin()
		must(err)
		st, err := tx.Prepare(`INSERT INTO raw (seq, kind, id, data) VALUES (?, ?, ?, ?)`)
		must(err)
		for _, c := range p {
			_, err := st.Exec(c.Seq, string(c.Kind), c.ID, string(c.Data))
			must(err)
		}
		must(st.Close())
		must(tx.Commit())
	}
	rawTime, rawCPU := time.Since(t), processCPU()-c
	rawRate := float64(rows) / rawTime.Seconds()
	raw.Close()
	pages = nil
	runtime.GC()
	fmt.Printf("bootstrap  %d dialogs, %d messages (%d rows): %8.0f rows/s through Apply | raw batched insert %8.0f rows/s | ratio %.2f\n",
		*dialogs, *dialogs**perDlg, rows, applyRate, rawRate, applyRate/rawRate)
	fmt.Printf("bootstrap  up to a usable inbox (pages + FinishPull): %.1f s, of it FinishPull (the dialogs' deferred indexes) %.1f s\n",
		applyTime.Seconds(), finishTime.Seconds())
	fmt.Printf("bootstrap  CPU time (every thread): Apply %.1f s (FinishPull %.1f s) | raw %.1f s | ratio of wall time %.2f of CPU time %.2f\n",
		applyCPU.Seconds(), finishCPU.Seconds(), rawCPU.Seconds(), rawTime.Seconds()/applyTime.Seconds(), rawCPU.Seconds()/applyCPU.Seconds())
	quiet := "quietly"
	if !*bootOnly && len(during.d) > 0 {
		quiet = fmt.Sprintf("with a send every 20 ms: %d sends, %s, longest writer wait %.1f ms", len(during.d), &during,
			float64(duringWait.Microseconds())/1000)
	}
	fmt.Printf("search     index built in the background after it: %.1f s wall, %.1f s CPU (every thread), %d segments; %s\n",
		builtTime.Seconds(), builtCPU.Seconds(), builtSegs, quiet)
	fmt.Printf("search     and merged (the structure record still, %d segments): %.1f s wall, %.1f s CPU after the pull\n",
		segs, buildTime.Seconds(), buildCPU.Seconds())
	fmt.Printf("search     bootstrap + index whole: %.1f s wall (%8.0f rows/s, ratio %.2f), %.1f s CPU\n",
		(applyTime + buildTime).Seconds(), float64(rows)/(applyTime+buildTime).Seconds(),
		float64(rows)/(applyTime+buildTime).Seconds()/rawRate, (applyCPU + buildCPU).Seconds())
	if *bootOnly {
		must(rp.Close())
		if *keep != "" {
			must(os.Rename(filepath.Join(dir, "replica.db"), *keep))
		}
		return
	}

	// Queries, as the inbox screen makes them. Three passes: the first
	// follows the bootstrap at once, with the reading connections' caches
	// cold and the checkpointer copying the bootstrap's write-ahead log
	// back; the second right after it; the third once that work is done,
	// the inbox as it is the rest of the day. All are printed.
	queries := []string{"опла", "счет", "замов", "достав", "йогу", "refu", "кур", "рахун"}
	var passes [3][5]stats
	for pass := range passes {
		if pass == 2 {
			// The third pass waits until the bootstrap's log is copied
			// back and cut (the checkpointer) and 10 s more (the merger).
			settled := time.Now()
			for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				if fi, err := os.Stat(rp.Path() + "-wal"); err != nil || fi.Size() <= 64<<20 {
					break
				}
			}
			time.Sleep(10 * time.Second)
			fmt.Printf("query      the third pass began %.1f s after the second ended (the log cut back, then 10 s)\n", time.Since(settled).Seconds())
		}
		first, counts, filtered, search, clients := &passes[pass][0], &passes[pass][1], &passes[pass][2], &passes[pass][3], &passes[pass][4]
		for i := range *samples {
			first.time(func() {
				_, _, err := rp.ListDialogs(ctx, me, replica.ListQuery{Tab: replica.Tabs[i%4], Limit: 50})
				must(err)
			})
			counts.time(func() {
				// What the inbox's counters read (app.Inbox.Counters): every
				// tab's and every line's.
				_, err := rp.Counts(ctx, me)
				must(err)
				_, err = rp.LineCounts(ctx, me)
				must(err)
			})
			filtered.time(func() {
				_, _, err := rp.ListDialogs(ctx, me, replica.ListQuery{Tab: replica.TabAll, LineID: fmt.Sprintf("line-%d", i%10), Limit: 50})
				must(err)
			})
			search.time(func() { _, err := rp.Search(ctx, queries[i%len(queries)], 50); must(err) })
			clients.time(func() { _, err := rp.SearchClients(ctx, queries[i%len(queries)], 20); must(err) })
		}
	}
	for i, name := range []string{
		"query      a tab's first page (50 rows):      ",
		"query      counters of every tab and line:    ",
		"query      All, filtered by line (50 rows):   ",
		fmt.Sprintf("search     messages by word prefix (%dM msgs): ", *dialogs**perDlg/1000000),
		"search     clients by word prefix:            ",
	} {
		fmt.Printf("%s  %s | first pass after the bootstrap: %s | settled: %s\n", name, &passes[1][i], &passes[0][i], &passes[2][i])
	}

	// The optimistic write of a send: the outbox entry and the dialog's
	// new state with the pending message, in one transaction.
	var opt stats
	// What each write waited on, to tell its slowest apart: the thread's
	// CPU time and preemptions (the write runs on this thread: cgo calls
	// stay on the caller's), and whether a GC cycle ran meanwhile.
	type sample struct {
		wall, cpu time.Duration
		preempted int64
		gc        bool
		// poolWait is how long it waited for the writing connection
		// (held by the merger's step or the checkpointer's truncation).
		poolWait time.Duration
	}
	var writes []sample
	gcs := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	runtime.LockOSThread()
	for i := range *samples {
		metrics.Read(gcs)
		gc0 := gcs[0].Value.Uint64()
		cpu0, pre0 := threadUsage()
		_, wait0 := rp.WriterWaits()
		opt.time(func() { send(ctx, rp, fmt.Sprintf("opt-%d", i), i) })
		cpu1, pre1 := threadUsage()
		_, wait1 := rp.WriterWaits()
		metrics.Read(gcs)
		writes = append(writes, sample{opt.d[len(opt.d)-1], cpu1 - cpu0, pre1 - pre0, gcs[0].Value.Uint64() != gc0, wait1 - wait0})
	}
	runtime.UnlockOSThread()
	fmt.Printf("command    optimistic send (outbox + dialog):   %s\n", &opt)
	slices.SortFunc(writes, func(a, b sample) int { return int(b.wall - a.wall) })
	slow := writes[:max(1, len(writes)/100)]
	var wall, cpu, poolWait time.Duration
	var preempted, gcRan int
	for _, s := range slow {
		wall, cpu, poolWait = wall+s.wall, cpu+s.cpu, poolWait+s.poolWait
		if s.preempted > 0 {
			preempted++
		}
		if s.gc {
			gcRan++
		}
	}
	fmt.Printf("command    its slowest %d: %.1f ms on average, of it %.1f ms on the CPU and %.1f ms waiting for the writing connection; %d preempted, %d with a GC cycle\n",
		len(slow), float64(wall.Microseconds())/1000/float64(len(slow)), float64(cpu.Microseconds())/1000/float64(len(slow)),
		float64(poolWait.Microseconds())/1000/float64(len(slow)), preempted, gcRan)
	markAllRead(ctx, rp, &seq)
	// The process that bootstrapped and queried, the replica still open
	// (its peak includes the bootstrap's pages and the raw insert).
	fmt.Printf("memory     this process after it all:           %s\n", memLine())
	must(rp.Close())
	if fi, err := os.Stat(filepath.Join(dir, "replica.db")); err == nil {
		fmt.Printf("size       replica file %d MiB\n", fi.Size()>>20)
	}
	empty, filled := memoryOf(filepath.Join(dir, "empty.db")), memoryOf(filepath.Join(dir, "replica.db"))
	fmt.Printf("memory     empty replica: %s | %d dialogs, %d messages: %s\n", empty, *dialogs, *dialogs**perDlg, filled)
	if *keep != "" {
		must(os.Rename(filepath.Join(dir, "replica.db"), *keep))
	}
}

// send is the optimistic write of an operator's send (id its message's)
// to one of the operator's dialogs: the outbox entry and the dialog's new
// state with the pending message, in one transaction.
func send(ctx context.Context, rp *replica.Replica, id string, i int) {
	did := fmt.Sprintf("dl-%d", (i*4+1)%*dialogs) // one of mine
	d, err := rp.Dialog(ctx, did)
	must(err)
	now := time.Now()
	m := &inbox.Message{ID: id, DialogID: did, ClientID: d.ClientID, ChannelID: d.ChannelID,
		Kind: inbox.MsgOutbound, AuthorID: me, Text: "Ответ " + text(i), Delivery: inbox.DeliveryPending, CreatedAt: now}
	nd := d.Clone()
	nd.LastMessageID, nd.LastMessageText, nd.LastMessageAt = m.ID, m.Text, now
	payload, _ := json.Marshal(map[string]string{"messageId": m.ID, "dialogId": did, "kind": "outbound", "text": m.Text})
	must(rp.Enqueue(ctx, wire.CommandEnvelope{ID: "cmd-" + id, Type: "message.send", Payload: payload},
		replica.Optimistic{Dialog: nd, Message: m}))
}

// rawQueryRow reads one row of the replica at path on a connection of
// its own.
func rawQueryRow(path, q string, dest ...any) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRow(q).Scan(dest...)
}

// markAllRead times marking Mine read with 1,000 unread dialogs in it, as
// Inbox.MarkAllRead does it (the tab's unread dialogs, then one dialog.read
// per dialog queued in one transaction), beside queueing the same commands
// one transaction each.
func markAllRead(ctx context.Context, rp *replica.Replica, seq *int64) {
	const n = 1000
	unread := func() {
		var cs []wire.Change
		for i := range n {
			did := fmt.Sprintf("dl-%d", (i*4+1)%*dialogs) // one of mine
			d, err := rp.Dialog(ctx, did)
			must(err)
			d.Unread = 1 + i%3
			cs = append(cs, change(seq, wire.KindDialog, did, d))
		}
		_, err := rp.Apply(ctx, cs)
		must(err)
	}
	commands := func(round int) []replica.Queued {
		ds, err := rp.UnreadDialogs(ctx, me, replica.TabMine)
		must(err)
		out := make([]replica.Queued, 0, len(ds))
		for i := range ds {
			d := ds[i].Clone()
			d.Unread = 0
			payload, _ := json.Marshal(map[string]string{"dialogId": d.ID})
			out = append(out, replica.Queued{Command: wire.CommandEnvelope{ID: fmt.Sprintf("read-%d-%d", round, i), Type: "dialog.read", Payload: payload},
				Change: replica.Optimistic{Dialog: d}})
		}
		return out
	}
	var bulk, single, query stats
	for round := range 5 {
		unread()
		query.time(func() { _, err := rp.UnreadDialogs(ctx, me, replica.TabMine); must(err) })
		bulk.time(func() {
			cmds := commands(round)
			if len(cmds) < n {
				must(fmt.Errorf("mark all read: %d unread dialogs, want %d", len(cmds), n))
			}
			must(rp.EnqueueAll(ctx, cmds))
		})
		unread()
		cmds := commands(100 + round)
		single.time(func() {
			for _, c := range cmds {
				must(rp.Enqueue(ctx, c.Command, c.Change))
			}
		})
	}
	fmt.Printf("command    mark Mine read, %d dialogs, one transaction: %s (of it, finding them: %s) | one transaction each: %s\n", n, &bulk, &query, &single)
}

// memoryOf runs this program again as a child on the replica at path and
// returns what it printed: a fresh process each, so neither figure holds
// what the bootstrap or the other measure left in memory.
func memoryOf(path string) string {
	self, err := os.Executable()
	must(err)
	out, err := exec.Command(self, "-memory-of", path).Output()
	if err != nil {
		must(fmt.Errorf("memory child on %s: %w", path, err))
	}
	return strings.TrimSpace(string(out))
}

// memoryChild opens the replica at path as the app does (replica.Open),
// makes the queries of the inbox screen once it is shown — each tab's
// first page, the counters, a dialog's history, a message and a client
// search — and prints the Go heap in use after a collection, the process's
// RSS and its high-water mark (VmRSS, VmHWM of /proc/self/status).
func memoryChild(ctx context.Context, path string) {
	rp, err := replica.Open(ctx, path)
	must(err)
	for _, tab := range replica.Tabs {
		items, _, err := rp.ListDialogs(ctx, me, replica.ListQuery{Tab: tab, Limit: 50})
		must(err)
		if len(items) > 0 {
			_, err := rp.History(ctx, items[0].ID, 0, 50)
			must(err)
		}
	}
	_, err = rp.Counts(ctx, me)
	must(err)
	_, _, err = rp.ListDialogs(ctx, me, replica.ListQuery{Tab: replica.TabAll, LineID: "line-3", Limit: 50})
	must(err)
	_, err = rp.Search(ctx, "опла", 50)
	must(err)
	_, err = rp.SearchClients(ctx, "клие", 20)
	must(err)
	fmt.Print(memLine())
	must(rp.Close())
}

// memLine is the Go heap in use after a collection, the process's RSS
// (once Go has handed its free pages back) and its high-water mark.
func memLine() string {
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, _ := os.ReadFile("/proc/self/status") // Linux; "?" elsewhere
	field := func(name string) string {
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, name+":"); ok {
				return strings.Join(strings.Fields(v), " ")
			}
		}
		return "?"
	}
	return fmt.Sprintf("Go heap in use %.1f MiB, RSS %s (peak %s)", float64(ms.HeapInuse)/(1<<20), field("VmRSS"), field("VmHWM"))
}
