package hosting

import (
	"context"
	"errors"

	"switchboard/inbox"
	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
	"switchboard/wire"
)

// dispatchLoop hands a running channel's queued outbound tasks to its
// plugin until ctx ends (the channel stopped here): it asks the team
// server for them, waiting for one to be queued, and reports each outcome
// as soon as the channel answered. A task the plugin could not take (down,
// restarting) is asked for again after RetryEvery.
func (r *Runner) dispatchLoop(ctx context.Context, channelID string) {
	for ctx.Err() == nil {
		tasks, err := r.cfg.Team.Outbound(ctx, channelID, r.cfg.PollWait)
		if err != nil {
			if ctx.Err() == nil {
				r.log.Warn("read outbound messages", "channel", channelID, "error", err)
				sleep(ctx, r.cfg.RetryEvery)
			}
			continue
		}
		retry := false
		for _, t := range tasks {
			if ctx.Err() != nil {
				return
			}
			res, ok := r.handOver(ctx, t)
			if !ok {
				retry = true
				continue
			}
			if err := r.cfg.Team.Settle(ctx, channelID, []wire.OutboundResult{res}); err != nil {
				r.log.Warn("report outbound result", "channel", channelID, "message", t.MessageID, "error", err)
				retry = true
			}
		}
		if retry {
			sleep(ctx, r.cfg.RetryEvery)
		}
	}
}

// handOver does what a task asks of the channel's plugin. It reports false
// when the task should be tried again later (the plugin is down or
// restarting, or failed in a way that is not the channel's answer).
func (r *Runner) handOver(ctx context.Context, t wire.OutboundTask) (wire.OutboundResult, bool) {
	if t.Action == wire.OutboundSend {
		return r.send(ctx, t)
	}
	return r.change(ctx, t)
}

// send hands one message to its channel's plugin.
func (r *Runner) send(ctx context.Context, t wire.OutboundTask) (wire.OutboundResult, bool) {
	res := wire.OutboundResult{MessageID: t.MessageID, Version: t.Version, Action: t.Action}
	out := sdk.OutboundMessage{IdempotencyKey: t.MessageID, ChatID: t.ChatID, Text: t.Text,
		ReplyToExternalID: t.ReplyToExternalID, SenderName: t.SenderName, Template: templateOf(t.Template)}
	for _, a := range t.Attachments {
		// The plugin reads the bytes with BlobGet from the team server's file store.
		out.Attachments = append(out.Attachments, sdk.Attachment{Name: a.Name, MIMEType: a.MIME, Size: a.Size, BlobID: a.BlobID})
	}
	sent, err := r.h.Send(ctx, t.ChannelID, out)
	var ce *sdk.ChannelError
	switch {
	case errors.As(err, &ce):
		res.State, res.Reason = inbox.DeliveryFailed, ce.Message
	case errors.Is(err, host.ErrNotRunning):
		r.log.Info("outbound message waits for its channel", "channel", t.ChannelID, "message", t.MessageID)
		return res, false
	case err != nil:
		r.log.Warn("send through channel", "channel", t.ChannelID, "message", t.MessageID, "error", err)
		return res, false
	default:
		res.ExternalID, res.State, res.Reason = sent.ExternalID, deliveryOf(sent.State), sent.Reason
	}
	r.log.Info("outbound message handed to its channel", "channel", t.ChannelID, "message", t.MessageID,
		"state", res.State, "reason", res.Reason)
	return res, true
}

// change passes an operator's edit or delete of a message the channel has
// on to the plugin.
func (r *Runner) change(ctx context.Context, t wire.OutboundTask) (wire.OutboundResult, bool) {
	res := wire.OutboundResult{MessageID: t.MessageID, Version: t.Version, Action: t.Action, State: inbox.DeliverySent}
	conn, err := r.h.Connector(t.ChannelID)
	if err == nil {
		if t.Action == wire.OutboundDelete {
			err = conn.Delete(ctx, t.ChatID, t.ExternalID)
		} else {
			err = conn.Edit(ctx, t.ChatID, t.ExternalID, t.Text)
		}
	}
	var ce *sdk.ChannelError
	switch {
	case errors.As(err, &ce):
		res.State, res.Reason = inbox.DeliveryFailed, ce.Message
	case errors.Is(err, sdk.ErrUnsupported):
		res.State, res.Reason = inbox.DeliveryFailed, "The channel cannot "+t.Action+" messages."
	case errors.Is(err, host.ErrNotRunning):
		r.log.Info("message change waits for its channel", "channel", t.ChannelID, "message", t.MessageID)
		return res, false
	case err != nil:
		r.log.Warn("change through channel", "channel", t.ChannelID, "message", t.MessageID, "change", t.Action, "error", err)
		return res, false
	}
	r.log.Info("message change handed to its channel", "channel", t.ChannelID, "message", t.MessageID, "change", t.Action,
		"state", res.State, "reason", res.Reason)
	return res, true
}
