package relay

import (
	"context"
	"errors"
	"sync"
	"time"

	"switchboard/inbox"
	"switchboard/plugins/sdk"
	"switchboard/server"
)

// What operators do in a dialog reaches the customer's channel: typing a
// reply shows as "typing…" (at most every TypingEvery per dialog), reading
// the customer's messages as read receipts. Every server instance hears
// all operators' activity; only the one running the dialog's channel
// passes it on, and only to plugins that declare the capability.

// defaultTypingEvery is how often, at most, a dialog's typing is passed to
// its channel: channels show typing for about five seconds.
const defaultTypingEvery = 4 * time.Second

// outward queues operators' activity for the channels' plugins: one
// intake the hook never blocks on, one lane per channel so a slow plugin
// delays only its own channel, each in order.
type outward struct {
	intake chan server.OperatorActivity

	mu         sync.Mutex
	lanes      map[string]chan call // channel id -> its calls
	lastTyping map[string]time.Time // dialog id -> when typing was last passed on
}

// call is one activity resolved for a channel's plugin.
type call struct {
	kind, channelID, dialogID, chatID string
	senderName, upTo                  string
}

func newOutward() *outward {
	return &outward{intake: make(chan server.OperatorActivity, 1024), lanes: map[string]chan call{}, lastTyping: map[string]time.Time{}}
}

// heard is the server's hook: it must not block, so when the relay falls
// far behind, activity is dropped (it is only ever a hint to the customer).
func (r *Relay) heard(a server.OperatorActivity) {
	select {
	case r.out.intake <- a:
	default:
	}
}

// outwardLoop resolves operators' activity for the channels this relay runs
// until ctx ends.
func (r *Relay) outwardLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-r.out.intake:
			c, ok := r.resolve(ctx, a)
			if !ok {
				continue
			}
			select {
			case r.lane(ctx, c.channelID) <- c:
			default: // the plugin is far behind: drop the hint
			}
		}
	}
}

// resolve turns an operator's activity into a call for the plugin of the
// dialog's channel, if this relay runs the channel, its plugin declares
// the capability, and (for typing) the dialog's last typing was passed on
// long enough ago.
func (r *Relay) resolve(ctx context.Context, a server.OperatorActivity) (call, bool) {
	d, err := r.cfg.Store.Dialog(ctx, a.DialogID)
	if err != nil || d.ChannelID == "" || d.ClientBlacklisted || (!d.Status.Open() && a.Kind == server.ActivityTyping) {
		return call{}, false
	}
	if !r.run.Running(d.ChannelID) {
		return call{}, false
	}
	org, err := r.cfg.Store.Org(ctx)
	if err != nil {
		return call{}, false
	}
	ch := org.Channels[d.ChannelID]
	if ch == nil {
		return call{}, false
	}
	c := call{kind: a.Kind, channelID: d.ChannelID, dialogID: d.ID}
	switch a.Kind {
	case server.ActivityTyping:
		if !ch.Capabilities.Typing || !r.out.typingDue(d.ID, r.cfg.Now(), r.cfg.TypingEvery) {
			return call{}, false
		}
		c.senderName = org.SenderName(d.LineID, a.OperatorID)
	case server.ActivityRead:
		if !ch.Capabilities.ReadReceipts {
			return call{}, false
		}
		ms, err := r.cfg.Store.Messages(ctx, d.ID)
		if err != nil {
			return call{}, false
		}
		for i := len(ms) - 1; i >= 0 && c.upTo == ""; i-- {
			if m := ms[i]; m.Kind == inbox.MsgInbound && m.ChannelID == d.ChannelID && m.ExternalID != "" {
				c.upTo = m.ExternalID
			}
		}
		if c.upTo == "" {
			return call{}, false // nothing of the customer's to mark
		}
	default:
		return call{}, false
	}
	cl, err := r.cfg.Store.Client(ctx, d.ClientID)
	if err != nil {
		return call{}, false
	}
	for _, k := range cl.Contacts {
		if k.ChannelID == d.ChannelID && (c.chatID == "" || !k.Manual) {
			c.chatID = k.ExternalID
		}
	}
	return c, c.chatID != ""
}

// typingDue says whether a dialog's typing may go to its channel at now,
// and if so remembers it went.
func (o *outward) typingDue(dialogID string, now time.Time, every time.Duration) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if last, ok := o.lastTyping[dialogID]; ok && now.Sub(last) < every && !now.Before(last) {
		return false
	}
	if len(o.lastTyping) >= 4096 { // forget dialogs nobody typed in lately
		for id, t := range o.lastTyping {
			if now.Sub(t) >= every {
				delete(o.lastTyping, id)
			}
		}
	}
	o.lastTyping[dialogID] = now
	return true
}

// lane is the channel's queue of calls, started on first use.
func (r *Relay) lane(ctx context.Context, channelID string) chan call {
	r.out.mu.Lock()
	defer r.out.mu.Unlock()
	l := r.out.lanes[channelID]
	if l == nil {
		l = make(chan call, 64)
		r.out.lanes[channelID] = l
		r.bg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case c := <-l:
					r.pass(ctx, c)
				}
			}
		})
	}
	return l
}

// pass makes one call to the channel's plugin. Failures are logged only:
// a customer missing a "typing…" or a read tick loses nothing.
func (r *Relay) pass(ctx context.Context, c call) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := r.run.Host().Connector(c.channelID)
	if err == nil {
		if c.kind == server.ActivityTyping {
			err = conn.SendTyping(ctx, c.chatID, c.senderName)
		} else {
			err = conn.MarkRead(ctx, c.chatID, c.upTo)
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, sdk.ErrUnsupported):
		r.log.Debug("the channel's plugin does not take this call", "channel", c.channelID, "call", c.kind)
	case sdk.IsChannelError(err):
		r.log.Info("the channel refused an operator's "+c.kind, "channel", c.channelID, "dialog", c.dialogID, "error", err)
	default:
		r.log.Warn("pass an operator's "+c.kind+" to the channel", "channel", c.channelID, "dialog", c.dialogID, "error", err)
	}
}
