package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"switchboard/plugins/sdk"
)

// api is the connector's way to the Bot API. Methods go through
// github.com/go-telegram/bot; getUpdates and file downloads are requested
// here, because the library's polling loop confirms updates as soon as it
// reads them, and this connector confirms them only after the host's Ack.
type api struct {
	bot   *bot.Bot
	base  string
	token string
	http  *http.Client

	// mu guards floodUntil: after a 429 every call waits out retry_after,
	// as Telegram's flood control counts the whole bot.
	mu         sync.Mutex
	floodUntil time.Time
}

// allowedUpdates are the update kinds the connector reads.
var allowedUpdates = []string{"message", "edited_message", "business_message", "edited_business_message",
	"deleted_business_messages", "my_chat_member"}

// maxFloodWait is the longest retry_after a call waits out before giving
// up with a rate_limited channel error.
const maxFloodWait = 60 * time.Second

func newAPI(s settings) (*api, error) {
	hc := &http.Client{Timeout: 2 * time.Minute}
	b, err := bot.New(s.Token, bot.WithServerURL(s.APIURL), bot.WithSkipGetMe(),
		bot.WithHTTPClient(s.pollTimeout(), hc), bot.WithErrorsHandler(func(error) {}))
	if err != nil {
		return nil, errors.New("telegram client: the token was refused") // never the token itself
	}
	return &api{bot: b, base: s.APIURL, token: s.Token, http: hc}, nil
}

// apiError is a refusal of the Bot API: its error_code, description and
// parameters.retry_after; code 0 means the server was not reached or did
// not answer in the API's form.
type apiError struct {
	method     string
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string {
	if e.code == 0 {
		return fmt.Sprintf("telegram %s: %s", e.method, e.desc)
	}
	return fmt.Sprintf("telegram %s: %d %s", e.method, e.code, e.desc)
}

// redact removes the token from text that may quote a URL.
func (a *api) redact(s string) string { return strings.ReplaceAll(s, a.token, "<token>") }

// fromLibrary turns the library's errors into an apiError.
func (a *api) fromLibrary(method string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var tm *bot.TooManyRequestsError
	if errors.As(err, &tm) {
		return &apiError{method: method, code: 429, desc: "Too Many Requests", retryAfter: tm.RetryAfter}
	}
	text := a.redact(err.Error())
	// The library words its errors "<kind>, <description>".
	desc := text
	if _, d, ok := strings.Cut(text, ", "); ok {
		desc = d
	}
	for _, k := range []struct {
		err  error
		code int
	}{{bot.ErrorForbidden, 403}, {bot.ErrorBadRequest, 400}, {bot.ErrorUnauthorized, 401}, {bot.ErrorNotFound, 404}, {bot.ErrorConflict, 409}} {
		if errors.Is(err, k.err) {
			return &apiError{method: method, code: k.code, desc: desc}
		}
	}
	var me *bot.MigrateError
	if errors.As(err, &me) {
		return &apiError{method: method, code: 400, desc: me.Message}
	}
	// "error response from telegram for method X, 502 Bad Gateway"
	if i := strings.Index(text, "for method "+method+", "); strings.HasPrefix(text, "error response") && i >= 0 {
		rest := text[i+len("for method "+method+", "):]
		codeText, d, _ := strings.Cut(rest, " ")
		if code, err := strconv.Atoi(codeText); err == nil {
			return &apiError{method: method, code: code, desc: d}
		}
	}
	return &apiError{method: method, desc: text}
}

// call runs one Bot API call, waiting out flood control first and
// retrying after a 429 while retry_after is short enough.
func (a *api) call(ctx context.Context, method string, f func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		if err := a.waitFlood(ctx); err != nil {
			return err
		}
		err := a.fromLibrary(method, f(ctx))
		var ae *apiError
		if !errors.As(err, &ae) || ae.code != 429 {
			return err
		}
		wait := a.flooded(ae.retryAfter)
		if deadline, ok := ctx.Deadline(); attempt >= 3 || wait > maxFloodWait || (ok && time.Until(deadline) < wait) {
			return err
		}
	}
}

// flooded records a 429's retry_after and returns the wait.
func (a *api) flooded(retryAfter int) time.Duration {
	wait := time.Duration(max(retryAfter, 1)) * time.Second
	a.mu.Lock()
	defer a.mu.Unlock()
	if until := time.Now().Add(wait); until.After(a.floodUntil) {
		a.floodUntil = until
	}
	return wait
}

