package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"switchboard/app/chanhost"
	"switchboard/app/syncclient"
	"switchboard/plugins/manifest"
)

// EventHostingChanged tells the UI which channels this computer runs now
// (HostingView).
const EventHostingChanged = "hosting:changed"

// HostingView is what the settings show of channel hosting here.
type HostingView struct {
	// Enabled is the operator's choice "Host channels on this computer".
	Enabled bool `json:"enabled"`
	// Channels are the names of the channels this computer runs now.
	Channels []string `json:"channels"`
	// ErrorCode says why hosting does not run though enabled (auth.forbidden:
	// the operator does not manage channels).
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

// hosting runs a chanhost.Host while the operator is signed in and chose
// to host channels here. The plugins folder is "plugins" in the data dir,
// its trusted publishers "trusted-publishers" (as on the team server).
type hosting struct {
	c *core
	// applyMu serialises apply: the preference and the session both call it.
	applyMu sync.Mutex

	// mu guards the fields below.
	mu      sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	running map[string]bool
	errCode string
	errMsg  string
}

// hostName names this installation in the lease table: the computer's
// name and a random part kept in the data dir.
func (c *core) hostName() string {
	path := filepath.Join(c.cfg.DataDir, "host-id")
	id, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		id = []byte(hex.EncodeToString(b))
		_ = os.WriteFile(path, id, 0o600)
	}
	name, _ := os.Hostname()
	return name + "-" + strings.TrimSpace(string(id))
}

// apply starts or stops hosting as the preference and the session say.
func (g *hosting) apply(enabled bool) {
	g.applyMu.Lock()
	defer g.applyMu.Unlock()
	g.stop()
	if !enabled {
		g.changed()
		return
	}
	c := g.c
	c.mu.Lock()
	server, token := c.session.Server, c.token
	c.mu.Unlock()
	if token == "" {
		g.changed()
		return
	}
	trusted, err := manifest.LoadTrusted(filepath.Join(c.cfg.DataDir, "trusted-publishers"))
	if err == nil {
		err = g.start(server, token, trusted)
	}
	if err != nil {
		g.mu.Lock()
		g.errCode, g.errMsg = syncclient.CodeOf(err), err.Error()
		g.mu.Unlock()
	}
	g.changed()
}

func (g *hosting) start(server, token string, trusted manifest.TrustedKeys) error {
	c := g.c
	name := c.hostName()
	// Ask once first: an operator who does not manage channels gets told so
	// instead of a host asking in vain every few seconds.
	api, err := syncclient.NewHostAPI(c.http, server, token, name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := api.Channels(ctx); syncclient.CodeOf(err) == "auth.forbidden" {
		cancel()
		return err
	}
	running := map[string]bool{} // this start's; a stopped host's callbacks touch only theirs
	h, err := chanhost.New(chanhost.Config{Server: server, Token: token, HTTP: c.http, Name: name,
		PluginsDir: filepath.Join(c.cfg.DataDir, "plugins"), DataDir: filepath.Join(c.cfg.DataDir, "pluginhost"),
		Trusted: trusted, Log: slog.Default().With("part", "hosting"),
		Changed: func(id string, on bool) {
			g.mu.Lock()
			if on {
				running[id] = true
			} else {
				delete(running, id)
			}
			g.mu.Unlock()
			g.changed()
		}})
	if err != nil {
		cancel()
		return err
	}
	done := make(chan struct{})
	g.mu.Lock()
	g.cancel, g.done, g.running = cancel, done, running
	g.mu.Unlock()
	go func() {
		defer close(done)
		if err := h.Run(ctx); err != nil {
			g.mu.Lock()
			g.errCode, g.errMsg = syncclient.CodeOf(err), err.Error()
			g.mu.Unlock()
			g.changed()
		}
	}()
	return nil
}

// halt stops hosting when the session ends, after an apply under way.
func (g *hosting) halt() {
	g.applyMu.Lock()
	defer g.applyMu.Unlock()
	g.stop()
	g.changed()
}

// stop stops hosting (its plugins, and gives the leases back).
func (g *hosting) stop() {
	g.mu.Lock()
	cancel, done := g.cancel, g.done
	g.cancel, g.done, g.running = nil, nil, nil
	g.errCode, g.errMsg = "", ""
	g.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// view says what runs here, channels by name.
func (g *hosting) view(ctx context.Context, enabled bool) HostingView {
	g.mu.Lock()
	v := HostingView{Enabled: enabled, Channels: []string{}, ErrorCode: g.errCode, ErrorMessage: g.errMsg}
	ids := make([]string, 0, len(g.running))
	for id := range g.running {
		ids = append(ids, id)
	}
	g.mu.Unlock()
	c := g.c
	c.mu.Lock()
	rp := c.rp
	c.mu.Unlock()
	var names map[string]string
	if rp != nil {
		if org, err := c.orgOf(ctx, rp); err == nil {
			names = map[string]string{}
			for id, ch := range org.Channels {
				names[id] = ch.Name
			}
		}
	}
	for _, id := range ids {
		if n := names[id]; n != "" {
			id = n
		}
		v.Channels = append(v.Channels, id)
	}
	slices.Sort(v.Channels)
	return v
}

func (g *hosting) changed() {
	enabled := g.c.preferences().HostChannels
	g.c.emit(EventHostingChanged, g.view(context.Background(), enabled))
}
