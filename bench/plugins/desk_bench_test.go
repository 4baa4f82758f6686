package plugins_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"switchboard/app/chanhost"
	"switchboard/app/syncclient"
	"switchboard/server/seed"
)

// deskStream is serverStream with the channel hosted by a desktop: the
// same plugin and host, the events posted in batches over loopback HTTP to
// the team server's host API, timed from the desktop host's start to the
// last event stored and acknowledged.
func deskStream(b *testing.B, bin string) float64 {
	t := newBenchTeam(b, bin, fmt.Sprintf(`{"greeting":"x","flood":%d}`, floodEvents))
	hs := httptest.NewServer(t.srv.Handler())
	login, err := syncclient.Login(t.ctx, http.DefaultClient, hs.URL, "admin@demo.switchboard", seed.DemoPassword)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	h, err := chanhost.New(chanhost.Config{Server: hs.URL, Token: login.Token, Name: "bench-desk",
		PluginsDir: filepath.Join(t.root, "plugins"), DataDir: filepath.Join(t.root, "desk"), Trusted: t.trusted,
		LeaseTTL: 3 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.ctx)
	done := make(chan struct{})
	go func() { _ = h.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; hs.Close(); t.cancel(); t.st.Close() }()
	last := fmt.Sprintf("%020d", floodEvents)
	for {
		if st, _ := h.Plugins().Status("ch-bench"); st.Acked == last {
			break
		}
		time.Sleep(time.Millisecond)
	}
	return float64(floodEvents) / time.Since(start).Seconds()
}
