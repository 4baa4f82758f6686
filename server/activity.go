package server

import (
	"context"
	"encoding/json"

	"switchboard/wire"
)

// What operators do in a dialog that the customer may see on the channel:
// typing a reply, reading the customer's messages. Every instance hears
// all of it (what happens here, and other instances' signals), so the one
// running the dialog's channel can pass it to the channel's connector.

// Kinds of OperatorActivity.
const (
	ActivityTyping = "typing" // an operator types in the dialog's composer
	ActivityRead   = "read"   // an operator read the customer's messages
)

// OperatorActivity is an operator typing in or reading a dialog.
type OperatorActivity struct {
	Kind       string `json:"kind"`
	DialogID   string `json:"dialogId"`
	OperatorID string `json:"operatorId"`
}

// OnOperatorActivity registers fn to hear operators type in and read
// dialogs, through this instance or another one on the same database.
// Call before Run; fn must not block.
func (s *Server) OnOperatorActivity(fn func(OperatorActivity)) {
	s.activity = append(s.activity, fn)
}

// heardActivity tells the listeners of this instance.
func (s *Server) heardActivity(a OperatorActivity) {
	if a.DialogID == "" || a.OperatorID == "" {
		return
	}
	for _, fn := range s.activity {
		fn(a)
	}
}

// readsPerSignal keeps a signal of read dialogs under store.MaxSignal.
const readsPerSignal = 20

// readDialogs tells the listeners here and on the other instances that an
// operator read the dialogs whose dialog.read commands changed something
// (a dialog already read changes nothing and tells nobody). Marking a
// whole tab read costs one signal per readsPerSignal dialogs.
func (s *Server) readDialogs(ctx context.Context, op string, envs []wire.CommandEnvelope, results []wire.CommandResult) {
	var read []OperatorActivity
	for i, env := range envs {
		if env.Type != "dialog.read" || !results[i].OK || results[i].Seq == 0 {
			continue
		}
		var ref struct {
			DialogID string `json:"dialogId"`
		}
		if json.Unmarshal(env.Payload, &ref) != nil || ref.DialogID == "" {
			continue
		}
		if len(ref.DialogID) > 200 {
			continue // not an id the command could have found
		}
		a := OperatorActivity{Kind: ActivityRead, DialogID: ref.DialogID, OperatorID: op}
		s.heardActivity(a)
		read = append(read, a)
	}
	for len(read) > 0 {
		n := min(len(read), readsPerSignal)
		b, err := json.Marshal(signal{From: s.instance, Activities: read[:n]})
		if err == nil {
			err = s.st.Signal(ctx, b)
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn("signal read dialogs", "dialogs", n, "err", err)
		}
		read = read[n:]
	}
}

// typingActivity is the activity a relayed typing frame stands for: an
// operator typing a reply (typing a comment for the team is none).
func typingActivity(f wire.Frame) (OperatorActivity, bool) {
	if f.Type != wire.FrameTyping || !f.Typing || !f.Reply || f.OperatorID == "" || f.DialogID == "" {
		return OperatorActivity{}, false
	}
	return OperatorActivity{Kind: ActivityTyping, DialogID: f.DialogID, OperatorID: f.OperatorID}, true
}
