// Package chanhost hosts connector channels on an operator's desktop: it
// runs the plugins of a folder in the app's data dir (verified against the
// trusted publishers, watched for plugins dropped in), competes with the
// team server's instances and the other desktops for the channels' leases
// through the server's host API, and runs the channels it holds with the
// same plugins/hosting.Runner the server uses. Inbound events are stored
// by the server before the plugin's cursor is acknowledged; outbound
// messages come from the channel's queue and their delivery goes back.
//
//	h, err := chanhost.New(chanhost.Config{Server: url, Token: tok, Name: "laptop-1", PluginsDir: dir, DataDir: data, Trusted: keys})
//	go h.Run(ctx)
package chanhost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"switchboard/app/syncclient"
	"switchboard/plugins/host"
	"switchboard/plugins/hosting"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

// Config sets a desktop host up. Server, Token, Name, PluginsDir and
// DataDir are required.
type Config struct {
	Server string // the team server's address
	Token  string // the signed-in operator's session; it must manage channels
	HTTP   *http.Client
	// Name tells this host apart from the operator's other computers in
	// the lease table.
	Name       string
	PluginsDir string
	DataDir    string
	Trusted    manifest.TrustedKeys
	// LeaseTTL, RetryEvery and PollWait: see hosting.Config.
	LeaseTTL, RetryEvery, PollWait time.Duration
	Log                            *slog.Logger
	// Changed is told when a channel starts or stops running here. May be
	// nil; must not block.
	Changed    func(channelID string, running bool)
	HostConfig func(*host.Config)
}

// Host hosts channels on this desktop.
type Host struct {
	run *hosting.Runner
	api *syncclient.HostAPI
}

// New builds a desktop host.
func New(cfg Config) (*Host, error) {
	if cfg.Name == "" || cfg.Token == "" {
		return nil, errors.New("chanhost: Name and Token are required")
	}
	api, err := syncclient.NewHostAPI(cfg.HTTP, cfg.Server, cfg.Token, cfg.Name)
	if err != nil {
		return nil, err
	}
	run, err := hosting.New(hosting.Config{
		Team: api, PluginsDir: cfg.PluginsDir, DataDir: cfg.DataDir, Trusted: cfg.Trusted,
		Blobs:    blobs{api: api},
		LeaseTTL: cfg.LeaseTTL, RetryEvery: cfg.RetryEvery, PollWait: cfg.PollWait,
		Log: cfg.Log, Changed: cfg.Changed, HostConfig: cfg.HostConfig,
	})
	if err != nil {
		return nil, err
	}
	return &Host{run: run, api: api}, nil
}

// Run hosts channels until ctx ends, then stops the plugins and gives the
// leases back.
func (h *Host) Run(ctx context.Context) error { return h.run.Run(ctx) }

// Running lists the channels this desktop runs now.
func (h *Host) Running() []string { return h.run.RunningChannels() }

// Plugins is the plugin host (its catalog and channel states).
func (h *Host) Plugins() *host.Host { return h.run.Host() }

// blobs keeps attachment blobs in the team server's file store, as the
// server's own host does: a customer's file is fetched by operators under
// the same id, and an operator's file is what the plugin sends.
type blobs struct{ api *syncclient.HostAPI }

var _ host.BlobStore = blobs{}

func (b blobs) BlobPut(ctx context.Context, blob sdk.Blob) (string, error) {
	if len(blob.Data) > sdk.MaxBlobBytes {
		return "", &sdk.ChannelError{Code: "attachment_too_large",
			Message: fmt.Sprintf("%d bytes, the server stores at most %d", len(blob.Data), sdk.MaxBlobBytes)}
	}
	return b.api.PutBlob(ctx, blob.Data)
}

func (b blobs) BlobGet(ctx context.Context, id string) (sdk.Blob, error) {
	data, mime, err := b.api.GetBlob(ctx, id, sdk.MaxBlobBytes)
	if err != nil {
		return sdk.Blob{}, fmt.Errorf("blob get %q: %w", id, err)
	}
	return sdk.Blob{MIMEType: mime, Data: data}, nil
}
