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
	"strconv"
	"strings"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

// graph is the connector's way to the Cloud API: JSON over HTTPS with the
// access token as a bearer token. No client library is used: the API is a
// handful of plain JSON calls, and the error object must be read whole.
type graph struct {
	base    string // with the version: https://graph.facebook.com/v21.0
	phoneID string
	token   string
	http    *http.Client

	// mu guards pauseUntil: after a throughput or API rate limit every
	// call waits it out, as the limit counts the whole number or app.
	mu         sync.Mutex
	pauseUntil time.Time
	// backoff is the first wait after a rate limit; it doubles per try.
	// maxWait bounds the waits of one call in all.
	backoff, maxWait time.Duration
}

func newGraph(s settings) *graph {
	return &graph{base: s.APIURL, phoneID: s.PhoneNumberID, token: s.AccessToken,
		http: &http.Client{Timeout: time.Minute}, backoff: time.Second, maxWait: maxThrottleWait}
}

// graphError is a refusal of the Graph API: its error object
// (https://developers.facebook.com/docs/graph-api/guides/error-handling).
// Code 0 means the API was not reached or did not answer in its form.
type graphError struct {
	op      string
	status  int
	Code    int    `json:"code"`
	Subcode int    `json:"error_subcode"`
	Type    string `json:"type"`
	Message string `json:"message"`
	Data    struct {
		Details string `json:"details"`
	} `json:"error_data"`
	Trace      string `json:"fbtrace_id"`
	retryAfter time.Duration
}

func (e *graphError) Error() string {
	if e.Code == 0 && e.status == 0 {
		return fmt.Sprintf("whatsapp %s: %s", e.op, e.Message)
	}
	s := fmt.Sprintf("whatsapp %s: %d %s", e.op, e.Code, e.Message)
	if e.Data.Details != "" {
		s += " (" + e.Data.Details + ")"
	}
	return s
}

// throttled says the error is one of the rate limits a wait cures:
// throughput (130429), the pair rate to one customer (131056), the app's
// or the account's API calls (4, 80007).
func (e *graphError) throttled() bool {
	switch e.Code {
	case 130429, 131056, 4, 80007:
		return true
	}
	return e.status == http.StatusTooManyRequests
}

// shared says a wait for this limit holds for every call, not only the
// one customer's.
func (e *graphError) shared() bool { return e.Code != 131056 }

// redact removes the token from text that may quote a request.
func (g *graph) redact(s string) string { return strings.ReplaceAll(s, g.token, "<token>") }

// maxThrottleWait bounds how long a call waits out rate limits in all
// before it fails with rate_limited.
const maxThrottleWait = 20 * time.Second

// body is a request body made afresh for every attempt.
type body func() (io.Reader, string, error)

func jsonBody(v any) body {
	raw, _ := json.Marshal(v)
	return func() (io.Reader, string, error) { return bytes.NewReader(raw), "application/json", nil }
}

// fileBody is a multipart upload of one file, the /media node's form.
func fileBody(fields map[string]string, name, mimeType string, data []byte) body {
	return func() (io.Reader, string, error) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for k, v := range fields {
			_ = w.WriteField(k, v)
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		h.Set("Content-Type", mimeType)
		p, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		_, _ = p.Write(data)
		if err := w.Close(); err != nil {
			return nil, "", err
		}
		return &buf, w.FormDataContentType(), nil
	}
}

// call runs one API call, waiting out rate limits with growing pauses
// (Cloud API answers them without a retry time) while the total wait and
// ctx allow. out receives the JSON result.
func (g *graph) call(ctx context.Context, op, method, path string, b body, out any) error {
	wait := g.backoff
	var waited time.Duration
	for {
		if err := g.waitPause(ctx); err != nil {
			return err
		}
		err := g.once(ctx, op, method, path, b, out)
		var ge *graphError
		if !errors.As(err, &ge) || !ge.throttled() {
			return err
		}
		next := wait
		if ge.retryAfter > 0 {
			next = ge.retryAfter
		}
		deadline, ok := ctx.Deadline()
		if waited+next > g.maxWait || (ok && time.Until(deadline) < next) {
			return err
		}
		waited += next
		wait *= 2
		if ge.shared() {
			g.pause(next)
			continue
		}
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (g *graph) pause(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if until := time.Now().Add(d); until.After(g.pauseUntil) {
		g.pauseUntil = until
	}
}

func (g *graph) waitPause(ctx context.Context) error {
	g.mu.Lock()
	wait := time.Until(g.pauseUntil)
	g.mu.Unlock()
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

// once makes one request. path is relative to the versioned base, or a
// whole URL (a media download).
func (g *graph) once(ctx context.Context, op, method, path string, b body, out any) error {
	var rd io.Reader
	ctype := ""
	if b != nil {
		var err error
		if rd, ctype, err = b(); err != nil {
			return fmt.Errorf("whatsapp %s: %w", op, err)
		}
	}
	u := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		u = g.base + "/" + strings.TrimPrefix(path, "/")
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return &graphError{op: op, Message: g.redact(err.Error())}
	}
	req.Header.Set("Authorization", "Bearer "+g.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := g.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &graphError{op: op, Message: g.redact(err.Error())}
	}
	defer resp.Body.Close()
	if raw, ok := out.(*[]byte); ok && resp.StatusCode == http.StatusOK {
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxMediaBytes+1))
		if err != nil {
			return &graphError{op: op, Message: g.redact(err.Error())}
		}
		if len(data) > maxMediaBytes {
			return &graphError{op: op, status: http.StatusRequestEntityTooLarge, Message: "the file is larger than 100 MB"}
		}
		*raw = data
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return &graphError{op: op, Message: g.redact(err.Error())}
	}
	if resp.StatusCode != http.StatusOK {
		var env struct {
			Error *graphError `json:"error"`
		}
		ge := &graphError{}
		if json.Unmarshal(data, &env) == nil && env.Error != nil {
			ge = env.Error
		} else {
			ge.Message = resp.Status
		}
		ge.op, ge.status = op, resp.StatusCode
		ge.Message = g.redact(ge.Message)
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			ge.retryAfter = time.Duration(s) * time.Second
		}
		return ge
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &graphError{op: op, status: resp.StatusCode, Message: "the answer is not the Graph API's JSON"}
	}
	return nil
}

