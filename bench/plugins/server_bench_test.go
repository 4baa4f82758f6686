package plugins_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/server"
	"switchboard/server/relay"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// serverRig is a team server on SQLite with the demo workspace and a relay
// hosting the test connector as channel ch-bench.
type serverRig struct {
	st     store.Store
	rl     *relay.Relay
	cancel context.CancelFunc
	done   chan struct{}
}

// benchTeam is a team server on SQLite with the demo workspace, channel
// ch-bench of the test connector, and the connector signed into
// root/plugins.
type benchTeam struct {
	st      store.Store
	srv     *server.Server
	root    string
	trusted manifest.TrustedKeys
	ctx     context.Context
	cancel  context.CancelFunc
}

func newBenchTeam(b *testing.B, bin, settings string) *benchTeam {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	root := b.TempDir()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(root, "sb.db"))
	if err != nil {
		b.Fatal(err)
	}
	if err := seed.Demo(ctx, st, time.Now()); err != nil {
		b.Fatal(err)
	}
	err = st.Write(ctx, func(tx store.Tx) error {
		_, err := tx.PutOrg(wire.KindChannel, "ch-bench", &inbox.Channel{ID: "ch-bench", Name: "Bench", Kind: inbox.KindWebchat,
			ConnectorID: "echo", LineID: "line-support", State: inbox.ChannelActive})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.PutChannelSettings(ctx, "ch-bench", []byte(settings)); err != nil {
		b.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	dir := filepath.Join(root, "plugins", "echo")
	os.MkdirAll(dir, 0o755)
	raw, _ := os.ReadFile(bin)
	os.WriteFile(filepath.Join(dir, "echo"), raw, 0o755)
	sum, _ := manifest.FileSHA256(bin)
	m := manifest.Manifest{ID: "echo", Name: "Echo", Version: "1.0.0", Publisher: "bench", ProtocolVersions: []int{1},
		Executables: map[string]manifest.Executable{manifest.Platform(runtime.GOOS, runtime.GOARCH): {Path: "echo", SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, key)
	os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644)

	srv := server.New(server.Config{Store: st})
	go srv.Run(ctx)
	return &benchTeam{st: st, srv: srv, root: root, trusted: manifest.TrustedKeys{"bench": {pub}}, ctx: ctx, cancel: cancel}
}

func newServerRig(b *testing.B, bin, settings string, tweak func(*host.Config)) *serverRig {
	b.Helper()
	t := newBenchTeam(b, bin, settings)
	rl, err := relay.New(relay.Config{Server: t.srv, Store: t.st, PluginsDir: filepath.Join(t.root, "plugins"),
		DataDir: filepath.Join(t.root, "relay"), Trusted: t.trusted, LeaseTTL: 3 * time.Second,
		HostConfig: tweak})
	if err != nil {
		b.Fatal(err)
	}
	r := &serverRig{st: t.st, rl: rl, cancel: t.cancel, done: make(chan struct{})}
	go func() { _ = rl.Run(t.ctx); close(r.done) }()
	b.Cleanup(func() { t.cancel(); <-r.done; t.st.Close() })
	return r
}

func (r *serverRig) status() host.ChannelStatus {
	st, _ := r.rl.Host().Status("ch-bench")
	return st
}

// serverStream stores floodEvents inbound messages from 1,000 customers
// through the plugin, the host and the team server's relay, timed from
// the relay's start to the last event stored and acknowledged.
func serverStream(b *testing.B, bin string) float64 {
	start := time.Now()
	r := newServerRig(b, bin, fmt.Sprintf(`{"greeting":"x","flood":%d}`, floodEvents), nil)
	last := fmt.Sprintf("%020d", floodEvents)
	for r.status().Acked != last {
		time.Sleep(time.Millisecond)
	}
	return float64(floodEvents) / time.Since(start).Seconds()
}

// BenchmarkInboundToServer prints the bare go-plugin stream beside the
// whole inbound path into the team server's database, in one run.
func BenchmarkInboundToServer(b *testing.B) {
	bin := build(b)
	v := verified(b, bin)
	var bare, srv, desk float64
	for range b.N {
		bare = bareStream(b, v)
		srv = serverStream(b, bin)
		desk = deskStream(b, bin)
	}
	b.ReportMetric(bare, "bare-events/s")
	b.ReportMetric(srv, "server-events/s")
	b.ReportMetric(desk, "desktop-events/s")
	b.ReportMetric(srv/bare, "server/bare")
	b.ReportMetric(desk/srv, "desktop/server")
	b.Logf("\n%-60s %12s\n%-60s %12.0f\n%-60s %12.0f  (%.2f of bare)\n%-60s %12.0f  (%.2f of server-hosted)",
		"inbound, real plugin, 1,000 customers", "events/s",
		"bare go-plugin stream", bare,
		"plugin -> host -> relay -> team server (SQLite)", srv, srv/bare,
		"plugin -> desktop host -> HTTP host API -> team server (SQLite)", desk, desk/srv)
}

// BenchmarkRestartToFirstEvent kills the plugin with SIGKILL, has a
// customer write as soon as the restarted plugin listens, and times kill
// to that message stored by the server. The host's first restart waits
// its default 200 ms backoff.
func BenchmarkRestartToFirstEvent(b *testing.B) {
	bin := build(b)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	// Every kill counts as a crash: let it crash as often as the run needs
	// (the default gives up after 3 within an hour), and let each kill meet
	// a plugin that ran long enough for the backoff to start over at its
	// first step (200 ms), as a rare crash in production does.
	r := newServerRig(b, bin, fmt.Sprintf(`{"greeting":"x","listen":%q}`, addr), func(c *host.Config) {
		c.MaxCrashes, c.MaxBackoff = b.N+2, time.Second
	})
	for r.status().State != host.StateRunning {
		time.Sleep(time.Millisecond)
	}
	var took []time.Duration
	b.ResetTimer()
	for i := range b.N {
		pid := r.status().PID
		before := r.status().Acked
		killed := time.Now()
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		for {
			st := r.status()
			if st.State == host.StateRunning && st.PID != pid {
				res, err := http.Post(fmt.Sprintf("http://%s/in?text=after-crash-%d", addr, i), "text/plain", strings.NewReader(""))
				if err == nil {
					res.Body.Close()
					if res.StatusCode/100 == 2 {
						break
					}
				}
			}
			time.Sleep(time.Millisecond)
		}
		for r.status().Acked == before {
			time.Sleep(time.Millisecond)
		}
		took = append(took, time.Since(killed))
		time.Sleep(1100 * time.Millisecond) // calm: the backoff starts over
	}
	b.StopTimer()
	slices.Sort(took)
	p50 := took[len(took)/2]
	b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
	b.Logf("kill -9 -> restarted plugin -> first event stored: p50 %s over %d restarts", p50.Round(time.Millisecond), len(took))
}
