package syncclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"switchboard/wire"
)

// api is the team server's HTTP API as one operator's session sees it.
type api struct {
	base  *url.URL
	token string
	http  *http.Client
}

// parseServer accepts what an operator types for the server address: a
// URL, or a bare host:port meaning http.
func parseServer(server string) (*url.URL, error) {
	s := strings.TrimSpace(server)
	if s == "" {
		return nil, &Error{Code: CodeBadAddress, Message: "The server address is empty."}
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{Code: CodeBadAddress, Message: "The server address is not a web address.", Err: err}
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

func (a *api) url(path string, q url.Values) string {
	u := *a.base
	u.Path += path
	u.RawQuery = q.Encode()
	return u.String()
}

// do sends a request and decodes a 2xx JSON answer into out (when not nil).
func (a *api) do(ctx context.Context, method, path string, q url.Values, in, out any) error {
	var body *bytes.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	} else {
		body = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.url(path, q), body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	a.header(req.Header)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return &Error{Code: CodeUnreachable, Message: "The team server cannot be reached.", Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return errorFromResponse(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Error{Code: CodeServer, Status: resp.StatusCode, Err: fmt.Errorf("decode %s %s: %w", method, path, err)}
	}
	return nil
}

func (a *api) header(h http.Header) {
	h.Set(wire.ProtocolHeader, strconv.Itoa(wire.ProtocolVersion))
	if a.token != "" {
		h.Set("Authorization", "Bearer "+a.token)
	}
}

func (a *api) pull(ctx context.Context, after int64, limit int) (wire.PullResponse, error) {
	var page wire.PullResponse
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(limit)}}
	err := a.do(ctx, http.MethodGet, "/api/v1/sync/pull", q, nil, &page)
	return page, err
}

func (a *api) commands(ctx context.Context, cmds []wire.CommandEnvelope) (wire.CommandsResponse, error) {
	var resp wire.CommandsResponse
	err := a.do(ctx, http.MethodPost, "/api/v1/commands", nil, wire.CommandsRequest{Commands: cmds}, &resp)
	return resp, err
}

// Login signs in to the server and returns the session's token and ids.
func Login(ctx context.Context, hc *http.Client, server, email, password string) (wire.LoginResponse, error) {
	base, err := parseServer(server)
	if err != nil {
		return wire.LoginResponse{}, err
	}
	a := &api{base: base, http: hc}
	var resp wire.LoginResponse
	err = a.do(ctx, http.MethodPost, "/api/v1/auth/login", nil, wire.LoginRequest{Email: email, Password: password}, &resp)
	if e, ok := err.(*Error); ok && e.Status == http.StatusUnauthorized {
		e.Code = CodeInvalidCredentials
	}
	return resp, err
}

// Logout ends the session on the server. The caller wipes local state
// whether or not the server could be told.
func Logout(ctx context.Context, hc *http.Client, server, token string) error {
	base, err := parseServer(server)
	if err != nil {
		return err
	}
	a := &api{base: base, http: hc, token: token}
	return a.do(ctx, http.MethodPost, "/api/v1/auth/logout", nil, nil, nil)
}

// NormalizeServer returns the canonical form of a server address, as the
// replica records its owner.
func NormalizeServer(server string) (string, error) {
	u, err := parseServer(server)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
