package app

import (
	"encoding/json"
	"errors"

	"switchboard/app/syncclient"
	"switchboard/inbox"
)

// Stable codes of errors the services return on their own account. The UI
// uses every code as an i18n key.
const (
	CodeSignedOut    = "session.signed_out"
	CodeNotFound     = "not_found"
	CodeBadInput     = "input.invalid"
	CodeInternal     = "internal"
	CodeEmptyMessage = "message.empty"
	// CodeUnknownColleague: a mention or an invitation names someone who
	// is not an active teammate.
	CodeUnknownColleague = "colleague.unknown"
	// CodeNoColleague: "add a colleague" with nobody picked.
	CodeNoColleague = "colleague.none"
	// CodeMentionNotComment: only a comment may mention colleagues.
	CodeMentionNotComment = "mention.not_comment"
	// CodeSnoozeInPast: a snooze until a time that has passed (the
	// server's rule has the same code).
	CodeSnoozeInPast = "snooze.in_past"
	// CodePhoneEmpty: starting a dialog by phone without a number.
	CodePhoneEmpty = "contact.empty"
	// CodeClientBlacklisted: writing first to a blacklisted client (the
	// server's rule has the same code).
	CodeClientBlacklisted = "client.blacklisted"
	// CodeReplyUnknown: a reply names a message that is not in the dialog
	// (the domain's code for the same refusal).
	CodeReplyUnknown = "message.reply_unknown"
	// CodeFileMissing: an attached file is gone from this computer before
	// the server had it; Args["name"] names it.
	CodeFileMissing = "file.missing"
	// CodeFileTooLarge: the server refused a file; Args["max"] is its limit.
	CodeFileTooLarge = "file.too_large"
)

// UIError is what a bound method's rejected promise carries: Wails passes
// Error() to the UI, so it is JSON the front end's binding module parses.
type UIError struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	// Fields names the form fields a validation error is about.
	Fields map[string]string `json:"fields,omitempty"`
	// Args fill the placeholders of the code's translation.
	Args  map[string]string `json:"args,omitempty"`
	cause error
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
	if r, ok := inbox.AsRefusal(err); ok {
		// The domain's rules, run on the desktop before a command is
		// queued: the same code and words the server would answer.
		ue := uiError(r.Code, r.Message, err)
		if f := r.Args["field"]; f != "" {
			ue.Fields = map[string]string{f: r.Code}
		}
		return ue
	}
	var se *syncclient.Error
	if errors.As(err, &se) {
		ue := uiError(se.Code, se.Message, err)
		ue.Fields, ue.Args = se.Fields, se.Args
		return ue
	}
	return uiError(CodeInternal, "", err)
}
