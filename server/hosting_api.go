package server

import (
	"net/http"
	"strconv"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// The connector host API (docs/hosting.md): a desktop hosting connector
// plugins reaches the lease table, the inbound ingestion and the outbound
// queue through these calls. They need an operator who manages channels
// (inbox.PermChannelsManage): a host sees the channels' settings, which
// hold secrets such as bot tokens, and speaks for the channels it runs.

// Lease lengths a host may ask for.
const (
	minHostLeaseTTL = 200 * time.Millisecond
	maxHostLeaseTTL = 10 * time.Minute
	// maxOutboundWait bounds a long poll for outbound messages.
	maxOutboundWait = 30 * time.Second
)

func (s *Server) hostRoutes(m *http.ServeMux) {
	m.Handle("GET /api/v1/host/channels", s.authed(s.hostChannels))
	m.Handle("POST /api/v1/host/channels/{id}/lease", s.authed(s.hostAcquire))
	m.Handle("DELETE /api/v1/host/channels/{id}/lease", s.authed(s.hostRelease))
	m.Handle("POST /api/v1/host/channels/{id}/inbound", s.authed(s.hostInbound))
	m.Handle("POST /api/v1/host/channels/{id}/typing", s.authed(s.hostTyping))
	m.Handle("POST /api/v1/host/channels/{id}/failed", s.authed(s.hostFailed))
	m.Handle("PUT /api/v1/host/channels/{id}/capabilities", s.authed(s.hostCapabilities))
	m.Handle("GET /api/v1/host/channels/{id}/outbound", s.authed(s.hostOutbound))
	m.Handle("POST /api/v1/host/channels/{id}/outbound/results", s.authed(s.hostResults))
}

// hostName checks the caller may host connectors and names it in the
// lease table: its own name, tied to its operator, so no caller can renew
// or speak for a lease another host holds.
func (s *Server) hostName(r *http.Request, op string) (string, error) {
	org, err := s.st.Org(r.Context())
	if err != nil {
		return "", err
	}
	if !org.Can(op, inbox.PermChannelsManage) {
		return "", errorf(http.StatusForbidden, "auth.forbidden", "Only operators who manage channels may host connectors: channel settings hold secrets.")
	}
	name := r.Header.Get(wire.HostHeader)
	if name == "" || len(name) > 100 {
		return "", errorf(http.StatusBadRequest, "host.unnamed", "Name this host in the %s header (at most 100 characters).", wire.HostHeader)
	}
	if id := r.PathValue("id"); id != "" && org.Channels[id] == nil {
		return "", errorf(http.StatusNotFound, "channel.not_found", "There is no channel %q.", id)
	}
	return "desktop:" + op + ":" + name, nil
}

// holding checks the caller holds the lease of the path's channel.
func (s *Server) holding(r *http.Request, op string) (string, error) {
	holder, err := s.hostName(r, op)
	if err != nil {
		return "", err
	}
	id := r.PathValue("id")
	cur, err := s.st.LeaseHolder(r.Context(), id, time.Now())
	if err != nil {
		return "", err
	}
	if cur != holder {
		return "", errorf(http.StatusConflict, "lease.not_held",
			"This host does not hold channel %s: another host runs it, or the lease ran out. Acquire the lease first.", id)
	}
	return id, nil
}

// hostChannels is GET /api/v1/host/channels.
func (s *Server) hostChannels(w http.ResponseWriter, r *http.Request, op string) error {
	if _, err := s.hostName(r, op); err != nil {
		return err
	}
	chans, err := s.HostedChannels(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.HostedChannelsResponse{Channels: chans})
	return nil
}

// hostAcquire is POST /api/v1/host/channels/{id}/lease: grants or renews
// the channel's lease, in the table the server instances use too.
func (s *Server) hostAcquire(w http.ResponseWriter, r *http.Request, op string) error {
	holder, err := s.hostName(r, op)
	if err != nil {
		return err
	}
	var req wire.LeaseRequest
	if err := decodeJSON(w, r, 1<<10, &req); err != nil {
		return err
	}
	ttl := time.Duration(req.TTLMillis) * time.Millisecond
	if ttl < minHostLeaseTTL || ttl > maxHostLeaseTTL {
		return errorf(http.StatusUnprocessableEntity, "lease.ttl", "A lease lasts between %s and %s.", minHostLeaseTTL, maxHostLeaseTTL)
	}
	now := time.Now() // leases follow real time, even on a dev clock
	ok, err := s.st.AcquireLease(r.Context(), r.PathValue("id"), holder, now, ttl)
	if err != nil {
		return err
	}
	res := wire.LeaseResponse{Held: ok}
	if ok {
		res.ExpiresAt = now.Add(ttl)
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// hostRelease is DELETE /api/v1/host/channels/{id}/lease.
func (s *Server) hostRelease(w http.ResponseWriter, r *http.Request, op string) error {
	holder, err := s.hostName(r, op)
	if err != nil {
		return err
	}
	if err := s.st.ReleaseLease(r.Context(), r.PathValue("id"), holder); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "released"})
	return nil
}

// hostInbound is POST /api/v1/host/channels/{id}/inbound: answered after
// the events are stored.
func (s *Server) hostInbound(w http.ResponseWriter, r *http.Request, op string) error {
	id, err := s.holding(r, op)
	if err != nil {
		return err
	}
	var req wire.InboundRequest
	if err := decodeJSON(w, r, 8<<20, &req); err != nil {
		return err
	}
	if len(req.Events) > 1000 {
		return errorf(http.StatusUnprocessableEntity, "ingest.count", "Send at most 1000 events at a time.")
	}
	res, err := s.IngestChannel(r.Context(), id, req.Events)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.CommandsResponse{Results: res})
	return nil
}

