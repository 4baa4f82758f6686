package relay

import (
	"context"
	"fmt"
	"time"

	"switchboard/inbox"
	"switchboard/plugins/hosting"
	"switchboard/server"
	"switchboard/server/store"
	"switchboard/wire"
)

// team is the team server as a host inside it reaches it: its store for
// the leases, and the same Server methods the host API serves desktops.
type team struct {
	srv    *server.Server
	st     store.Store
	holder string
	now    func() time.Time
}

var _ hosting.TeamServer = team{}

func (t team) Acquire(ctx context.Context, channelID string, ttl time.Duration) (bool, error) {
	return t.st.AcquireLease(ctx, channelID, t.holder, t.now(), ttl)
}

func (t team) Release(ctx context.Context, channelID string) error {
	return t.st.ReleaseLease(ctx, channelID, t.holder)
}

func (t team) Channels(ctx context.Context) ([]wire.HostedChannel, error) {
	return t.srv.HostedChannels(ctx)
}

func (t team) Inbound(ctx context.Context, channelID string, envs []wire.CommandEnvelope) ([]wire.CommandResult, error) {
	return t.srv.IngestChannel(ctx, channelID, envs)
}

func (t team) Typing(ctx context.Context, channelID, externalID string) error {
	return t.srv.ClientTyping(ctx, channelID, externalID)
}

func (t team) ChannelFailed(ctx context.Context, channelID, reason string) error {
	return t.srv.SetChannelState(ctx, channelID, inbox.ChannelFailed, reason)
}

func (t team) Capabilities(ctx context.Context, channelID string, caps inbox.Capabilities) error {
	return t.srv.SetChannelCapabilities(ctx, channelID, caps)
}

func (t team) Outbound(ctx context.Context, channelID string, wait time.Duration) ([]wire.OutboundTask, error) {
	return t.srv.WaitOutbound(ctx, channelID, wait)
}

func (t team) Settle(ctx context.Context, channelID string, results []wire.OutboundResult) error {
	if err := t.srv.SettleOutbound(ctx, channelID, results); err != nil {
		return fmt.Errorf("settle outbound of channel %s: %w", channelID, err)
	}
	return nil
}
