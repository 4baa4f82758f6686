package syncclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// HostAPI is the team server's connector host API (/api/v1/host/...) as a
// desktop hosting channels calls it, under one host name. Its methods
// match plugins/hosting.TeamServer. The server answers calls about a
// channel this host does not hold with an *Error of code CodeLeaseNotHeld.
type HostAPI struct {
	api  *api
	name string
}

// CodeLeaseNotHeld is the server's answer to a host speaking for a
// channel whose lease it does not hold.
const CodeLeaseNotHeld = "lease.not_held"

// NewHostAPI returns the host API of server for the session's token; name
// tells this host apart from the operator's other computers.
func NewHostAPI(hc *http.Client, server, token, name string) (*HostAPI, error) {
	base, err := parseServer(server)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	// Long polls outlast a client-wide timeout: each call bounds itself.
	hc = &http.Client{Transport: hc.Transport, CheckRedirect: hc.CheckRedirect, Jar: hc.Jar}
	return &HostAPI{api: &api{base: base, token: token, http: hc}, name: name}, nil
}

// callTimeout bounds every call but the long poll.
const callTimeout = 30 * time.Second

func (h *HostAPI) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return h.send(ctx, method, path, q, in, out)
}

func (h *HostAPI) send(ctx context.Context, method, path string, q url.Values, in, out any) error {
	hdr := http.Header{}
	hdr.Set(wire.HostHeader, h.name)
	return h.api.doWith(ctx, method, path, q, hdr, in, out)
}

func channelPath(id, rest string) string { return "/api/v1/host/channels/" + url.PathEscape(id) + rest }

// Channels lists the channels to host with their settings.
func (h *HostAPI) Channels(ctx context.Context) ([]wire.HostedChannel, error) {
	var out wire.HostedChannelsResponse
	err := h.do(ctx, http.MethodGet, "/api/v1/host/channels", nil, nil, &out)
	return out.Channels, err
}

// Acquire asks for, or renews, the channel's lease for ttl.
func (h *HostAPI) Acquire(ctx context.Context, channelID string, ttl time.Duration) (bool, error) {
	var out wire.LeaseResponse
	err := h.do(ctx, http.MethodPost, channelPath(channelID, "/lease"), nil, wire.LeaseRequest{TTLMillis: ttl.Milliseconds()}, &out)
	return out.Held, err
}

// Release gives the channel's lease up.
func (h *HostAPI) Release(ctx context.Context, channelID string) error {
	return h.do(ctx, http.MethodDelete, channelPath(channelID, "/lease"), nil, nil, nil)
}

// Inbound posts the channel's inbound commands; the answer comes once
// they are stored.
func (h *HostAPI) Inbound(ctx context.Context, channelID string, envs []wire.CommandEnvelope) ([]wire.CommandResult, error) {
	var out wire.CommandsResponse
	err := h.do(ctx, http.MethodPost, channelPath(channelID, "/inbound"), nil, wire.InboundRequest{Events: envs}, &out)
	return out.Results, err
}

// Typing passes a customer's typing on.
func (h *HostAPI) Typing(ctx context.Context, channelID, externalID string) error {
	return h.do(ctx, http.MethodPost, channelPath(channelID, "/typing"), nil, wire.TypingRequest{ExternalID: externalID}, nil)
}

// ChannelFailed marks the channel failed for everyone.
func (h *HostAPI) ChannelFailed(ctx context.Context, channelID, reason string) error {
	return h.do(ctx, http.MethodPost, channelPath(channelID, "/failed"), nil, wire.ChannelFailedRequest{Reason: reason}, nil)
}

// Capabilities records what the channel's plugin can do.
func (h *HostAPI) Capabilities(ctx context.Context, channelID string, caps inbox.Capabilities) error {
	return h.do(ctx, http.MethodPut, channelPath(channelID, "/capabilities"), nil, caps, nil)
}

// Outbound returns the channel's queued tasks, the server waiting up to
// wait for one (a long poll).
func (h *HostAPI) Outbound(ctx context.Context, channelID string, wait time.Duration) ([]wire.OutboundTask, error) {
	ctx, cancel := context.WithTimeout(ctx, wait+callTimeout)
	defer cancel()
	var out wire.OutboundResponse
	q := url.Values{"waitMs": {strconv.FormatInt(wait.Milliseconds(), 10)}}
	err := h.send(ctx, http.MethodGet, channelPath(channelID, "/outbound"), q, nil, &out)
	return out.Tasks, err
}

// Settle reports how the channel took tasks.
func (h *HostAPI) Settle(ctx context.Context, channelID string, results []wire.OutboundResult) error {
	return h.do(ctx, http.MethodPost, channelPath(channelID, "/outbound/results"), nil, wire.OutboundResultsRequest{Results: results}, nil)
}

// PutBlob stores an attachment a plugin received in the server's file
// store and returns its id.
func (h *HostAPI) PutBlob(ctx context.Context, data []byte) (string, error) {
	c := &Client{api: h.api, cfg: Config{HTTP: h.api.http}}
	f, err := c.UploadFile(ctx, bytes.NewReader(data), int64(len(data)))
	return f.ID, err
}

// GetBlob reads a file of the server's file store (an operator's
// attachment the plugin sends), at most max bytes.
func (h *HostAPI) GetBlob(ctx context.Context, id string, max int64) ([]byte, string, error) {
	c := &Client{api: h.api, cfg: Config{HTTP: h.api.http}}
	rc, _, err := c.OpenFile(ctx, id)
	if err != nil {
		return nil, "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, "", &Error{Code: CodeUnreachable, Message: "The team server cannot be reached.", Err: err}
	}
	if int64(len(b)) > max {
		return nil, "", fmt.Errorf("file %s is larger than %d bytes", id, max)
	}
	return b, http.DetectContentType(b), nil
}
