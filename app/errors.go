package app

import (
	"encoding/json"
	"errors"

	"switchboard/app/syncclient"
)

// Stable codes of errors the services return on their own account. The UI
// uses every code as an i18n key.
const (
	CodeSignedOut    = "session.signed_out"
	CodeNotFound     = "not_found"
	CodeBadInput     = "input.invalid"
	CodeInternal     = "internal"
	CodeEmptyMessage = "message.empty"
)

// UIError is what a bound method's rejected promise carries: Wails passes
// Error() to the UI, so it is JSON the front end's binding module parses.
type UIError struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	cause   error
}

func (e *UIError) Error() string {
	b, _ := json.Marshal(e)
	return string(b)
}

func (e *UIError) Unwrap() error { return e.cause }

func uiError(code, message string, cause error) *UIError {
	return &UIError{Code: code, Message: message, cause: cause}
}

// toUI keeps the operator-readable part of err: a sync client error's code
// and words, or a bare internal code for anything else (the cause stays in
// the log, not on the screen).
func toUI(err error) error {
	if err == nil {
		return nil
	}
	var ue *UIError
	if errors.As(err, &ue) {
		return ue
	}
	var se *syncclient.Error
	if errors.As(err, &se) {
		return uiError(se.Code, se.Message, err)
	}
	return uiError(CodeInternal, "", err)
}
