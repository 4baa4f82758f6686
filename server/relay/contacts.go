package relay

import (
	"context"
	"errors"
	"fmt"

	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
	"switchboard/server"
	"switchboard/wire"
)

// CheckContact asks the plugin of a channel this relay runs whether a
// phone or address can be written to (the server's check-contact API). A
// channel running elsewhere, or not at all, is server.ErrChannelNotHere;
// the channel's own refusal is a *server.ChannelRefusal.
func (r *Relay) CheckContact(ctx context.Context, channelID string, q wire.ContactCheckRequest) (wire.ContactCheck, error) {
	if !r.run.Running(channelID) {
		return wire.ContactCheck{}, fmt.Errorf("channel %s: %w", channelID, server.ErrChannelNotHere)
	}
	conn, err := r.run.Host().Connector(channelID)
	if errors.Is(err, host.ErrNotRunning) {
		return wire.ContactCheck{}, fmt.Errorf("channel %s: %w", channelID, server.ErrChannelNotHere)
	}
	if err != nil {
		return wire.ContactCheck{}, err
	}
	res, err := conn.CheckContact(ctx, sdk.ContactQuery{Phone: q.Phone, Address: q.Address})
	var ce *sdk.ChannelError
	switch {
	case errors.As(err, &ce):
		return wire.ContactCheck{}, &server.ChannelRefusal{Code: ce.Code, Message: ce.Message}
	case errors.Is(err, sdk.ErrUnsupported):
		return wire.ContactCheck{}, &server.ChannelRefusal{Code: "unsupported", Message: "This channel's connector cannot check contacts."}
	case err != nil:
		return wire.ContactCheck{}, fmt.Errorf("channel %s: %w", channelID, err)
	}
	r.log.Info("contact checked", "channel", channelID, "reachable", res.Reachable)
	return wire.ContactCheck{Reachable: res.Reachable, ChatID: res.ChatID}, nil
}
