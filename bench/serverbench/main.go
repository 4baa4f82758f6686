// Command serverbench measures the team server against the targets
// and prints each figure beside its baseline from the same run:
//
//   - ingest: inbound messages/s through POST /api/v1/ingest with N live
//     WebSocket subscribers, beside raw batched inserts of the same rows;
//   - live latency: inbound message posted → delivered to every subscriber,
//     p50/p99, beside a bare WebSocket echo round trip;
//   - pull: a bootstrap of D dialogs and M messages, rows/s over HTTP,
//     beside reading the same log straight from the store;
//   - report (-only report): the supervisor's 90-day dialog report over D
//     dialogs, beside a bare count of the same period.
//
// go run -tags sqlite_fts5 ./bench/serverbench -db sqlite|postgres
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"switchboard/inbox"
	"switchboard/server"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

var (
	dbKind   = flag.String("db", "sqlite", "sqlite or postgres")
	pgDSN    = flag.String("pg", os.Getenv("SWITCHBOARD_TEST_POSTGRES"), "PostgreSQL DSN (a fresh schema is made in it)")
	clients  = flag.Int("clients", 200, "live WebSocket subscribers")
	messages = flag.Int("messages", 20000, "inbound messages for the ingest run")
	samples  = flag.Int("samples", 300, "latency samples")
	dialogs  = flag.Int("dialogs", 100000, "dialogs for the pull run")
	perDlg   = flag.Int("per-dialog", 10, "messages per dialog for the pull run")
	only     = flag.String("only", "ingest,latency,pull", "which runs")
	autoMode = flag.String("autoassign", "", "round_robin or least_loaded: every demo line auto-assigns to the subscribed supervisor (capacity 100) during ingest")
	cpuProf  = flag.String("cpuprofile", "", "write a CPU profile here")
	frames   = flag.String("frames", "text,deflate", "live frame formats to run ingest and latency with, each on a fresh workspace: text, deflate (compress=deflate)")
)

func main() {
	flag.Parse()
	ctx := context.Background()
	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		must(err)
		must(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	for _, format := range strings.Split(*frames, ",") {
		if !strings.Contains(*only, "ingest") && !strings.Contains(*only, "latency") {
			break
		}
		st, cleanup := open(ctx)
		must(seed.Demo(ctx, st, time.Now()))
		if *autoMode != "" {
			autoAssignEverywhere(ctx, st, inbox.AutoAssign(*autoMode))
		}
		base, stop := serve(st)
		h := newHarness(base, format)
		h.subscribe(*clients)
		if strings.Contains(*only, "ingest") {
			h.ingest(st, *messages)
		}
		if strings.Contains(*only, "latency") {
			h.latency(st, *samples)
		}
		h.close()
		stop()
		cleanup()
	}
	if strings.Contains(*only, "report") {
		report(ctx, *dialogs, *perDlg)
	}
	if strings.Contains(*only, "pull") {
		st, cleanup := open(ctx)
		must(seed.Demo(ctx, st, time.Now()))
		fill(ctx, st, *dialogs, *perDlg)
		base, stop := serve(st)
		pull(ctx, st, base)
		stop()
		cleanup()
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "serverbench:", err)
		os.Exit(1)
	}
}

func open(ctx context.Context) (*sqlstore.Store, func()) {
	switch *dbKind {
	case "sqlite":
		dir, err := os.MkdirTemp("", "serverbench")
		must(err)
		st, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "bench.db"))
		must(err)
		return st, func() { st.Close(); os.RemoveAll(dir) }
	case "postgres":
		schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
		admin, err := sqlstore.OpenPostgres(ctx, *pgDSN)
		must(err)
		_, err = admin.RawDB().Exec("CREATE SCHEMA " + schema)
		must(err)
		sep := "?"
		if strings.Contains(*pgDSN, "?") {
			sep = "&"
		}
		st, err := sqlstore.OpenPostgres(ctx, *pgDSN+sep+"search_path="+schema)
		must(err)
		return st, func() {
			st.Close()
			_, _ = admin.RawDB().Exec("DROP SCHEMA " + schema + " CASCADE")
			admin.Close()
		}
	}
	must(fmt.Errorf("unknown -db %q", *dbKind))
	return nil, nil
}

