package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"

	"switchboard/plugins/sdk"
)

// settings of an e-mail channel: one mailbox, read over IMAP and written
// from over SMTP.
type settings struct {
	// Address is the mailbox's own address, the From of every reply.
	Address string `json:"address"`
	// DisplayName is shown beside the address when the operator's name is
	// not known.
	DisplayName string       `json:"display_name"`
	IMAP        imapSettings `json:"imap"`
	SMTP        smtpSettings `json:"smtp"`
	// CACert is a PEM certificate (or several) trusted besides the system's,
	// for a company server with its own certificate authority.
	CACert string `json:"ca_cert"`
}

// server is how to reach and log in to a mail server.
type server struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"` // tls, starttls or none
	Username string `json:"username"`
	Password string `json:"password"`
}

type imapSettings struct {
	server
	// Folder is read for new mail.
	Folder string `json:"folder"`
	// AfterProcessing is what happens to a mail once the inbox stored it:
	// "seen" marks it read, "move" moves it to MoveTo.
	AfterProcessing string `json:"after_processing"`
	MoveTo          string `json:"move_to"`
	// PollSeconds is how often to look for mail when the server offers no
	// IDLE (or Idle is false).
	PollSeconds int   `json:"poll_seconds"`
	Idle        *bool `json:"idle"`
}

type smtpSettings struct {
	server
	// PerMinute bounds the replies sent per minute (providers throttle
	// senders that burst).
	PerMinute int `json:"per_minute"`
}

const (
	securityTLS      = "tls"
	securityStartTLS = "starttls"
	securityNone     = "none"

	afterSeen = "seen"
	afterMove = "move"
)

// settingsSchema marks passwords writeOnly (JSON Schema's word for "never
// sent back"): the connector only reads them and never logs them.
const settingsSchema = `{
  "type": "object",
  "required": ["address", "imap", "smtp"],
  "properties": {
    "address": {"type": "string", "format": "email", "title": "Mailbox address (replies are sent from it)"},
    "display_name": {"type": "string", "title": "Sender name", "maxLength": 100},
    "imap": {
      "type": "object", "title": "Incoming mail (IMAP)",
      "required": ["host", "username", "password"],
      "properties": {
        "host": {"type": "string", "title": "Server"},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "title": "Port (993 for TLS, 143 for STARTTLS)"},
        "security": {"type": "string", "enum": ["tls", "starttls", "none"], "default": "tls", "title": "Encryption"},
        "username": {"type": "string", "title": "Login"},
        "password": {"type": "string", "title": "Password or app password", "writeOnly": true, "format": "password"},
        "folder": {"type": "string", "default": "INBOX", "title": "Folder to read"},
        "after_processing": {"type": "string", "enum": ["seen", "move"], "default": "seen", "title": "After a mail reaches the inbox"},
        "move_to": {"type": "string", "default": "Switchboard", "title": "Folder processed mail moves to"},
        "poll_seconds": {"type": "integer", "minimum": 5, "maximum": 3600, "default": 60, "title": "Check every (seconds) when the server has no IDLE"},
        "idle": {"type": "boolean", "default": true, "title": "Use IDLE (instant delivery) when the server offers it"}
      },
      "additionalProperties": false
    },
    "smtp": {
      "type": "object", "title": "Outgoing mail (SMTP)",
      "required": ["host"],
      "properties": {
        "host": {"type": "string", "title": "Server"},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "title": "Port (465 for TLS, 587 for STARTTLS)"},
        "security": {"type": "string", "enum": ["tls", "starttls", "none"], "default": "starttls", "title": "Encryption"},
        "username": {"type": "string", "title": "Login (empty: the IMAP login)"},
        "password": {"type": "string", "title": "Password (empty: the IMAP password)", "writeOnly": true, "format": "password"},
        "per_minute": {"type": "integer", "minimum": 1, "maximum": 600, "default": 30, "title": "Replies per minute at most"}
      },
      "additionalProperties": false
    },
    "ca_cert": {"type": "string", "title": "Extra trusted CA certificate (PEM), for a server with its own authority"}
  },
  "additionalProperties": false
}`

