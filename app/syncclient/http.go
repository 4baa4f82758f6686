package syncclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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
	return a.doWith(ctx, method, path, q, nil, in, out)
}

// doWith is do with extra request headers.
func (a *api) doWith(ctx context.Context, method, path string, q url.Values, hdr http.Header, in, out any) error {
	resp, err := a.sendWith(ctx, method, path, q, hdr, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Error{Code: CodeServer, Status: resp.StatusCode, Err: fmt.Errorf("decode %s %s: %w", method, path, err)}
	}
	return nil
}

// send sends a request and returns its 2xx answer; the caller closes the
// body. Any other answer becomes an *Error.
func (a *api) send(ctx context.Context, method, path string, q url.Values, in any) (*http.Response, error) {
	return a.sendWith(ctx, method, path, q, nil, in)
}

func (a *api) sendWith(ctx context.Context, method, path string, q url.Values, hdr http.Header, in any) (*http.Response, error) {
	var body *bytes.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	} else {
		body = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.url(path, q), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	a.header(req.Header)
	for k, v := range hdr {
		req.Header[k] = v
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, &Error{Code: CodeUnreachable, Message: "The team server cannot be reached.", Err: err}
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		return nil, errorFromResponse(resp)
	}
	return resp, nil
}

func (a *api) header(h http.Header) {
	h.Set(wire.ProtocolHeader, strconv.Itoa(wire.ProtocolVersion))
	if a.token != "" {
		h.Set("Authorization", "Bearer "+a.token)
	}
}

// fetchedPage is one pull answer, its body read but not yet decoded.
type fetchedPage struct {
	body []byte
	// next and more, from the answer's headers when known is true.
	next  int64
	more  bool
	known bool
	// page is set when the body had to be decoded early.
	page *wire.PullResponse
	err  error
}

// fetchPage asks for the page after after and reads its body whole.
func (a *api) fetchPage(ctx context.Context, after int64, limit int) fetchedPage {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(limit)}}
	resp, err := a.send(ctx, http.MethodGet, "/api/v1/sync/pull", q, nil)
	if err != nil {
		return fetchedPage{err: err}
	}
	defer resp.Body.Close()
	var p fetchedPage
	next, errN := strconv.ParseInt(resp.Header.Get(wire.PullNextHeader), 10, 64)
	more, errM := strconv.ParseBool(resp.Header.Get(wire.PullMoreHeader))
	if errN == nil && errM == nil {
		p.next, p.more, p.known = next, more, true
	}
	if p.body, err = readBody(resp); err != nil {
		p.err = &Error{Code: CodeUnreachable, Message: "The team server cannot be reached.", Err: err}
	}
	return p
}

// readBody reads a whole answer, into one buffer of its announced length
// when it has one (a pull page is megabytes).
func readBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength <= 0 || resp.ContentLength > 1<<30 {
		return io.ReadAll(resp.Body)
	}
	buf := bytes.NewBuffer(make([]byte, 0, resp.ContentLength+1))
	_, err := buf.ReadFrom(resp.Body)
	return buf.Bytes(), err
}

func (p fetchedPage) decode() (wire.PullResponse, error) {
	if p.page != nil {
		return *p.page, nil
	}
	page, err := wire.DecodePullResponse(p.body)
	if err != nil {
		return page, &Error{Code: CodeServer, Err: fmt.Errorf("decode a pull page: %w", err)}
	}
	return page, nil
}

// pages pulls the log after after, one page in flight ahead of the
// caller: while the caller decodes and applies a page, the server already
// reads the next. It stops after the last page or the first error; cancel
// ctx to stop it early.
func (a *api) pages(ctx context.Context, after int64, limit int) <-chan fetchedPage {
	out := make(chan fetchedPage, 1)
	go func() {
		defer close(out)
		for {
			p := a.fetchPage(ctx, after, limit)
			if p.err == nil && !p.known {
				// A server that does not name the next page in its
				// headers: learn it from the body, one page at a time.
				page, err := p.decode()
				p.next, p.more, p.page, p.err = page.Next, page.More, &page, err
			}
			if p.err == nil && p.more && p.next <= after {
				p.err = &Error{Code: CodeServer, Err: fmt.Errorf("the pull page after %d names no later page", after)}
			}
			select {
			case out <- p:
			case <-ctx.Done():
				return
			}
			if p.err != nil || !p.more {
				return
			}
			after = p.next
		}
	}()
	return out
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
