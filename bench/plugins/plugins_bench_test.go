// Package plugins_test measures the connector plugin path with real plugin
// processes: start-up, a unary call, and inbound events per second over the
// bare go-plugin stream beside the same stream through the connector host
// (Deliver callback, cursor bookkeeping, batched Acks).
//
//	go test -run '^$' -bench . -benchtime 3x ./bench/plugins
//
// Each stream benchmark reports events/s; BenchmarkStreamSideBySide prints
// both and their ratio in one run, on the same machine.
package plugins_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"crypto/ed25519"
	"crypto/rand"

	"github.com/hashicorp/go-hclog"

	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

const floodEvents = 50_000

func build(b *testing.B) string {
	b.Helper()
	out := filepath.Join(b.TempDir(), "echo")
	if o, err := exec.Command("go", "build", "-o", out, "switchboard/plugins/internal/testconnector").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, o)
	}
	return out
}

func verified(b *testing.B, bin string) *manifest.Verified {
	sum, err := manifest.FileSHA256(bin)
	if err != nil {
		b.Fatal(err)
	}
	return &manifest.Verified{Manifest: manifest.Manifest{ID: "echo"}, Dir: filepath.Dir(bin), Exec: bin, Checksum: sum, Protocol: host.Protocols}
}

func launch(b *testing.B, v *manifest.Verified, sock string) (func(), *sdk.GRPCConnector) {
	svc, _ := host.NewServices("", hclog.NewNullLogger())
	client, conn, err := host.Launch(v, svc, sock, hclog.NewNullLogger())
	if err != nil {
		b.Fatal(err)
	}
	return client.Kill, conn
}

func BenchmarkStart(b *testing.B) {
	v := verified(b, build(b))
	sock := b.TempDir()
	b.ResetTimer()
	for range b.N {
		kill, conn := launch(b, v, sock)
		if _, err := conn.Describe(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		kill()
		b.StartTimer()
	}
}

func BenchmarkUnary(b *testing.B) {
	kill, conn := launch(b, verified(b, build(b)), b.TempDir())
	defer kill()
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if err := conn.Health(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// bareStream receives n flood events straight off the plugin's stream.
func bareStream(b *testing.B, v *manifest.Verified) float64 {
	kill, conn := launch(b, v, b.TempDir())
	defer kill()
	ctx := context.Background()
	if _, err := conn.Configure(ctx, sdk.ConfigureRequest{ChannelID: "c", Settings: fmt.Appendf(nil, `{"greeting":"x","flood":%d}`, floodEvents)}); err != nil {
		b.Fatal(err)
	}
	n := 0
	done := errors.New("done")
	start := time.Now()
	err := conn.Receive(ctx, "", func(sdk.Event) error {
		n++
		if n == floodEvents {
			return done
		}
		return nil
	})
	if !errors.Is(err, done) {
		b.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}

// hostStream receives n flood events through a Host with the given state
// mode, counting them in Deliver.
func hostStream(b *testing.B, bin string, memory bool) float64 {
	root := b.TempDir()
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

	var n atomic.Int64
	all := make(chan struct{})
	h, err := host.New(host.Config{PluginsDir: filepath.Join(root, "plugins"), DataDir: filepath.Join(root, "data"),
		Trusted: manifest.TrustedKeys{"bench": {pub}}, MemoryState: memory, Logger: hclog.NewNullLogger(),
		Deliver: func(context.Context, string, host.InboundEvent) error {
			if n.Add(1) == floodEvents {
				close(all)
			}
			return nil
		}})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	if err := h.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := h.AddChannel(context.Background(), host.Channel{ID: "c", PluginID: "echo",
		Settings: fmt.Appendf(nil, `{"greeting":"x","flood":%d}`, floodEvents)}); err != nil {
		b.Fatal(err)
	}
	<-all
	return float64(floodEvents) / time.Since(start).Seconds()
}

func BenchmarkStreamBare(b *testing.B) {
	v := verified(b, build(b))
	var rate float64
	for range b.N {
		rate = bareStream(b, v)
	}
	b.ReportMetric(rate, "events/s")
}

func BenchmarkStreamHost(b *testing.B) {
	bin := build(b)
	var rate float64
	for range b.N {
		rate = hostStream(b, bin, false)
	}
	b.ReportMetric(rate, "events/s")
}

// BenchmarkStreamSideBySide runs the bare stream and the host path (with
// cursors in files and in memory) in one run and prints them together.
func BenchmarkStreamSideBySide(b *testing.B) {
	bin := build(b)
	v := verified(b, bin)
	var bare, files, mem float64
	for range b.N {
		bare = bareStream(b, v)
		files = hostStream(b, bin, false)
		mem = hostStream(b, bin, true)
	}
	b.ReportMetric(bare, "bare-events/s")
	b.ReportMetric(files, "host-events/s")
	b.ReportMetric(files/bare, "host/bare")
	b.Logf("\n%-34s %12s\n%-34s %12.0f\n%-34s %12.0f  (%.2f of bare)\n%-34s %12.0f  (%.2f of bare)",
		"inbound stream, real plugin", "events/s",
		"bare go-plugin stream", bare,
		"through host, cursor in a file", files, files/bare,
		"through host, cursor in memory", mem, mem/bare)
}
