package hosting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"slices"

	"switchboard/inbox"
	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
	"switchboard/wire"
)

// deliver stores a batch of events a channel's plugin received, in one
// submission (the server stores it in one transaction). The host
// acknowledges them to the plugin only when this returns nil, so a failure
// here means they come again; the server drops what it already stored.
func (r *Runner) deliver(ctx context.Context, channelID string, evs []host.InboundEvent) error {
	envs := make([]wire.CommandEnvelope, 0, len(evs))
	for _, ev := range evs {
		if ev.Typing != nil {
			r.clientTyping(ctx, channelID, ev)
			continue
		}
		env, ok, err := InboundEnvelope(channelID, ev)
		if err != nil {
			return err
		}
		if ok {
			envs = append(envs, env)
		}
	}
	if len(envs) == 0 {
		return nil
	}
	res, err := r.cfg.Team.Inbound(ctx, channelID, envs)
	if err != nil {
		return err
	}
	return r.refusedAs(envs, res)
}

// InboundEnvelope turns a connector event into the inbound command the
// team server stores; false for kinds the inbox does not keep (typing).
// The command's id names the channel, the event's cursor and its content:
// the same event delivered again is dropped by id, while another event
// under a reused cursor (a channel moved to a host whose plugin numbers
// its events anew) is still stored.
func InboundEnvelope(channelID string, ev host.InboundEvent) (wire.CommandEnvelope, bool, error) {
	typ, payload := inboundCommand(channelID, ev)
	if typ == "" {
		return wire.CommandEnvelope{}, false, nil
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return wire.CommandEnvelope{}, false, err
	}
	sum := sha256.Sum256(append([]byte(typ+"\x00"), p...))
	id := "in-" + channelID + "-" + ev.Cursor + "-" + hex.EncodeToString(sum[:6])
	return wire.CommandEnvelope{ID: id, Type: typ, Payload: p}, true, nil
}

// clientTyping passes a customer's typing to the operators of its dialog.
// It is kept nowhere: a failure costs one "typing…" and is only logged.
func (r *Runner) clientTyping(ctx context.Context, channelID string, ev host.InboundEvent) {
	id := ev.Typing.From.ExternalID
	if id == "" {
		id = ev.ChatID
	}
	if err := r.cfg.Team.Typing(ctx, channelID, id); err != nil {
		r.log.Warn("customer typing", "channel", channelID, "err", err)
	}
}

// inboundCommand maps a connector event to an inbound command of the inbox.
func inboundCommand(channelID string, ev host.InboundEvent) (string, any) {
	contact := func(c sdk.Contact) inbox.InboundContact {
		id := c.ExternalID
		if id == "" {
			id = ev.ChatID
		}
		handle := c.Username
		for _, h := range []string{c.Phone, c.Email} {
			if handle == "" {
				handle = h
			}
		}
		return inbox.InboundContact{ExternalID: id, Name: c.DisplayName, Handle: handle}
	}
	ref := func(ext string) map[string]any { return map[string]any{"channelId": channelID, "externalId": ext} }
	switch {
	case ev.Message != nil:
		m := ev.Message
		in := inbox.InboundMessage{ChannelID: channelID, ExternalID: m.ExternalID, Contact: contact(m.From),
			Text: m.Text, ReplyToExternalID: m.ReplyToExternalID, SentAt: ev.OccurredAt}
		for _, a := range m.Attachments {
			in.Attachments = append(in.Attachments, inbox.Attachment{BlobID: a.BlobID, Name: a.Name, MIME: a.MIMEType, Size: a.Size})
		}
		return "inbound.message", in
	case ev.Edit != nil:
		p := ref(ev.Edit.ExternalID)
		p["text"] = ev.Edit.Text
		return "inbound.edit", p
	case ev.Delete != nil:
		return "inbound.delete", ref(ev.Delete.ExternalID)
	case ev.Delivery != nil:
		return "inbound.delivery", inbox.InboundDelivery{ChannelID: channelID, ExternalID: ev.Delivery.ExternalID,
			State: deliveryOf(ev.Delivery.State), Reason: ev.Delivery.Reason}
	case ev.Profile != nil:
		return "inbound.profile", inbox.InboundProfile{ChannelID: channelID, Contact: contact(*ev.Profile)}
	case ev.Action != nil:
		detail := ""
		for _, k := range slices.Sorted(maps.Keys(ev.Action.Details)) {
			if detail != "" {
				detail += ", "
			}
			detail += k + ": " + ev.Action.Details[k]
		}
		return "inbound.action", inbox.InboundAction{ChannelID: channelID, ExternalID: ev.Cursor,
			Contact: contact(ev.Action.Contact), Action: ev.Action.Action, Detail: detail}
	}
	return "", nil
}

// deliveryOf maps a channel's delivery state; an unknown one means the
// channel took the message.
func deliveryOf(s sdk.DeliveryState) inbox.Delivery {
	switch s {
	case sdk.DeliveryDelivered:
		return inbox.DeliveryDelivered
	case sdk.DeliveryRead:
		return inbox.DeliveryRead
	case sdk.DeliveryFailed:
		return inbox.DeliveryFailed
	}
	return inbox.DeliverySent
}
