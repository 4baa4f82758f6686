package syncclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"switchboard/wire"
)

// Stable codes of the errors this package returns; the UI uses them as
// i18n keys.
const (
	CodeInvalidCredentials = "auth.invalid"
	CodeUnauthorized       = "auth.required"
	CodeTooOld             = "protocol.too_old"
	CodeUnreachable        = "network.unreachable"
	CodeServer             = "server.error"
	CodeBadAddress         = "server.bad_address"
)

// Error is a failure the operator may read about: Code is stable, Message
// is the server's words (or ours) and Err the internal cause, if any.
type Error struct {
	Code    string
	Message string
	Status  int // HTTP status, 0 when the server was not reached
	// Fields names the fields a validation error is about: field -> code.
	Fields map[string]string
	// Args fill the placeholders of the code's translation.
	Args map[string]string
	Err  error
}

func (e *Error) Error() string {
	s := e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the stable code of err, or CodeServer for errors that
// carry none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeServer
}

// fatal reports whether retrying cannot help: the server refuses who we
// are or the protocol we speak, so the operator must act.
func fatal(err error) bool {
	switch CodeOf(err) {
	case CodeInvalidCredentials, CodeUnauthorized, CodeTooOld:
		return true
	}
	return false
}

// errorFromResponse turns a non-2xx answer into an *Error, keeping the
// server's code and message when the body is a wire.Error.
func errorFromResponse(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var we wire.Error
	_ = json.Unmarshal(body, &we)
	e := &Error{Code: we.Code, Message: we.Message, Status: resp.StatusCode, Fields: we.Fields, Args: we.Args}
	switch {
	case resp.StatusCode == http.StatusUpgradeRequired:
		e.Code = CodeTooOld
		if e.Message == "" {
			e.Message = "This Switchboard app is too old for the team server. Please update it."
		}
	case resp.StatusCode == http.StatusUnauthorized && e.Code == "":
		e.Code = CodeUnauthorized
	case e.Code == "":
		e.Code = CodeServer
		e.Err = fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, body)
	}
	return e
}
