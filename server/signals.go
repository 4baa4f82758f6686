package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// A signal carries a frame the server relays without keeping it (who types
// in or views a dialog, a customer typing) to the operators connected to
// the other instances on the same database: each instance relays it to its
// own connections that see the dialog.
type signal struct {
	From  string      `json:"from"` // the instance that sent it
	Frame *wire.Frame `json:"frame,omitempty"`
	// Ask is a question for the instance running a channel; Answer is that
	// instance's reply to the asker.
	Ask    *question `json:"ask,omitempty"`
	Answer *answer   `json:"answer,omitempty"`
	// Presence says the sender's connected operators changed: read who is
	// online now.
	Presence bool `json:"presence,omitempty"`
	// Activities are operators reading dialogs (typing comes as a Frame).
	Activities []OperatorActivity `json:"activities,omitempty"`
}

// signalPresence tells the other instances this one's operators changed.
func (s *Server) signalPresence(ctx context.Context) {
	b, err := json.Marshal(signal{From: s.instance, Presence: true})
	if err == nil {
		err = s.st.Signal(ctx, b)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("signal presence", "err", err)
	}
}

func newInstanceID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// relayFrame passes f to the operators who see d, here and on the other
// instances, leaving out from (nil for a customer's frame) and the other
// connections of its operator.
func (s *Server) relayFrame(ctx context.Context, org *inbox.Org, d *inbox.Dialog, from *sub, f wire.Frame) {
	s.hub.relay(org, d, from, f)
	b, err := json.Marshal(signal{From: s.instance, Frame: &f})
	if err == nil {
		err = s.st.Signal(ctx, b)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("signal other instances", "frame", f.Type, "err", err)
	}
}

// heardSignal relays another instance's frame to this one's connections.
func (s *Server) heardSignal(payload []byte) {
	var sg signal
	if json.Unmarshal(payload, &sg) != nil || sg.From == s.instance {
		return
	}
	switch {
	case sg.Presence:
		select {
		case s.othersPresence <- struct{}{}:
		default: // a read is already due
		}
		return
	case sg.Ask != nil:
		go s.answerQuestion(sg.From, *sg.Ask)
		return
	case sg.Answer != nil:
		if sg.Answer.To == s.instance {
			s.asked.answer(*sg.Answer)
		}
		return
	case len(sg.Activities) > 0:
		for _, a := range sg.Activities {
			s.heardActivity(a)
		}
		return
	case sg.Frame == nil || sg.Frame.DialogID == "":
		return
	}
	switch sg.Frame.Type {
	case wire.FrameTyping, wire.FrameViewing, wire.FrameClientTyping:
	default:
		return
	}
	org, err := s.st.Org(s.ctx)
	if err != nil {
		return
	}
	d, err := s.st.Dialog(s.ctx, sg.Frame.DialogID)
	if err != nil {
		return
	}
	s.hub.relay(org, d, nil, *sg.Frame)
	if a, ok := typingActivity(*sg.Frame); ok {
		s.heardActivity(a)
	}
}

// ClientTyping tells the operators who see the customer's open dialog on
// the channel that the customer is typing. The desktop shows it for a few
// seconds unless it is repeated. A contact with no open dialog, or a
// blacklisted client, tells nobody.
func (s *Server) ClientTyping(ctx context.Context, channelID, externalID string) error {
	d, err := s.st.ContactDialog(ctx, channelID, externalID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !d.Status.Open() || d.ClientBlacklisted {
		return nil
	}
	org, err := s.st.Org(ctx)
	if err != nil {
		return err
	}
	s.relayFrame(ctx, org, d, nil, wire.Frame{Type: wire.FrameClientTyping, DialogID: d.ID, Typing: true})
	return nil
}
