package relay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"switchboard/inbox"
	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
	"switchboard/server/store"
	"switchboard/wire"
)

// dispatchLoop hands queued outbound messages (and edits and deletes of
// sent ones) of the channels this relay runs to their plugins: at once when something commits, and on a period
// for retries.
func (r *Relay) dispatchLoop(ctx context.Context) {
	tick := time.NewTicker(r.cfg.RetryEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-tick.C:
		}
		for ctx.Err() == nil {
			n, err := r.dispatchOnce(ctx)
			if err != nil {
				r.log.Error("dispatch outbound messages", "error", err)
				break
			}
			if n == 0 {
				break
			}
		}
	}
}

// dispatchOnce hands over one round of the queue and says how many
// entries it settled (sent, changed, or failed for good).
func (r *Relay) dispatchOnce(ctx context.Context) (int, error) {
	chans := r.runningChannels()
	if len(chans) == 0 {
		return 0, nil
	}
	queue, err := r.cfg.Store.Dispatch(ctx, chans, 100)
	if err != nil {
		return 0, err
	}
	org, err := r.cfg.Store.Org(ctx)
	if err != nil {
		return 0, err
	}
	settled := 0
	now := r.cfg.Now()
	for _, q := range queue {
		key := retryKey(q)
		r.mu.Lock()
		wait := now.Before(r.retryAt[key])
		r.mu.Unlock()
		if wait {
			continue
		}
		done, err := r.handOver(ctx, org, q)
		if err != nil {
			return settled, err
		}
		r.mu.Lock()
		if done {
			delete(r.retryAt, key)
			settled++
		} else {
			r.retryAt[key] = now.Add(r.cfg.RetryEvery)
		}
		r.mu.Unlock()
	}
	return settled, nil
}

// retryKey names a queue entry for the retry timer: a newer change of the
// message does not wait for an older one's retry.
func retryKey(q store.Outbound) string { return fmt.Sprintf("%s@%d", q.Message.ID, q.Version) }

// handOver does what a queued message needs, as the message stands now: a
// message the channel does not have yet is sent (unless it was deleted
// meanwhile), one it has gets its latest edit or delete. It reports false
// when the entry should be tried again later (the plugin is down or
// restarting).
func (r *Relay) handOver(ctx context.Context, org *inbox.Org, q store.Outbound) (bool, error) {
	m := q.Message
	switch {
	case m.ExternalID == "" && !m.DeletedAt.IsZero():
		return r.settle(ctx, q, "out-"+m.ID, "inbound.delivery", inbox.InboundDelivery{ChannelID: m.ChannelID, MessageID: m.ID,
			State: inbox.DeliveryFailed, Reason: "Deleted before it was sent."})
	case m.ExternalID == "":
		return r.send(ctx, org, q)
	case q.Version == 0:
		// Sent, and the server stopped before taking it off the queue.
		return true, r.cfg.Store.Dispatched(ctx, m.ID, 0)
	}
	return r.change(ctx, q)
}

