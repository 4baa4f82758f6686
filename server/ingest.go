package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"

	"switchboard/inbox"
	"switchboard/wire"
)

// IngestEvent is one inbound event from a connector host: Type is an
// inbound command ("inbound.message", "inbound.edit"...), Payload its JSON.
// ID, when given, makes the post idempotent; the rules also drop a message
// the channel already delivered (same channel and external id).
type IngestEvent struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// IngestRequest is the body of POST /api/v1/ingest.
type IngestRequest struct {
	Events []IngestEvent `json:"events"`
}

// ingest is POST /api/v1/ingest: a connector host hands over what its
// channels received. It answers one result per event; the host
// acknowledges to the connector only what was stored.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request, _ string) error {
	if err := s.authorizeHost(r); err != nil {
		return err
	}
	var req IngestRequest
	if err := decodeJSON(w, r, 8<<20, &req); err != nil {
		return err
	}
	if len(req.Events) == 0 || len(req.Events) > 1000 {
		return errorf(http.StatusUnprocessableEntity, "ingest.count", "Send between 1 and 1000 events at a time.")
	}
	envs := make([]wire.CommandEnvelope, len(req.Events))
	for i, ev := range req.Events {
		if !strings.HasPrefix(ev.Type, "inbound.") {
			e := errorf(http.StatusUnprocessableEntity, "ingest.type", "Event %d has type %q; only inbound events may be ingested.", i+1, ev.Type)
			e.Body.Fields = map[string]string{"type": "invalid"}
			return e
		}
		id := ev.ID
		if id == "" {
			h := sha256.Sum256(append([]byte(ev.Type+"\x00"), ev.Payload...))
			id = "in-" + hex.EncodeToString(h[:16])
		}
		envs[i] = wire.CommandEnvelope{ID: id, Type: ev.Type, Payload: ev.Payload}
	}
	res, err := s.eng.submit(r.Context(), "", envs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.CommandsResponse{Results: res})
	return nil
}

// authorizeHost admits the configured host key, or a signed-in operator
// allowed to manage channels (a desktop hosting connectors).
func (s *Server) authorizeHost(r *http.Request) error {
	if key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Host "); ok {
		if s.cfg.HostKey != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.HostKey)) == 1 {
			return nil
		}
		return errorf(http.StatusUnauthorized, "auth.invalid_host", "The connector host key is wrong.")
	}
	op, err := s.authenticate(r)
	if err != nil {
		return err
	}
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	if !org.Can(op, inbox.PermChannelsManage) {
		return errorf(http.StatusForbidden, "auth.forbidden", "Only operators who manage channels may host connectors.")
	}
	return nil
}
