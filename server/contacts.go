package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// ContactChecker asks the connector running a channel whether a phone or
// address can be written to on it. It returns an error wrapping
// ErrChannelNotHere when no connector runs the channel on this instance,
// and a *ChannelRefusal for the channel's own "no" (a malformed number).
type ContactChecker func(ctx context.Context, channelID string, q wire.ContactCheckRequest) (wire.ContactCheck, error)

// ErrChannelNotHere is what a ContactChecker returns for a channel it does
// not run.
var ErrChannelNotHere = errors.New("the channel does not run on this server")

// ChannelRefusal is a channel turning a question down in words an operator
// can act on; Code is the connector's stable code ("phone_invalid").
type ChannelRefusal struct {
	Code    string
	Message string
}

func (e *ChannelRefusal) Error() string { return "channel: " + e.Code + ": " + e.Message }

// SetContactChecker tells the server how to reach the channels' connectors
// for CheckContact (the relay). Call before Run.
func (s *Server) SetContactChecker(fn ContactChecker) { s.contacts.Store(&fn) }

// contactCheckTimeout is how long a connector has to answer a contact
// check, wherever it runs.
const contactCheckTimeout = 20 * time.Second

// checkContact is POST /api/v1/channels/{id}/check-contact: whether a
// phone number (or address) can be written to on the channel, asked of the
// channel's connector. Only those who may start dialogs in the channel's
// line ask, and only channels that start dialogs by phone are asked.
func (s *Server) checkContact(w http.ResponseWriter, r *http.Request, op string) error {
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	ch := org.Channels[r.PathValue("id")]
	if ch == nil || (!org.WorksLine(op, ch.LineID) && !org.Can(op, inbox.PermDialogsManage)) {
		return errorf(http.StatusNotFound, "channel.not_found", "There is no such channel, or you do not work its line.")
	}
	if !ch.Capabilities.StartByPhone {
		return errorf(http.StatusUnprocessableEntity, "channel.no_start_by_phone", "%s cannot start dialogs by phone number.", ch.Name)
	}
	var req wire.ContactCheckRequest
	if err := decodeJSON(w, r, 4<<10, &req); err != nil {
		return err
	}
	req.Phone, req.Address = strings.TrimSpace(req.Phone), strings.TrimSpace(req.Address)
	if req.Phone == "" && req.Address == "" {
		e := errorf(http.StatusUnprocessableEntity, "contact.empty", "Enter a phone number.")
		e.Body.Fields = map[string]string{"phone": "required"}
		return e
	}
	ctx, cancel := context.WithTimeout(r.Context(), contactCheckTimeout)
	defer cancel()
	var res wire.ContactCheck
	err = ErrChannelNotHere
	if check := s.contacts.Load(); check != nil {
		res, err = (*check)(ctx, ch.ID, req)
	}
	if errors.Is(err, ErrChannelNotHere) {
		// Another instance may run the channel: ask it.
		res, err = s.askOthers(ctx, ch.ID, req)
	}
	var refused *ChannelRefusal
	switch {
	case errors.As(err, &refused):
		e := errorf(http.StatusUnprocessableEntity, "contact."+refused.Code, "%s", refused.Message)
		e.Body.Fields = map[string]string{"phone": refused.Code}
		return e
	case errors.Is(err, ErrChannelNotHere):
		return errorf(http.StatusServiceUnavailable, "channel.unavailable", "%s is not running on the server now; try again later.", ch.Name)
	case err != nil:
		s.log.Warn("check contact", "channel", ch.ID, "error", err)
		return errorf(http.StatusBadGateway, "channel.failed", "%s did not answer; try again later.", ch.Name)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