// channelError tells the channel's refusals (outside the service window,
// a number without WhatsApp, a template not approved, a revoked token,
// Meta unreachable) from the connector's own mistakes: the first become
// *sdk.ChannelError with a stable code, the rest stay plain errors.
// Meta asks integrations to decide by code, never by the message's words.
func channelError(err error) error {
	var ge *graphError
	if !errors.As(err, &ge) {
		return err
	}
	code := codeFor(ge)
	if code == "" {
		return err
	}
	msg := ge.Error()
	if h := hints[code]; h != "" {
		msg = h + " (" + msg + ")"
	}
	return &sdk.ChannelError{Code: code, Message: msg}
}

func codeFor(ge *graphError) string {
	switch {
	case ge.Code == 0 && ge.status == 0:
		return "channel_unreachable"
	case ge.throttled():
		return "rate_limited"
	}
	switch ge.Code {
	case 190, 0:
		if ge.status == http.StatusUnauthorized || ge.Code == 190 {
			return "token_invalid"
		}
	case 3, 10:
		return "permission_denied"
	case 131047:
		return "outside_service_window"
	case 131026:
		return "recipient_unreachable"
	case 131030:
		return "recipient_not_allowed"
	case 131021:
		return "recipient_is_sender"
	case 131050:
		return "recipient_opted_out"
	case 131049:
		return "not_delivered_by_meta"
	case 131048, 368:
		return "spam_limited"
	case 131031, 131042, 131045, 133010:
		return "account_restricted"
	case 131051:
		return "unsupported_message_type"
	case 131052, 131053:
		return "attachment_refused"
	case 132000:
		return "template_params_mismatch"
	case 132001:
		return "template_not_found"
	case 132005:
		return "template_text_too_long"
	case 132007, 132012:
		return "template_refused"
	case 132015:
		return "template_paused"
	case 132016:
		return "template_disabled"
	case 1, 2, 131000, 131016:
		return "channel_unavailable"
	case 100:
		if ge.Subcode == 33 {
			return "object_not_found"
		}
	}
	if ge.status >= 500 {
		return "channel_unavailable"
	}
	if ge.status == http.StatusRequestEntityTooLarge {
		return "attachment_too_large"
	}
	if ge.status >= 200 && ge.status < 300 {
		return "channel_error" // an answer that is not the API's JSON
	}
	return ""
}

// hints say in plain words what an operator can do about a refusal.
var hints = map[string]string{
	"outside_service_window":   "more than 24 hours have passed since the customer last wrote; WhatsApp allows only an approved template until they write again",
	"recipient_unreachable":    "WhatsApp could not deliver to this number: it may not use WhatsApp",
	"recipient_not_allowed":    "the number is not among the test recipients of this phone number; add it in WhatsApp Manager or use a live number",
	"recipient_opted_out":      "the customer stopped marketing messages from this business",
	"rate_limited":             "WhatsApp asks to slow down; try again shortly",
	"token_invalid":            "Meta does not accept the access token; it may have expired or been revoked",
	"template_not_found":       "there is no approved template with this name in this language",
	"template_params_mismatch": "the template needs a different number of parameters",
	"template_paused":          "the template is paused for low quality",
	"template_disabled":        "the template is disabled for low quality",
	"spam_limited":             "WhatsApp holds messages from this number back as possible spam",
	"account_restricted":       "the WhatsApp Business account cannot send right now (locked, payment or registration problem)",
}

// codeOf returns an error's channel error code, or "".
func codeOf(err error) string {
	var ce *sdk.ChannelError
	if errors.As(channelError(err), &ce) {
		return ce.Code
	}
	return ""
}