// hostTyping is POST /api/v1/host/channels/{id}/typing.
func (s *Server) hostTyping(w http.ResponseWriter, r *http.Request, op string) error {
	id, err := s.holding(r, op)
	if err != nil {
		return err
	}
	var req wire.TypingRequest
	if err := decodeJSON(w, r, 1<<10, &req); err != nil {
		return err
	}
	if err := s.ClientTyping(r.Context(), id, req.ExternalID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "passed on"})
	return nil
}

// hostFailed is POST /api/v1/host/channels/{id}/failed.
func (s *Server) hostFailed(w http.ResponseWriter, r *http.Request, op string) error {
	id, err := s.holding(r, op)
	if err != nil {
		return err
	}
	var req wire.ChannelFailedRequest
	if err := decodeJSON(w, r, 8<<10, &req); err != nil {
		return err
	}
	if err := s.SetChannelState(r.Context(), id, inbox.ChannelFailed, req.Reason); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "recorded"})
	return nil
}

// hostCapabilities is PUT /api/v1/host/channels/{id}/capabilities.
func (s *Server) hostCapabilities(w http.ResponseWriter, r *http.Request, op string) error {
	id, err := s.holding(r, op)
	if err != nil {
		return err
	}
	var caps inbox.Capabilities
	if err := decodeJSON(w, r, 64<<10, &caps); err != nil {
		return err
	}
	if err := s.SetChannelCapabilities(r.Context(), id, caps); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "recorded"})
	return nil
}

// hostOutbound is GET /api/v1/host/channels/{id}/outbound?waitMs=N: the
// channel's queued tasks, waiting up to N ms (a long poll) when there are
// none.
func (s *Server) hostOutbound(w http.ResponseWriter, r *http.Request, op string) error {
	id, err := s.holding(r, op)
	if err != nil {
		return err
	}
	wait := time.Duration(0)
	if v := r.URL.Query().Get("waitMs"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "request.malformed", "waitMs must be a number of milliseconds.")
		}
		wait = min(time.Duration(n)*time.Millisecond, maxOutboundWait)
	}
	tasks, err := s.WaitOutbound(r.Context(), id, wait)
	if err != nil && r.Context().Err() != nil {
		return nil // the host hung up
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.OutboundResponse{Tasks: tasks})
	return nil
}

// hostResults is POST /api/v1/host/channels/{id}/outbound/results.
func (s *Server) hostResults(w http.ResponseWriter, r *http.Request, op string) error {
	id, err := s.holding(r, op)
	if err != nil {
		return err
	}
	var req wire.OutboundResultsRequest
	if err := decodeJSON(w, r, 1<<20, &req); err != nil {
		return err
	}
	if err := s.SettleOutbound(r.Context(), id, req.Results); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "recorded"})
	return nil
}