func serve(st store.Store) (string, func()) {
	srv := server.New(server.Config{Store: st, HostKey: "bench"})
	ctx, cancel := context.WithCancel(context.Background())
	go srv.Run(ctx)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	hs := &http.Server{Handler: srv.Handler()}
	go func() { _ = hs.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { cancel(); _ = hs.Close() }
}

func post(url, auth string, body any) []byte {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	must(err)
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	if res.StatusCode != 200 {
		must(fmt.Errorf("POST %s = %d %s", url, res.StatusCode, buf.String()))
	}
	return buf.Bytes()
}

func login(base, email string) string {
	var r wire.LoginResponse
	must(json.Unmarshal(post(base+"/api/v1/auth/login", "", wire.LoginRequest{Email: email, Password: seed.DemoPassword}), &r))
	return r.Token
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// harness holds the live subscribers.
type harness struct {
	base string
	// format is the live frames' format: "text", or "deflate" (the
	// subscribers ask for compress=deflate).
	format string
	conns  []*websocket.Conn
	wg     sync.WaitGroup
	frames atomic.Int64
	// heads holds, per subscriber, the highest head of a changes frame it
	// received: ingest waits until every subscriber has the last commit.
	heads []atomic.Int64
	// The first subscriber inflates every compressed frame, as a desktop
	// does: the time it took and the changes it found.
	inflateTime    atomic.Int64 // ns
	inflateChanges atomic.Int64
	// While recording, each subscriber notes when each frame arrived and
	// the head it brought (the latency run).
	recording atomic.Bool
	arrMu     []sync.Mutex
	arrivals  [][]arrival
}

type arrival struct {
	head int64
	at   time.Time
}

func newHarness(base, format string) *harness {
	if format != "text" && format != "deflate" {
		must(fmt.Errorf("-frames: %q is neither text nor deflate", format))
	}
	return &harness{base: base, format: format}
}

func (h *harness) subscribe(n int) {
	// Supervisors see every dialog: each subscriber receives every change,
	// the heaviest fan-out.
	tok := login(h.base, "sofia@demo.switchboard")
	h.heads = make([]atomic.Int64, n)
	h.arrMu, h.arrivals = make([]sync.Mutex, n), make([][]arrival, n)
	for i := range n {
		url := strings.Replace(h.base, "http", "ws", 1) + "/api/v1/sync/live?after=1000000000&token=" + tok
		if h.format == "deflate" {
			url += "&" + wire.LiveCompressParam + "=" + wire.LiveCompressDeflate
		}
		c, _, err := websocket.Dial(context.Background(), url, nil)
		must(err)
		c.SetReadLimit(64 << 20)
		h.conns = append(h.conns, c)
		h.wg.Go(func() {
			// One reused buffer per subscriber: the harness's own reading
			// shares the machine's two cores with the server. Unless a
			// frame's bytes are wanted, it is read in chunks and only its
			// tail kept (the head is the frame's last field), so the
			// harness does not grow 200 buffers to the largest frame.
			//
			// A compressed frame names its head in its header: the
			// subscribers read that and skip the rest, as they skip a text
			// frame's body, except the first, which inflates every frame as
			// a desktop does and counts what that costs.
			var buf bytes.Buffer
			chunk := make([]byte, 32<<10)
			var tail, header []byte
			var in wire.Inflater
			for {
				typ, r, err := c.Reader(context.Background())
				if err != nil {
					return
				}
				binary := typ == websocket.MessageBinary
				if binary && i == 0 {
					buf.Reset()
					if _, err := buf.ReadFrom(r); err != nil {
						return
					}
					tail = buf.Bytes()
					header = tail
				} else {
					tail, header = tail[:0], header[:0]
					for {
						m, err := r.Read(chunk)
						if m > 0 {
							if len(header) < 9 {
								header = append(header, chunk[:min(m, 9-len(header))]...)
							}
							if m >= 64 {
								tail = append(tail[:0], chunk[m-64:m]...)
							} else {
								tail = append(tail, chunk[:m]...)
								if len(tail) > 64 {
									tail = tail[len(tail)-64:]
								}
							}
						}
						if err == io.EOF {
							break
						}
						if err != nil {
							return
						}
					}
				}
				at := time.Now()
				h.frames.Add(1)
				var head int64
				if binary {
					head, err = wire.DeflateFrameHead(header)
					must(err)
					if i == 0 {
						t0 := time.Now()
						body, err := in.Inflate(buf.Bytes())
						must(err)
						h.inflateTime.Add(int64(time.Since(t0)))
						h.inflateChanges.Add(int64(bytes.Count(body, []byte(`{"seq":`))))
					}
				} else {
					head = frameHead(tail)
				}
				if head > h.heads[i].Load() {
					h.heads[i].Store(head)
				}
				if head > 0 && h.recording.Load() {
					h.arrMu[i].Lock()
					h.arrivals[i] = append(h.arrivals[i], arrival{head, at})
					h.arrMu[i].Unlock()
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
}

// frameHead reads the head of a changes frame from its last bytes (0 if
// there is none).
func frameHead(tail []byte) int64 {
	i := bytes.LastIndex(tail, []byte(`"head":`))
	if i < 0 {
		return 0
	}
	var n int64
	for _, c := range tail[i+7:] {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// waitDelivered waits until every subscriber has received a changes frame
// with a head at or past head.
func (h *harness) waitDelivered(head int64) {
	deadline := time.Now().Add(5 * time.Minute)
	for i := range h.heads {
		for h.heads[i].Load() < head {
			if time.Now().After(deadline) {
				must(fmt.Errorf("subscriber %d has head %d, not %d, after 5 minutes (dropped for falling behind?)", i, h.heads[i].Load(), head))
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func (h *harness) close() {
	for _, c := range h.conns {
		c.CloseNow()
	}
	h.wg.Wait()
}

func inboundEvent(id string, contact int, text string) server.IngestEvent {
	ch := []string{"ch-telegram", "ch-whatsapp", "ch-webchat", "ch-email"}[contact%4]
	p, _ := json.Marshal(inbox.InboundMessage{ChannelID: ch, ExternalID: id,
		Contact: inbox.InboundContact{ExternalID: fmt.Sprintf("bench-%d", contact), Name: fmt.Sprintf("Клиент %d", contact)}, Text: text})
	return server.IngestEvent{ID: id, Type: "inbound.message", Payload: p}
}

// ingest posts n messages from 8 concurrent hosts in batches of 100 and
// compares with raw inserts of as many rows in batches of the same size.
func (h *harness) ingest(st *sqlstore.Store, n int) {
	const batch, posters = 100, 8
	var next atomic.Int64
	cpu0, db0, lo0 := processCPU(), databaseCPU(st), loopbackBytes()
	trips0 := st.RoundTrips()
	start := time.Now()
	var wg sync.WaitGroup
	for range posters {
		wg.Go(func() {
			for {
				from := next.Add(batch) - batch
				if from >= int64(n) {
					return
				}
				req := server.IngestRequest{}
				for i := from; i < min(from+batch, int64(n)); i++ {
					req.Events = append(req.Events, inboundEvent(fmt.Sprintf("in-%d", i), int(i%2000), "Здравствуйте, вопрос по заказу №"+fmt.Sprint(i)))
				}
				post(h.base+"/api/v1/ingest", "Host bench", req)
			}
		})
	}
	wg.Wait()
	// Every result is in; the figure counts until every subscriber has
	// received the last commit too.
	head, err := st.Head(context.Background())
	must(err)
	h.waitDelivered(head)
	took := time.Since(start)
	rate := float64(n) / took.Seconds()
	cpu, dbCPU := processCPU()-cpu0, databaseCPU(st)-db0
	sent := loopbackBytes() - lo0
	trips := st.RoundTrips() - trips0

	// Raw: the same message rows, batched the same, straight into a table.
	db := st.RawDB()
	_, err = db.Exec(`CREATE TABLE bench_raw (id TEXT PRIMARY KEY, dialog_id TEXT NOT NULL, channel_id TEXT NOT NULL, external_id TEXT NOT NULL, created_at BIGINT NOT NULL, data TEXT NOT NULL)`)
	must(err)
	q := `INSERT INTO bench_raw (id, dialog_id, channel_id, external_id, created_at, data) VALUES (?, ?, ?, ?, ?, ?)`
	if st.Dialect() == "postgres" {
		q = `INSERT INTO bench_raw (id, dialog_id, channel_id, external_id, created_at, data) VALUES ($1, $2, $3, $4, $5, $6)`
	}
	data, _ := json.Marshal(inbox.Message{ID: "x", DialogID: "d", Kind: inbox.MsgInbound, Text: "Здравствуйте, вопрос по заказу №1", CreatedAt: time.Now()})
	start = time.Now()
	for from := 0; from < n; from += batch {
		tx, err := db.Begin()
		must(err)
		for i := from; i < min(from+batch, n); i++ {
			_, err := tx.Exec(q, fmt.Sprintf("raw-%d", i), "d", "ch", fmt.Sprint(i), i, string(data))
			must(err)
		}
		must(tx.Commit())
	}
	raw := float64(n) / time.Since(start).Seconds()
	auto := "off"
	if *autoMode != "" {
		auto = *autoMode
	}
	fmt.Printf("ingest  %-8s %6d messages, %d subscribers, %-7s frames, auto-assignment %s: %8.0f msg/s through the server | raw batched insert %8.0f rows/s | ratio %.2f\n",
		*dbKind, n, len(h.conns), h.format, auto, rate, raw, rate/raw)
	// CPU time spent, which the machine's other load inflates far less
	// than it does wall time: this process (server, its 200 sockets and the
	// harness's own posters and readers) and the PostgreSQL backends.
	fmt.Printf("ingest  %-8s CPU per 1,000 messages: this process %.0f ms, PostgreSQL backends %.0f ms; live frames sent %.1f MB (loopback)\n",
		*dbKind, float64(cpu.Milliseconds())*1000/float64(n), float64(dbCPU.Milliseconds())*1000/float64(n), float64(sent)/1e6)
	if st.Dialect() == "postgres" {
		fmt.Printf("ingest  %-8s round trips to PostgreSQL per 1,000 messages (everything the server sent, reads included): %.0f\n",
			*dbKind, float64(trips)*1000/float64(n))
	}
	if h.format == "deflate" {
		fmt.Printf("ingest  %-8s one desktop inflating every frame: %.1f ms per 1,000 messages (%d changes inflated)\n",
			*dbKind, float64(h.inflateTime.Load())/1e6*1000/float64(n), h.inflateChanges.Load())
	}
}

// loopbackBytes is what the loopback interface has carried so far (0 where
// /proc/net/dev does not tell): the subscribers' frames, mostly, plus the
// posts and PostgreSQL's traffic.
func loopbackBytes() int64 {
	b, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && name == "lo" {
			var n int64
			fmt.Sscan(rest, &n)
			return n
		}
	}
	return 0
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	must(syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// databaseCPU is the CPU time used so far by the PostgreSQL backends
// serving this database (read from /proc: the benchmark runs beside its
// PostgreSQL); 0 on SQLite or where /proc does not show them.
func databaseCPU(st *sqlstore.Store) time.Duration {
	if st.Dialect() != "postgres" {
		return 0
	}
	rows, err := st.RawDB().Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	must(err)
	defer rows.Close()
	var total time.Duration
	for rows.Next() {
		var pid int
		must(rows.Scan(&pid))
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime
		// are the 12th and 13th, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		var ut, stime int64
		fmt.Sscan(f[11], &ut)
		fmt.Sscan(f[12], &stime)
		total += time.Duration(ut+stime) * 10 * time.Millisecond
	}
	must(rows.Err())
	return total
}

// latency posts one message at a time and times its arrival at every
// subscriber; then a bare WebSocket echo round trip on the same loopback.
func (h *harness) latency(st *sqlstore.Store, n int) {
	// Each post's answer names the seq its message was stored at; a
	// subscriber has the message once a frame with a head at or past that
	// seq arrived. (Reading the head, not the body, as in the ingest run:
	// a desktop inflates and decodes a frame on its own machine.)
	for i := range h.arrivals {
		h.arrMu[i].Lock()
		h.arrivals[i] = h.arrivals[i][:0]
		h.arrMu[i].Unlock()
	}
	h.recording.Store(true)
	type sample struct {
		seq  int64
		sent time.Time
	}
	var samples []sample
	var answered []time.Duration // post → the ingest's answer (stored)
	trips0 := st.RoundTrips()
	for i := range n {
		t0 := time.Now()
		b := post(h.base+"/api/v1/ingest", "Host bench", server.IngestRequest{Events: []server.IngestEvent{inboundEvent(fmt.Sprintf("lat-%d", i), i%50, "ping")}})
		answered = append(answered, time.Since(t0))
		var res wire.CommandsResponse
		must(json.Unmarshal(b, &res))
		if len(res.Results) != 1 || !res.Results[0].OK || res.Results[0].Seq == 0 {
			must(fmt.Errorf("latency post %d = %s", i, b))
		}
		samples = append(samples, sample{res.Results[0].Seq, t0})
		time.Sleep(5 * time.Millisecond)
	}
	h.waitDelivered(samples[len(samples)-1].seq)
	h.recording.Store(false)
	trips := st.RoundTrips() - trips0
	var got []time.Duration
	for i := range h.arrivals {
		h.arrMu[i].Lock()
		arr := h.arrivals[i]
		k := 0
		for _, sm := range samples {
			for k < len(arr) && arr[k].head < sm.seq {
				k++
			}
			if k < len(arr) {
				got = append(got, arr[k].at.Sub(sm.sent))
			}
		}
		h.arrMu[i].Unlock()
	}
	echo := echoRTT(n * 4)
	fmt.Printf("live    %-8s %d samples x %d subscribers, %-7s frames (%d deliveries): p50 %s p99 %s | bare WebSocket echo p50 %s p99 %s\n",
		*dbKind, n, len(h.conns), h.format, len(got), ms(percentile(got, 0.5)), ms(percentile(got, 0.99)), ms(percentile(echo, 0.5)), ms(percentile(echo, 0.99)))
	commits := bareCommits(st, n)
	fmt.Printf("live    %-8s of which the post until the ingest answered (stored): p50 %s p99 %s | a bare one-row insert and commit: p50 %s p99 %s\n",
		*dbKind, ms(percentile(answered, 0.5)), ms(percentile(answered, 0.99)), ms(percentile(commits, 0.5)), ms(percentile(commits, 0.99)))
	if st.Dialect() == "postgres" {
		fmt.Printf("live    %-8s round trips to PostgreSQL per post (everything the server sent, reads included): %.2f\n",
			*dbKind, float64(trips)/float64(n))
	}
}

// bareCommits times n transactions of one small insert each, straight on
// the store's database: the floor a stored message's latency stands on
// (PostgreSQL waits for its WAL to reach the disk at every commit; SQLite
// in WAL mode with synchronous=NORMAL does not).
func bareCommits(st *sqlstore.Store, n int) []time.Duration {
	db := st.RawDB()
	_, err := db.Exec(`CREATE TABLE bench_commit (id BIGINT PRIMARY KEY, data TEXT NOT NULL)`)
	must(err)
	q := `INSERT INTO bench_commit (id, data) VALUES (?, ?)`
	if st.Dialect() == "postgres" {
		q = `INSERT INTO bench_commit (id, data) VALUES ($1, $2)`
	}
	out := make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		tx, err := db.Begin()
		must(err)
		_, err = tx.Exec(q, i, "ping")
		must(err)
		must(tx.Commit())
		out = append(out, time.Since(t0))
		time.Sleep(time.Millisecond)
	}
	return out
}

func echoRTT(n int) []time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			t, b, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if c.Write(r.Context(), t, b) != nil {
				return
			}
		}
	})}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	c, _, err := websocket.Dial(context.Background(), "ws://"+ln.Addr().String(), nil)
	must(err)
	defer c.CloseNow()
	msg := bytes.Repeat([]byte("x"), 600)
	var out []time.Duration
	for range n {
		t := time.Now()
		must(c.Write(context.Background(), websocket.MessageText, msg))
		_, _, err := c.Read(context.Background())
		must(err)
		out = append(out, time.Since(t))
	}
	return out
}

// fill writes d dialogs with per messages each straight through the store.
func fill(ctx context.Context, st store.Store, d, per int) {
	start := time.Now()
	const chunk = 500
	now := time.Now()
	for from := 0; from < d; from += chunk {
		must(st.Write(ctx, func(tx store.Tx) error {
			o := &inbox.Outcome{}
			for i := from; i < min(from+chunk, d); i++ {
				cid, did := fmt.Sprintf("bc-%d", i), fmt.Sprintf("bd-%d", i)
				ch := []string{"ch-telegram", "ch-whatsapp", "ch-webchat", "ch-email"}[i%4]
				line := map[string]string{"ch-telegram": "line-sales", "ch-whatsapp": "line-support", "ch-webchat": "line-support", "ch-email": "line-intl"}[ch]
				o.Clients = append(o.Clients, &inbox.Client{ID: cid, OriginalName: fmt.Sprintf("Клієнт %d", i), Contacts: []inbox.Contact{{ChannelID: ch, ExternalID: cid}}, CreatedAt: now})
				o.Dialogs = append(o.Dialogs, &inbox.Dialog{ID: did, Number: int64(1000 + i), ClientID: cid, ChannelID: ch, LineID: line, Status: inbox.StatusClosed, Detailed: inbox.DetClosed, CreatedAt: now, ModifiedAt: now})
				for j := range per {
					o.Messages = append(o.Messages, &inbox.Message{ID: fmt.Sprintf("bm-%d-%d", i, j), DialogID: did, ClientID: cid, ChannelID: ch, Kind: inbox.MsgInbound,
						Text: fmt.Sprintf("Сообщение %d в диалоге %d: где мой заказ?", j, i), ExternalID: fmt.Sprintf("bx-%d-%d", i, j), CreatedAt: now.Add(time.Duration(j) * time.Second)})
				}
			}
			_, err := tx.Apply(o)
			return err
		}))
	}
	fmt.Printf("fill    %-8s %d dialogs, %d messages written in %s\n", *dbKind, d, d*per, time.Since(start).Round(time.Second))
}

// pull bootstraps as a supervisor over HTTP, then reads the same log
// pages straight from the store, then bootstraps over HTTP again: the first
// pull follows the bulk fill at once (PostgreSQL still sets hint bits on
// the fresh rows then), the second reads a settled database as a desktop
// signing in later does. The last pull decodes with encoding/json instead
// of the desktop's decoder, for comparison.
func pull(ctx context.Context, st store.Store, base string) {
	tok := login(base, "sofia@demo.switchboard")
	fast := func(b []byte) (int, error) {
		p, err := wire.DecodePullResponse(b)
		return len(p.Changes), err
	}
	cold, rows, _ := httpPull(base, tok, fast)
	org, err := st.Org(ctx)
	must(err)
	v := store.ViewerOf(org, "op-sofia")
	start, cpu0 := time.Now(), processCPU()
	direct := 0
	for a := int64(0); ; {
		p, err := st.Pull(ctx, v, a, 10000)
		must(err)
		direct += len(p.Changes)
		a = p.Next
		if !p.More {
			break
		}
	}
	directRate := float64(direct) / time.Since(start).Seconds()
	directCPU := (processCPU() - cpu0) / time.Duration(max(direct, 1))
	std := func(b []byte) (int, error) {
		var p wire.PullResponse
		err := json.Unmarshal(b, &p)
		return len(p.Changes), err
	}
	// Settled: the desktop's decoder and encoding/json, alternated twice,
	// the better run of each (each pull warms the caches of the next).
	var warm, warmCPU, stdRate, stdCPU = 0.0, time.Duration(0), 0.0, time.Duration(0)
	for range 2 {
		if r, _, c := httpPull(base, tok, fast); r > warm {
			warm, warmCPU = r, c
		}
		if r, _, c := httpPull(base, tok, std); r > stdRate {
			stdRate, stdCPU = r, c
		}
	}
	fmt.Printf("pull    %-8s %d rows over HTTP+JSON: %8.0f rows/s right after the fill, %8.0f rows/s settled (better of two) | straight from the store %8.0f rows/s | ratio %.2f (settled)\n",
		*dbKind, rows, cold, warm, directRate, warm/directRate)
	fmt.Printf("pull    %-8s the same pull decoded by encoding/json instead of wire.DecodePullResponse (alternated with it): %8.0f rows/s | ratio %.2f\n",
		*dbKind, stdRate, stdRate/directRate)
	fmt.Printf("pull    %-8s CPU of this process per row (server and client, PostgreSQL not counted): settled pull %.2f µs, with encoding/json %.2f µs, the store alone %.2f µs\n",
		*dbKind, us(warmCPU), us(stdCPU), us(directCPU))
}

// httpPull bootstraps over HTTP as the desktop's sync client does: the next
// page is asked for as soon as this page's headers name it, while this page
// is still decoded. It returns rows/s and the rows.
func httpPull(base, tok string, decode func([]byte) (int, error)) (rate float64, rows int, cpuPerRow time.Duration) {
	start, cpu0 := time.Now(), processCPU()
	bodies := make(chan []byte, 1)
	go func() {
		defer close(bodies)
		for after := int64(0); ; {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/sync/pull?after=%d&limit=10000", base, after), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := http.DefaultClient.Do(req)
			must(err)
			// One buffer of the announced length, as the desktop reads it.
			buf := bytes.NewBuffer(make([]byte, 0, max(res.ContentLength, 0)+1))
			_, err = buf.ReadFrom(res.Body)
			must(err)
			body := buf.Bytes()
			res.Body.Close()
			bodies <- body
			if res.Header.Get(wire.PullMoreHeader) != "true" {
				return
			}
			fmt.Sscan(res.Header.Get(wire.PullNextHeader), &after)
		}
	}()
	for body := range bodies {
		n, err := decode(body)
		must(err)
		rows += n
	}
	return float64(rows) / time.Since(start).Seconds(), rows, (processCPU() - cpu0) / time.Duration(max(rows, 1))
}

// autoAssignEverywhere makes every demo line auto-assign in mode, worked
// by the supervisors' group too (the subscribers are Sofia, so she is
// online), every operator with capacity 100: ingest then pays for
// auto-assignment in each batch's write.
func autoAssignEverywhere(ctx context.Context, st store.Store, mode inbox.AutoAssign) {
	org, err := st.Org(ctx)
	must(err)
	must(st.Write(ctx, func(tx store.Tx) error {
		for _, l := range org.Lines {
			cp := *l
			cp.AutoAssign = mode
			cp.OperatorGroupIDs = append(slices.Clone(l.OperatorGroupIDs), "g-leads")
			if _, err := tx.PutOrg(wire.KindLine, cp.ID, &cp); err != nil {
				return err
			}
		}
		for _, o := range org.Operators {
			cp := *o
			cp.Capacity = 100
			if _, err := tx.PutOrg(wire.KindOperator, cp.ID, &cp); err != nil {
				return err
			}
		}
		return nil
	}))
}
