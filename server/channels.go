package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// channelFor checks that op may manage channels and that the channel
// exists.
func (s *Server) channelFor(r *http.Request, op string) (*inbox.Channel, error) {
	org, err := s.st.Org(r.Context())
	if err != nil {
		return nil, err
	}
	if !org.Can(op, inbox.PermChannelsManage) {
		return nil, errorf(http.StatusForbidden, "auth.forbidden", "Only operators who manage channels may see or change a channel's settings.")
	}
	ch := org.Channels[r.PathValue("id")]
	if ch == nil {
		return nil, errorf(http.StatusNotFound, "channel.not_found", "There is no channel %q.", r.PathValue("id"))
	}
	return ch, nil
}

// getChannelSettings is GET /api/v1/admin/channels/{id}/settings: the
// connector settings (they may hold secrets, so they never sync).
func (s *Server) getChannelSettings(w http.ResponseWriter, r *http.Request, op string) error {
	ch, err := s.channelFor(r, op)
	if err != nil {
		return err
	}
	b, err := s.st.ChannelSettings(r.Context(), ch.ID)
	if err != nil {
		return err
	}
	if b == nil {
		b = []byte("{}")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b)
	return err
}

// putChannelSettings is PUT /api/v1/admin/channels/{id}/settings: a JSON
// object, checked by the connector when its host next starts the channel.
// A channel that had failed is made active again, so its host retries.
func (s *Server) putChannelSettings(w http.ResponseWriter, r *http.Request, op string) error {
	ch, err := s.channelFor(r, op)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	if err := decodeJSON(w, r, 64<<10, &raw); err != nil {
		return err
	}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		return errorf(http.StatusUnprocessableEntity, "request.wrong_type", "A channel's settings are a JSON object.")
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, raw)
	if err := s.st.PutChannelSettings(r.Context(), ch.ID, compact.Bytes()); err != nil {
		return err
	}
	if ch.State == inbox.ChannelFailed {
		if err := s.SetChannelState(r.Context(), ch.ID, inbox.ChannelActive, ""); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "saved"})
	return nil
}

// SetChannelState records what a connector host reports of a channel
// (failed, with the reason in words; active again). Everyone's replica
// gets it, so admins see it and operators know the channel is down.
func (s *Server) SetChannelState(ctx context.Context, channelID string, state inbox.ChannelState, reason string) error {
	return s.updateChannel(ctx, channelID, func(ch *inbox.Channel) bool {
		if ch.State == state && ch.StateReason == reason {
			return false
		}
		ch.State, ch.StateReason = state, reason
		return true
	})
}

// updateChannel stores a channel as change leaves it, unless change
// reports nothing changed; an unknown channel is left alone.
func (s *Server) updateChannel(ctx context.Context, channelID string, change func(*inbox.Channel) bool) error {
	org, err := s.st.Org(ctx)
	if err != nil {
		return err
	}
	cur := org.Channels[channelID]
	if cur == nil {
		return nil
	}
	ch := *cur
	if !change(&ch) {
		return nil
	}
	err = s.st.Write(ctx, func(tx store.Tx) error {
		_, err := tx.PutOrg(wire.KindChannel, ch.ID, &ch)
		return err
	})
	if err == nil {
		s.committed(0)
	}
	return err
}

// sameCapabilities compares two channels' capabilities, an empty list of
// attachment types equal to none.
func sameCapabilities(a, b inbox.Capabilities) bool {
	if len(a.AttachmentTypes) == 0 && len(b.AttachmentTypes) == 0 {
		a.AttachmentTypes, b.AttachmentTypes = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// SetChannelCapabilities records what a channel's connector describes it
// can do (a relay calls it when the channel starts), so every desktop
// checks edit windows and attachment limits before sending.
func (s *Server) SetChannelCapabilities(ctx context.Context, channelID string, caps inbox.Capabilities) error {
	changed := false
	err := s.st.Write(ctx, func(tx store.Tx) error {
		// Read inside the write, so a state change at the same moment is
		// not overwritten with the old state.
		cur := tx.Org().Channels[channelID]
		if cur == nil || sameCapabilities(cur.Capabilities, caps) {
			return nil
		}
		ch := *cur
		ch.Capabilities = caps
		changed = true
		_, err := tx.PutOrg(wire.KindChannel, ch.ID, &ch)
		return err
	})
	if err == nil && changed {
		s.committed(0)
	}
	return err
}