func (a *api) waitFlood(ctx context.Context) error {
	a.mu.Lock()
	wait := time.Until(a.floodUntil)
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

// envelope is the Bot API's answer (https://core.telegram.org/bots/api#making-requests).
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// getUpdates long-polls for updates from offset (0: every update not
// confirmed yet). Passing an offset confirms every update below it.
func (a *api) getUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]json.RawMessage, error) {
	if err := a.waitFlood(ctx); err != nil {
		return nil, err
	}
	body := map[string]any{"timeout": int(timeout / time.Second), "limit": 100, "allowed_updates": allowedUpdates}
	if offset != 0 {
		body["offset"] = offset
	}
	raw, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, timeout+15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/bot"+a.token+"/getUpdates", bytes.NewReader(raw))
	if err != nil {
		return nil, &apiError{method: "getUpdates", desc: a.redact(err.Error())}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, &apiError{method: "getUpdates", desc: a.redact(err.Error())}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, &apiError{method: "getUpdates", desc: a.redact(err.Error())}
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, &apiError{method: "getUpdates", code: resp.StatusCode, desc: "the answer is not the Bot API's JSON"}
	}
	if !env.OK {
		if env.ErrorCode == 429 {
			a.flooded(env.Parameters.RetryAfter)
		}
		return nil, &apiError{method: "getUpdates", code: env.ErrorCode, desc: env.Description, retryAfter: env.Parameters.RetryAfter}
	}
	var updates []json.RawMessage
	if err := json.Unmarshal(env.Result, &updates); err != nil {
		return nil, &apiError{method: "getUpdates", code: resp.StatusCode, desc: "the result is not a list of updates"}
	}
	return updates, nil
}

// maxDownload is the Bot API's limit for getFile.
const maxDownload = 20 << 20

// download fetches a file by id: getFile, then the file's path.
func (a *api) download(ctx context.Context, fileID string) ([]byte, error) {
	var f *models.File
	err := a.call(ctx, "getFile", func(ctx context.Context) (err error) {
		f, err = a.bot.GetFile(ctx, &bot.GetFileParams{FileID: fileID})
		return err
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/file/bot"+a.token+"/"+f.FilePath, nil)
	if err != nil {
		return nil, &apiError{method: "file download", desc: a.redact(err.Error())}
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, &apiError{method: "file download", desc: a.redact(err.Error())}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &apiError{method: "file download", code: resp.StatusCode, desc: resp.Status}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, &apiError{method: "file download", desc: a.redact(err.Error())}
	}
	if len(data) > maxDownload {
		return nil, &apiError{method: "file download", code: 400, desc: "Bad Request: file is too big"}
	}
	return data, nil
}

// channelError tells the channel's refusals (the customer blocked the bot,
// the chat is gone, the token was revoked, Telegram is unreachable) from
// the connector's own mistakes: the first become *sdk.ChannelError with a
// stable code, the rest stay plain errors.
func channelError(err error) error {
	var ae *apiError
	if !errors.As(err, &ae) {
		return err
	}
	d := strings.ToLower(ae.desc)
	ce := func(code string) error { return &sdk.ChannelError{Code: code, Message: ae.Error()} }
	switch {
	case ae.code == 0:
		return ce("channel_unreachable")
	case ae.code == 401 || ae.code == 404:
		return ce("token_invalid")
	case ae.code == 429:
		return &sdk.ChannelError{Code: "rate_limited", Message: fmt.Sprintf("Telegram asks to wait %d seconds (%s)", ae.retryAfter, ae.Error())}
	case ae.code == 409 && strings.Contains(d, "webhook"):
		return ce("webhook_active")
	case ae.code == 409:
		return ce("token_in_use")
	case ae.code == 413:
		return ce("attachment_too_large")
	case ae.code >= 500:
		return ce("channel_unavailable")
	case ae.code == 403:
		switch {
		case strings.Contains(d, "blocked"):
			return ce("recipient_blocked")
		case strings.Contains(d, "deactivated"):
			return ce("recipient_deactivated")
		case strings.Contains(d, "initiate conversation"):
			return ce("recipient_not_started")
		}
		return ce("forbidden")
	case ae.code == 400:
		switch {
		case strings.Contains(d, "chat not found"), strings.Contains(d, "peer_id_invalid"):
			return ce("chat_not_found")
		case strings.Contains(d, "to be replied not found"), strings.Contains(d, "to edit not found"), strings.Contains(d, "to delete not found"):
			return ce("message_not_found")
		case strings.Contains(d, "can't be deleted"):
			return ce("delete_window_passed")
		case strings.Contains(d, "can't be edited"):
			return ce("edit_not_allowed")
		case strings.Contains(d, "too long"):
			return ce("message_too_long")
		case strings.Contains(d, "file is too big"):
			return ce("attachment_too_large")
		case strings.Contains(d, "wrong file identifier"), strings.Contains(d, "invalid file_id"), strings.Contains(d, "file must be non-empty"):
			return ce("attachment_refused")
		case strings.Contains(d, "business_connection_invalid"):
			return ce("business_connection_invalid")
		}
	}
	return err // a request Telegram found malformed: the connector's mistake
}

// codeOf returns an error's channel error code, or "".
func codeOf(err error) string {
	var ce *sdk.ChannelError
	if errors.As(channelError(err), &ce) {
		return ce.Code
	}
	return ""
}
