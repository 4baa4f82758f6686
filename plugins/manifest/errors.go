package manifest

import "errors"

// Stable refusal codes; each doubles as an i18n key for the admin screen.
const (
	CodeUnreadable       = "plugin_manifest_unreadable"
	CodeMalformed        = "plugin_manifest_malformed"
	CodeInvalid          = "plugin_manifest_invalid"
	CodePathEscapes      = "plugin_path_escapes"
	CodeUnknownPublisher = "plugin_unknown_publisher"
	CodeBadSignature     = "plugin_bad_signature"
	CodeNoExecutable     = "plugin_no_executable_for_platform"
	CodeExecutableAbsent = "plugin_executable_missing"
	CodeBadChecksum      = "plugin_bad_checksum"
	CodeProtocol         = "plugin_protocol_unsupported"
)

// Error is why a plugin was refused, in words an admin can read.
type Error struct {
	Code   string
	Plugin string // id or folder, when known
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	s := e.Msg
	if e.Plugin != "" {
		s = "plugin " + e.Plugin + ": " + s
	}
	return s + " [" + e.Code + "]"
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the refusal code of err, or "" when err is no refusal.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
