package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// What a connector host needs of the team server, whether it runs in this
// process (server/relay) or on a desktop (the /api/v1/host API): one
// implementation of the channel list, inbound ingestion and the outbound
// queue, so both kinds of host behave alike.

// HostedChannels lists the workspace's channels that have a connector and
// are neither disabled nor failed, with their settings.
func (s *Server) HostedChannels(ctx context.Context) ([]wire.HostedChannel, error) {
	org, err := s.st.Org(ctx)
	if err != nil {
		return nil, err
	}
	out := []wire.HostedChannel{}
	for _, ch := range org.Channels {
		if ch.ConnectorID == "" || ch.State == inbox.ChannelDisabled || ch.State == inbox.ChannelFailed {
			continue
		}
		settings, err := s.st.ChannelSettings(ctx, ch.ID)
		if err != nil {
			return nil, err
		}
		if settings == nil {
			settings = []byte("{}")
		}
		out = append(out, wire.HostedChannel{ID: ch.ID, ConnectorID: ch.ConnectorID, Settings: settings})
	}
	return out, nil
}

// IngestChannel stores inbound commands a channel's plugin produced, in
// one submission, and answers once they are stored: the host acknowledges
// the plugin's cursor only then. Every command must be an inbound one of
// this very channel. Commands already stored (same id) or messages the
// channel already delivered (same external id) are dropped by the rules.
func (s *Server) IngestChannel(ctx context.Context, channelID string, envs []wire.CommandEnvelope) ([]wire.CommandResult, error) {
	for i, env := range envs {
		if !strings.HasPrefix(env.Type, "inbound.") {
			return nil, errorf(http.StatusUnprocessableEntity, "host.event_type", "Event %d has type %q; a host posts only inbound events.", i+1, env.Type)
		}
		var ref struct {
			ChannelID string `json:"channelId"`
		}
		if err := json.Unmarshal(env.Payload, &ref); err != nil || ref.ChannelID != channelID {
			return nil, errorf(http.StatusUnprocessableEntity, "host.event_channel", "Event %d is not an event of channel %s.", i+1, channelID)
		}
		// The channel's own id space: a host cannot pass an event off as
		// another command (an operator's, or another channel's event).
		if !strings.HasPrefix(env.ID, "in-"+channelID+"-") {
			return nil, errorf(http.StatusUnprocessableEntity, "host.event_id", "Event %d has id %q; a channel's event ids start with in-%s-.", i+1, env.ID, channelID)
		}
	}
	if len(envs) == 0 {
		return []wire.CommandResult{}, nil
	}
	return s.eng.submit(ctx, "", envs)
}

// outboundBell rings whenever the change log grows, waking the hosts that
// wait for their channel's queue.
type outboundBell struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel closed at the next ring.
func (b *outboundBell) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch == nil {
		b.ch = make(chan struct{})
	}
	return b.ch
}

func (b *outboundBell) ring() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ch != nil {
		close(b.ch)
		b.ch = nil
	}
}

// WaitOutbound returns the channel's queued outbound tasks, waiting up to
// wait for one to be queued when there is none.
func (s *Server) WaitOutbound(ctx context.Context, channelID string, wait time.Duration) ([]wire.OutboundTask, error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		rang := s.bell.wait() // before reading, so a commit meanwhile is not missed
		tasks, err := s.OutboundTasks(ctx, channelID, 100)
		if err != nil || len(tasks) > 0 {
			return tasks, err
		}
		select {
		case <-rang:
		case <-deadline.C:
			return tasks, nil
		case <-ctx.Done():
			return tasks, nil
		}
	}
}

