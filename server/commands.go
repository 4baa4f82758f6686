package server

import (
	"net/http"
	"strings"

	"switchboard/inbox"
	"switchboard/wire"
)

const maxCommandsPerRequest = 500

// systemOnly reports whether a command type may come only from the server
// itself or a connector host, never from an operator's desktop.
func systemOnly(typ string) bool {
	return strings.HasPrefix(typ, "inbound.") || typ == "dialog.wake_due"
}

// commands is POST /api/v1/commands: the operator's writes, in order, each
// answered on its own.
func (s *Server) commands(w http.ResponseWriter, r *http.Request, op string) error {
	var req wire.CommandsRequest
	if err := decodeJSON(w, r, 1<<20, &req); err != nil {
		return err
	}
	if len(req.Commands) == 0 || len(req.Commands) > maxCommandsPerRequest {
		return errorf(http.StatusUnprocessableEntity, "commands.count", "Send between 1 and %d commands at a time.", maxCommandsPerRequest)
	}
	for i, c := range req.Commands {
		if c.ID == "" || len(c.ID) > 100 || c.Type == "" {
			e := errorf(http.StatusUnprocessableEntity, "commands.invalid", "Command %d needs an id (up to 100 characters) and a type.", i+1)
			e.Body.Fields = map[string]string{"commands": "invalid"}
			return e
		}
	}
	results := make([]wire.CommandResult, len(req.Commands))
	var run []wire.CommandEnvelope
	var at []int
	for i, c := range req.Commands {
		if systemOnly(c.Type) {
			ref := inbox.Refuse("command.forbidden", "Command %s comes only from channels, not from operators.", c.Type)
			results[i] = wire.CommandResult{ID: c.ID, Code: ref.Code, Message: ref.Message}
			continue
		}
		run = append(run, c)
		at = append(at, i)
	}
	if len(run) > 0 {
		got, err := s.eng.submit(r.Context(), op, run)
		if err != nil {
			return err
		}
		for k, i := range at {
			results[i] = got[k]
		}
		s.readDialogs(r.Context(), op, run, got)
	}
	writeJSON(w, http.StatusOK, wire.CommandsResponse{Results: results})
	return nil
}

// getDialog is GET /api/v1/dialogs/{id}: a dialog the operator may see.
func (s *Server) getDialog(w http.ResponseWriter, r *http.Request, op string) error {
	d, err := s.visibleDialog(r, op)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// getMessages is GET /api/v1/dialogs/{id}/messages, without other people's
// private notes.
func (s *Server) getMessages(w http.ResponseWriter, r *http.Request, op string) error {
	if _, err := s.visibleDialog(r, op); err != nil {
		return err
	}
	msgs, err := s.st.Messages(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	out := make([]*inbox.Message, 0, len(msgs))
	for _, m := range msgs {
		if org.SeesMessage(op, m) {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// visibleDialog reads the path's dialog; one the operator may not see is
// answered exactly like one that does not exist.
func (s *Server) visibleDialog(r *http.Request, op string) (*inbox.Dialog, error) {
	id := r.PathValue("id")
	d, err := s.st.Dialog(r.Context(), id)
	notFound := errorf(http.StatusNotFound, "dialog.not_found", "There is no dialog %s, or it is not yours to see.", id)
	if err != nil {
		return nil, notFound
	}
	org, err := s.st.Org(r.Context())
	if err != nil {
		return nil, err
	}
	if !org.SeesDialog(op, d) {
		return nil, notFound
	}
	return d, nil
}