// parseSettings decodes, fills defaults and validates, reporting every
// problem. Messages never quote a password.
func parseSettings(raw []byte) (settings, []sdk.FieldError) {
	var s settings
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, []sdk.FieldError{{Field: "", Code: "validation_invalid_json", Message: jsonProblem(err)}}
	}
	var fes []sdk.FieldError
	add := func(field, code, msg string) {
		fes = append(fes, sdk.FieldError{Field: field, Code: code, Message: msg})
	}
	if s.Address == "" {
		add("/address", "validation_required", "the mailbox address is required")
	} else if a, err := mail.ParseAddress(s.Address); err != nil || a.Name != "" || !strings.Contains(a.Address, "@") {
		add("/address", "validation_invalid_email", "the mailbox address must be a plain address such as support@example.com")
	} else {
		s.Address = a.Address
	}
	if len([]rune(s.DisplayName)) > 100 {
		add("/display_name", "validation_too_long", "the sender name is longer than 100 characters")
	}
	s.IMAP.server.defaults(securityTLS, 993, 143)
	s.SMTP.server.defaults(securityStartTLS, 465, 587)
	fes = append(fes, s.IMAP.server.check("/imap")...)
	if s.IMAP.Username == "" {
		add("/imap/username", "validation_required", "the IMAP login is required")
	}
	if s.IMAP.Password == "" {
		add("/imap/password", "validation_required", "the IMAP password is required")
	}
	if s.SMTP.Username == "" && s.SMTP.Password == "" {
		s.SMTP.Username, s.SMTP.Password = s.IMAP.Username, s.IMAP.Password
	}
	fes = append(fes, s.SMTP.server.check("/smtp")...)
	if s.IMAP.Folder == "" {
		s.IMAP.Folder = "INBOX"
	}
	switch s.IMAP.AfterProcessing {
	case "":
		s.IMAP.AfterProcessing = afterSeen
	case afterSeen, afterMove:
	default:
		add("/imap/after_processing", "validation_invalid_choice", `after_processing must be "seen" or "move"`)
	}
	if s.IMAP.MoveTo == "" {
		s.IMAP.MoveTo = "Switchboard"
	}
	if s.IMAP.AfterProcessing == afterMove && strings.EqualFold(s.IMAP.MoveTo, s.IMAP.Folder) {
		add("/imap/move_to", "validation_same_folder", "processed mail must move to another folder than the one read")
	}
	switch {
	case s.IMAP.PollSeconds == 0:
		s.IMAP.PollSeconds = 60
	case s.IMAP.PollSeconds < 5 || s.IMAP.PollSeconds > 3600:
		add("/imap/poll_seconds", "validation_out_of_range", "poll_seconds must be between 5 and 3600")
	}
	switch {
	case s.SMTP.PerMinute == 0:
		s.SMTP.PerMinute = 30
	case s.SMTP.PerMinute < 1 || s.SMTP.PerMinute > 600:
		add("/smtp/per_minute", "validation_out_of_range", "per_minute must be between 1 and 600")
	}
	if s.CACert != "" {
		if !x509.NewCertPool().AppendCertsFromPEM([]byte(s.CACert)) {
			add("/ca_cert", "validation_invalid_certificate", "ca_cert holds no PEM certificate")
		}
	}
	return s, fes
}

// jsonProblem describes a decoding error without echoing the input, which
// may hold a password.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("settings are not valid JSON (at byte %d)", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("setting %q has the wrong type (want %s)", te.Field, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return "settings have an " + strings.TrimPrefix(err.Error(), "json: ")
	}
	return "settings are not valid JSON"
}

func (s *server) defaults(security string, tlsPort, plainPort int) {
	if s.Security == "" {
		s.Security = security
	}
	if s.Port == 0 {
		if s.Security == securityTLS {
			s.Port = tlsPort
		} else {
			s.Port = plainPort
		}
	}
}

func (s server) check(prefix string) []sdk.FieldError {
	var fes []sdk.FieldError
	switch {
	case s.Host == "":
		fes = append(fes, sdk.FieldError{Field: prefix + "/host", Code: "validation_required", Message: "the server is required"})
	case strings.ContainsAny(s.Host, " /:") && net.ParseIP(s.Host) == nil:
		fes = append(fes, sdk.FieldError{Field: prefix + "/host", Code: "validation_invalid_host", Message: "the server must be a host name such as imap.example.com"})
	}
	if s.Port < 1 || s.Port > 65535 {
		fes = append(fes, sdk.FieldError{Field: prefix + "/port", Code: "validation_out_of_range", Message: "the port must be between 1 and 65535"})
	}
	switch s.Security {
	case securityTLS, securityStartTLS:
	case securityNone:
		// A password in clear text may only cross the loopback.
		if !isLoopback(s.Host) {
			fes = append(fes, sdk.FieldError{Field: prefix + "/security", Code: "validation_insecure",
				Message: "an unencrypted connection is allowed only to this computer; choose tls or starttls"})
		}
	default:
		fes = append(fes, sdk.FieldError{Field: prefix + "/security", Code: "validation_invalid_choice", Message: `security must be "tls", "starttls" or "none"`})
	}
	return fes
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s server) addr() string { return net.JoinHostPort(s.Host, fmt.Sprint(s.Port)) }

// idle says whether to use IDLE when offered.
func (s imapSettings) idle() bool { return s.Idle == nil || *s.Idle }

func (s imapSettings) pollEvery() time.Duration { return time.Duration(s.PollSeconds) * time.Second }

// fingerprint identifies the settings that decide which servers and
// accounts are used, so a restart with settings that once worked does not
// turn a passing outage into a settings error.
func (s settings) fingerprint() string {
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// domain is the mailbox's domain, the right side of our Message-IDs.
func (s settings) domain() string {
	if i := strings.LastIndexByte(s.Address, '@'); i >= 0 {
		return s.Address[i+1:]
	}
	return "switchboard.invalid"
}