// send hands one message to its channel's plugin and records the outcome.
func (r *Relay) send(ctx context.Context, org *inbox.Org, q store.Outbound) (bool, error) {
	m := q.Message
	delivery := inbox.InboundDelivery{ChannelID: m.ChannelID, MessageID: m.ID}
	if q.ChatID == "" {
		delivery.State, delivery.Reason = inbox.DeliveryFailed, "The client has no contact on this channel."
	} else {
		lineID := ""
		if d, err := r.cfg.Store.Dialog(ctx, m.DialogID); err == nil {
			lineID = d.LineID
		}
		out := sdk.OutboundMessage{IdempotencyKey: m.ID, ChatID: q.ChatID, Text: m.Text, ReplyToExternalID: q.ReplyToExternalID,
			SenderName: senderName(org, lineID, m.AuthorID), Template: templateOf(m.Template)}
		for _, a := range m.Attachments {
			// The plugin reads the bytes with BlobGet from the server's file store.
			out.Attachments = append(out.Attachments, sdk.Attachment{Name: a.Name, MIMEType: a.MIME, Size: a.Size, BlobID: a.BlobID})
		}
		res, err := r.h.Send(ctx, m.ChannelID, out)
		var ce *sdk.ChannelError
		switch {
		case errors.As(err, &ce):
			delivery.State, delivery.Reason = inbox.DeliveryFailed, ce.Message
		case errors.Is(err, host.ErrNotRunning):
			r.log.Info("outbound message waits for its channel", "channel", m.ChannelID, "message", m.ID)
			return false, nil
		case err != nil:
			r.log.Warn("send through channel", "channel", m.ChannelID, "message", m.ID, "error", err)
			return false, nil
		default:
			delivery.ExternalID, delivery.State, delivery.Reason = res.ExternalID, deliveryOf(res.State), res.Reason
		}
	}
	r.log.Info("outbound message handed to its channel", "channel", m.ChannelID, "message", m.ID,
		"state", delivery.State, "reason", delivery.Reason)
	return r.settle(ctx, q, "out-"+m.ID, "inbound.delivery", delivery)
}

// change passes an operator's edit or delete of a message the channel has
// on to the plugin and records how the channel took it.
func (r *Relay) change(ctx context.Context, q store.Outbound) (bool, error) {
	m := q.Message
	what := inbox.ChangeEdit
	if !m.DeletedAt.IsZero() {
		what = inbox.ChangeDelete
	}
	report := inbox.ChangeDelivered{ChannelID: m.ChannelID, MessageID: m.ID, Version: q.Version, State: inbox.DeliverySent}
	conn, err := r.h.Connector(m.ChannelID)
	if err == nil {
		if what == inbox.ChangeDelete {
			err = conn.Delete(ctx, q.ChatID, m.ExternalID)
		} else {
			err = conn.Edit(ctx, q.ChatID, m.ExternalID, m.Text)
		}
	}
	var ce *sdk.ChannelError
	switch {
	case errors.As(err, &ce):
		report.State, report.Reason = inbox.DeliveryFailed, ce.Message
	case errors.Is(err, sdk.ErrUnsupported):
		report.State, report.Reason = inbox.DeliveryFailed, "The channel cannot "+string(what)+" messages."
	case errors.Is(err, host.ErrNotRunning):
		r.log.Info("message change waits for its channel", "channel", m.ChannelID, "message", m.ID)
		return false, nil
	case err != nil:
		r.log.Warn("change through channel", "channel", m.ChannelID, "message", m.ID, "change", what, "error", err)
		return false, nil
	}
	r.log.Info("message change handed to its channel", "channel", m.ChannelID, "message", m.ID, "change", what,
		"state", report.State, "reason", report.Reason)
	return r.settle(ctx, q, fmt.Sprintf("chg-%s-%d", m.ID, q.Version), report.Type(), report)
}

// settle records a queue entry's outcome with a system command and takes
// the entry off the queue.
func (r *Relay) settle(ctx context.Context, q store.Outbound, cmdID, typ string, payload any) (bool, error) {
	p, _ := json.Marshal(payload)
	if err := r.submit(ctx, wire.CommandEnvelope{ID: cmdID, Type: typ, Payload: p}); err != nil {
		return false, err
	}
	return true, r.cfg.Store.Dispatched(ctx, q.Message.ID, q.Version)
}

// senderName is what the customer sees as the author: the operator's name
// or the dialog's line's, as the line says.
func senderName(org *inbox.Org, lineID, authorID string) string {
	line, op := org.Lines[lineID], org.Operators[authorID]
	switch {
	case line != nil && line.NameShown == inbox.ShowLineName:
		return line.Name
	case op != nil:
		return op.Name
	case line != nil:
		return line.Name
	}
	return ""
}
