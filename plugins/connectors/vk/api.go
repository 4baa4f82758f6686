package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

// api is the connector's way to the VK API: form-encoded POSTs to
// /method/<name> with the community token, answered {"response":...} or
// {"error":{...}}. No client library: a handful of calls, and the long
// poll must confirm nothing before the host's Ack.
type api struct {
	base    string
	token   string
	groupID int64
	http    *http.Client

	// mu guards pauseUntil: after error 6 (too many requests per second,
	// counted for the whole community) every call waits it out.
	mu         sync.Mutex
	pauseUntil time.Time
	// backoff is the first wait after error 6; it doubles per try, and
	// maxWait bounds one call's waits in all.
	backoff, maxWait time.Duration
}

func newAPI(s settings) *api {
	return &api{base: s.APIURL, token: s.Token, groupID: s.GroupID, http: &http.Client{Timeout: 2 * time.Minute},
		backoff: 400 * time.Millisecond, maxWait: 15 * time.Second}
}

// apiError is a refusal of the VK API: error_code and error_msg. Code 0
// means VK was not reached or did not answer in the API's form.
type apiError struct {
	method string
	status int
	Code   int    `json:"error_code"`
	Msg    string `json:"error_msg"`
}

func (e *apiError) Error() string {
	if e.Code == 0 {
		return fmt.Sprintf("vk %s: %s", e.method, e.Msg)
	}
	return fmt.Sprintf("vk %s: %d %s", e.method, e.Code, e.Msg)
}

func (a *api) redact(s string) string { return strings.ReplaceAll(s, a.token, "<token>") }

// call runs one method, waiting out error 6 with growing pauses.
func (a *api) call(ctx context.Context, method string, params url.Values, out any) error {
	wait := a.backoff
	var waited time.Duration
	for {
		if err := a.waitPause(ctx); err != nil {
			return err
		}
		err := a.once(ctx, method, params, out)
		var ae *apiError
		if !errors.As(err, &ae) || ae.Code != 6 {
			return err
		}
		deadline, ok := ctx.Deadline()
		if waited+wait > a.maxWait || (ok && time.Until(deadline) < wait) {
			return err
		}
		a.pause(wait)
		waited += wait
		wait *= 2
	}
}

func (a *api) pause(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if until := time.Now().Add(d); until.After(a.pauseUntil) {
		a.pauseUntil = until
	}
}

func (a *api) waitPause(ctx context.Context) error {
	a.mu.Lock()
	wait := time.Until(a.pauseUntil)
	a.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (a *api) once(ctx context.Context, method string, params url.Values, out any) error {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("access_token", a.token)
	form.Set("v", apiVersion)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/"+method, strings.NewReader(form.Encode()))
	if err != nil {
		return &apiError{method: method, Msg: a.redact(err.Error())}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return a.do(req, method, out)
}

// do sends a request and reads the API's envelope into out.
func (a *api) do(req *http.Request, method string, out any) error {
	resp, err := a.http.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return req.Context().Err()
		}
		return &apiError{method: method, Msg: a.redact(err.Error())}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return &apiError{method: method, Msg: a.redact(err.Error())}
	}
	var env struct {
		Response json.RawMessage `json:"response"`
		Error    *apiError       `json:"error"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return &apiError{method: method, status: resp.StatusCode, Msg: fmt.Sprintf("the answer (HTTP %d) is not the VK API's JSON", resp.StatusCode)}
	}
	if env.Error != nil {
		env.Error.method, env.Error.status = method, resp.StatusCode
		env.Error.Msg = a.redact(env.Error.Msg)
		return env.Error
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Response, out); err != nil {
		return &apiError{method: method, status: resp.StatusCode, Msg: "the response has an unexpected shape: " + err.Error()}
	}
	return nil
}

// get fetches a URL VK gave (a photo, a document, the long poll server).
func (a *api) get(ctx context.Context, what, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, &apiError{method: what, Msg: err.Error()}
	}
	resp, err := a.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &apiError{method: what, Msg: a.redact(err.Error())}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &apiError{method: what, status: resp.StatusCode, Msg: resp.Status}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &apiError{method: what, Msg: a.redact(err.Error())}
	}
	if int64(len(data)) > limit {
		return nil, &apiError{method: what, status: http.StatusRequestEntityTooLarge, Msg: fmt.Sprintf("larger than %d MB", limit>>20)}
	}
	return data, nil
}

// upload posts a file to an upload server VK gave and decodes its answer
// (upload servers answer plain JSON, not the method envelope).
func (a *api) upload(ctx context.Context, uploadURL, field, name, mimeType string, data []byte, out any) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", mimeType)
	p, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	_, _ = p.Write(data)
	if err := w.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uploadURL, &buf)
	if err != nil {
		return &apiError{method: "upload", Msg: err.Error()}
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := a.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &apiError{method: "upload", Msg: a.redact(err.Error())}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) == nil && e.Error != "" {
		return &apiError{method: "upload", status: resp.StatusCode, Code: -1, Msg: e.Error}
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return &apiError{method: "upload", status: resp.StatusCode, Msg: "the upload server's answer is not JSON"}
	}
	return nil
}

// channelError tells VK's refusals (the user did not allow messages, the
// message is too old to delete, the token was revoked, VK unreachable)
// from the connector's own mistakes: the first become *sdk.ChannelError
// with a stable code, the rest stay plain errors.
func channelError(err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	code := codeFor(ae)
	if code == "" {
		return err
	}
	msg := ae.Error()
	if h := hints[code]; h != "" {
		msg = h + " (" + msg + ")"
	}
	return &sdk.ChannelError{Code: code, Message: msg}
}

func codeFor(ae *apiError) string {
	switch ae.Code {
	case 0:
		if ae.status == http.StatusRequestEntityTooLarge {
			return "attachment_too_large"
		}
		if ae.status >= 500 || ae.status == 0 {
			return "channel_unreachable"
		}
		return "channel_error"
	case 5:
		return "token_invalid"
	case 6, 9, 29:
		return "rate_limited"
	case 7, 15, 27:
		return "permission_denied"
	case 10:
		return "channel_unavailable"
	case 900:
		return "recipient_blocked"
	case 901:
		return "recipient_not_allowed"
	case 902:
		return "recipient_privacy"
	case 909:
		return "edit_window_passed"
	case 920:
		return "edit_not_allowed"
	case 924:
		return "delete_window_passed"
	case 914:
		return "message_too_long"
	case 917:
		return "chat_not_found"
	case -1, 121:
		return "attachment_refused"
	}
	return ""
}

var hints = map[string]string{
	"recipient_not_allowed": "the customer has not allowed messages from the community (they can write first or press \"Allow messages\")",
	"recipient_blocked":     "the customer is on the community's blacklist",
	"recipient_privacy":     "the customer's privacy settings forbid messages from the community",
	"edit_window_passed":    "VK edits messages only within 24 hours of sending",
	"delete_window_passed":  "VK deletes messages for everyone only within 24 hours of sending",
	"rate_limited":          "VK asks to slow down; try again shortly",
	"token_invalid":         "VK does not accept the community's access key; it may have been deleted or replaced",
}

// codeOf returns an error's channel error code, or "".
func codeOf(err error) string {
	var ce *sdk.ChannelError
	if errors.As(channelError(err), &ce) {
		return ce.Code
	}
	return ""
}