// OutboundTasks reads up to limit queued entries of the channel and says
// what its plugin must do with each, as the message stands now. Entries
// that need no plugin are settled here: a message deleted before it was
// sent fails, one whose client has no contact on the channel fails, and
// one already sent (the host stopped before taking it off the queue)
// leaves the queue.
func (s *Server) OutboundTasks(ctx context.Context, channelID string, limit int) ([]wire.OutboundTask, error) {
	queue, err := s.st.Dispatch(ctx, []string{channelID}, limit)
	if err != nil {
		return nil, err
	}
	org, err := s.st.Org(ctx)
	if err != nil {
		return nil, err
	}
	tasks := []wire.OutboundTask{}
	for _, q := range queue {
		m := q.Message
		fail := func(reason string) error {
			return s.SettleOutbound(ctx, channelID, []wire.OutboundResult{{MessageID: m.ID, Version: q.Version,
				Action: wire.OutboundSend, State: inbox.DeliveryFailed, Reason: reason}})
		}
		t := wire.OutboundTask{ChannelID: channelID, MessageID: m.ID, Version: q.Version, ChatID: q.ChatID,
			Text: m.Text, ExternalID: m.ExternalID}
		switch {
		case m.ExternalID == "" && !m.DeletedAt.IsZero():
			err = fail("Deleted before it was sent.")
		case m.ExternalID == "" && q.ChatID == "":
			err = fail("The client has no contact on this channel.")
		case m.ExternalID == "":
			t.Action, t.ReplyToExternalID, t.Attachments, t.Template = wire.OutboundSend, q.ReplyToExternalID, m.Attachments, m.Template
			lineID := ""
			if d, err := s.st.Dialog(ctx, m.DialogID); err == nil {
				lineID = d.LineID
			}
			t.SenderName = org.SenderName(lineID, m.AuthorID)
			tasks = append(tasks, t)
		case q.Version == 0:
			err = s.st.Dispatched(ctx, m.ID, 0)
		case !m.DeletedAt.IsZero():
			t.Action = wire.OutboundDelete
			tasks = append(tasks, t)
		default:
			t.Action = wire.OutboundEdit
			tasks = append(tasks, t)
		}
		if err != nil {
			return nil, err
		}
	}
	return tasks, nil
}

// SettleOutbound records how the channel took its tasks (a delivery state
// for a send, a change report for an edit or delete) and takes each off
// the queue. A result for an entry that is not queued for this channel
// (settled already, or another channel's) is ignored.
func (s *Server) SettleOutbound(ctx context.Context, channelID string, results []wire.OutboundResult) error {
	for _, r := range results {
		queued, err := s.st.Queued(ctx, channelID, r.MessageID, r.Version)
		if err != nil {
			return err
		}
		if !queued {
			continue
		}
		var env wire.CommandEnvelope
		switch r.Action {
		case wire.OutboundSend:
			env = command("out-"+r.MessageID, inbox.InboundDelivery{ChannelID: channelID, MessageID: r.MessageID,
				ExternalID: r.ExternalID, State: r.State, Reason: r.Reason})
		case wire.OutboundEdit, wire.OutboundDelete:
			report := inbox.ChangeDelivered{ChannelID: channelID, MessageID: r.MessageID, Version: r.Version, State: r.State, Reason: r.Reason}
			env = command(fmt.Sprintf("chg-%s-%d", r.MessageID, r.Version), report)
			env.Type = report.Type()
		default:
			return errorf(http.StatusUnprocessableEntity, "host.outbound_action", "Action %q is not send, edit or delete.", r.Action)
		}
		res, err := s.eng.submit(ctx, "", []wire.CommandEnvelope{env})
		if err != nil {
			return err
		}
		if res[0].Code == "server.error" {
			return fmt.Errorf("%s %s: %s", env.Type, env.ID, res[0].Message)
		}
		if res[0].Code != "" {
			s.log.Warn("outbound result refused", "channel", channelID, "message", r.MessageID, "code", res[0].Code, "reason", res[0].Message)
		}
		if err := s.st.Dispatched(ctx, r.MessageID, r.Version); err != nil {
			return err
		}
	}
	return nil
}

func command(id string, payload any) wire.CommandEnvelope {
	p, _ := json.Marshal(payload)
	return wire.CommandEnvelope{ID: id, Type: "inbound.delivery", Payload: p}
}
