package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"

	"switchboard/plugins/sdk"
)

// tlsConfig trusts the system's authorities and the settings' extra one.
func tlsConfig(s settings, host string) *tls.Config {
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if s.CACert != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM([]byte(s.CACert))
		cfg.RootCAs = pool
	}
	return cfg
}

// serverError is a mail server's failure, sorted by what to tell the
// admin. Definitive failures (the server answered no) are settings
// problems; the others may pass by themselves.
type serverError struct {
	Field      string // JSON pointer of the setting to look at
	Code       string
	Msg        string // plain words, never a password or customer text
	Definitive bool
	Err        error
}

func (e *serverError) Error() string { return e.Msg + ": " + e.Err.Error() }
func (e *serverError) Unwrap() error { return e.Err }

func (e *serverError) fieldError() sdk.FieldError {
	return sdk.FieldError{Field: e.Field, Code: "validation_" + e.Code, Message: e.Msg}
}

func (e *serverError) channelError() *sdk.ChannelError {
	return &sdk.ChannelError{Code: e.Code, Message: e.Msg}
}

// classify sorts a failure to connect or log in; prefix is "/imap" or
// "/smtp", stage what was being done.
func classifyErr(prefix, stage string, err error) *serverError {
	var se *serverError
	if errors.As(err, &se) {
		return se
	}
	server := map[string]string{"/imap": "the IMAP server", "/smtp": "the SMTP server"}[prefix]
	var (
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		verifyErr  *tls.CertificateVerificationError
		imapErr    *imap.Error
		smtpErr    *smtp.SMTPError
		netErr     net.Error
		opErr      *net.OpError
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidErr), errors.As(err, &verifyErr):
		return &serverError{Field: prefix + "/host", Code: "tls_untrusted", Definitive: true, Err: err,
			Msg: server + "'s certificate is not trusted for this name (add its authority in ca_cert, or check the server name)"}
	case errors.As(err, &recordErr), errors.As(err, &alertErr):
		return &serverError{Field: prefix + "/security", Code: "tls_failed", Definitive: true, Err: err,
			Msg: server + " did not speak TLS on this port; check the encryption and port"}
	case stage == "login" && errors.As(err, &imapErr):
		return &serverError{Field: prefix + "/password", Code: "login_failed", Definitive: true, Err: err,
			Msg: server + " refused the login and password (for Gmail, Yandex, Mail.ru and Outlook use an app password)"}
	case stage == "login" && errors.As(err, &smtpErr) && smtpErr.Code >= 500:
		return &serverError{Field: prefix + "/password", Code: "login_failed", Definitive: true, Err: err,
			Msg: server + " refused the login and password (for Gmail, Yandex, Mail.ru and Outlook use an app password)"}
	case stage == "select" && errors.As(err, &imapErr):
		return &serverError{Field: prefix + "/folder", Code: "folder_missing", Definitive: true, Err: err,
			Msg: "the folder to read does not exist on " + server}
	case stage == "starttls":
		return &serverError{Field: prefix + "/security", Code: "tls_failed", Definitive: true, Err: err,
			Msg: server + " does not offer STARTTLS on this port; check the encryption and port"}
	case errors.As(err, &opErr) && opErr.Op == "dial", errors.As(err, &netErr):
		return &serverError{Field: prefix + "/host", Code: "unreachable", Err: err,
			Msg: server + " cannot be reached; check the server name and port"}
	case errors.As(err, &smtpErr) && smtpErr.Code < 500:
		return &serverError{Field: prefix + "/host", Code: "busy", Err: err,
			Msg: server + " is busy or limits this sender for now"}
	}
	return &serverError{Field: prefix + "/host", Code: "unreachable", Err: err,
		Msg: fmt.Sprintf("%s failed while trying to %s", server, stage)}
}
