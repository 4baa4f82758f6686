// Package mailer sends the team server's own e-mail (the export of a
// conversation) through the workspace's SMTP server: it checks the
// settings, composes a multipart/alternative message (plain text and HTML)
// with go-message, and hands it over with go-smtp, telling the admin in
// plain words what went wrong.
package mailer

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"switchboard/wire"
)

// Config is the SMTP server and the sender.
type Config struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"` // wire.SMTPStartTLS, SMTPTLS or SMTPNone
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	From     string `json:"from"`
	CACert   string `json:"caCert,omitempty"`
}

// Configured reports whether there is a server to send through.
func (c *Config) Configured() bool { return c != nil && c.Host != "" && c.From != "" }

// FieldError is a setting the admin must correct: Field is the setting's
// JSON name, Code a stable validation code.
type FieldError struct {
	Field, Code, Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Check validates the settings.
func (c *Config) Check() error {
	switch {
	case strings.TrimSpace(c.Host) == "" || strings.ContainsAny(c.Host, " /:@\r\n"):
		return &FieldError{"host", "invalid", "Enter the SMTP server's name, like smtp.example.com."}
	case c.Port < 1 || c.Port > 65535:
		return &FieldError{"port", "out_of_range", "The port is a number from 1 to 65535 (usually 587 with STARTTLS, 465 with TLS)."}
	case c.Security != wire.SMTPStartTLS && c.Security != wire.SMTPTLS && c.Security != wire.SMTPNone:
		return &FieldError{"security", "invalid", "Choose STARTTLS, TLS or no encryption."}
	case c.Password != "" && c.Username == "":
		return &FieldError{"username", "required", "A password needs the user name it belongs to."}
	}
	if _, err := c.fromAddress(); err != nil {
		return &FieldError{"from", "invalid", "Enter the sender's address, like Demo Shop <support@example.com>."}
	}
	if c.CACert != "" {
		if ok := x509.NewCertPool().AppendCertsFromPEM([]byte(c.CACert)); !ok {
			return &FieldError{"caCert", "invalid", "The extra authority is not a PEM certificate."}
		}
	}
	return nil
}

func (c *Config) fromAddress() (*mail.Address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(c.From))
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(a.Address, "\r\n") {
		return nil, errors.New("line break in address")
	}
	return a, nil
}

// Message is one e-mail to compose.
type Message struct {
	To      string // one bare address
	Subject string
	Text    string
	HTML    []byte
	Date    time.Time
}

// Compose writes msg as a MIME message from the configured sender: a
// multipart/alternative of the plain text and the HTML, both UTF-8 in
// quoted-printable.
func (c *Config) Compose(msg Message) ([]byte, error) {
	from, err := c.fromAddress()
	if err != nil {
		return nil, fmt.Errorf("sender %q: %w", c.From, err)
	}
	var h gomail.Header
	h.SetDate(msg.Date)
	h.SetAddressList("From", []*gomail.Address{{Name: from.Name, Address: from.Address}})
	h.SetAddressList("To", []*gomail.Address{{Address: msg.To}})
	h.SetSubject(msg.Subject)
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	if err := h.GenerateMessageIDWithHostname(domain); err != nil {
		return nil, err
	}
	h.Set("X-Mailer", "Switchboard")
	var buf bytes.Buffer
	w, err := gomail.CreateInlineWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		typ  string
		body []byte
	}{{"text/plain", []byte(msg.Text)}, {"text/html", msg.HTML}} {
		var ph gomail.InlineHeader
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		pw, err := w.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := pw.Write(p.body); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Error is a failure to send, in words for the operator and the admin
// (never the password). Code is stable: smtp.unreachable, smtp.tls_failed,
// smtp.tls_untrusted, smtp.login_failed, smtp.login_unsupported,
// smtp.rejected, smtp.busy.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Code + ": " + e.Message + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

const dialTimeout = 15 * time.Second

func (c *Config) tlsConfig() *tls.Config {
	cfg := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12}
	if c.CACert != "" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM([]byte(c.CACert))
		cfg.RootCAs = pool
	}
	return cfg
}

// Send hands data to the SMTP server for one recipient.
func (c *Config) Send(ctx context.Context, to string, data []byte) error {
	from, err := c.fromAddress()
	if err != nil {
		return fmt.Errorf("sender %q: %w", c.From, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	d := &net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
	if err != nil {
		return c.classify("connect", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	var cl *smtp.Client
	switch c.Security {
	case wire.SMTPTLS:
		cl = smtp.NewClient(tls.Client(conn, c.tlsConfig()))
	case wire.SMTPStartTLS:
		if cl, err = smtp.NewClientStartTLS(conn, c.tlsConfig()); err != nil {
			conn.Close()
			stage := "connect"
			if strings.Contains(err.Error(), "STARTTLS") {
				stage = "starttls"
			}
			return c.classify(stage, err)
		}
	default:
		cl = smtp.NewClient(conn)
	}
	defer cl.Close()
	if err := cl.Hello("switchboard"); err != nil {
		return c.classify("connect", err)
	}
	if c.Username != "" {
		if ok, _ := cl.Extension("AUTH"); !ok {
			return &Error{Code: "smtp.login_unsupported", Err: errors.New("no AUTH extension"),
				Message: "The SMTP server offers no login on this port; check the port and the encryption."}
		}
		if err := cl.Auth(sasl.NewPlainClient("", c.Username, c.Password)); err != nil {
			return c.classify("login", err)
		}
	}
	if err := cl.SendMail(from.Address, []string{to}, bytes.NewReader(data)); err != nil {
		return c.classify("send", err)
	}
	if err := cl.Quit(); err != nil && !errors.Is(err, io.EOF) {
		return c.classify("send", err)
	}
	return nil
}

// classify puts a failure into words the admin can act on.
func (c *Config) classify(stage string, err error) *Error {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalidErr x509.CertificateInvalidError
		verifyErr  *tls.CertificateVerificationError
		recordErr  tls.RecordHeaderError
		alertErr   tls.AlertError
		smtpErr    *smtp.SMTPError
		netErr     net.Error
	)
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidErr), errors.As(err, &verifyErr):
		return &Error{"smtp.tls_untrusted", "The SMTP server's certificate is not trusted for " + c.Host + "; check the server name, or add its authority.", err}
	case errors.As(err, &recordErr), errors.As(err, &alertErr):
		return &Error{"smtp.tls_failed", "The SMTP server did not speak TLS on this port; check the encryption and the port.", err}
	case stage == "starttls":
		return &Error{"smtp.tls_failed", "The SMTP server does not offer STARTTLS on this port; check the encryption and the port.", err}
	case stage == "login" && errors.As(err, &smtpErr) && smtpErr.Code >= 500:
		return &Error{"smtp.login_failed", "The SMTP server refused the user name and password.", err}
	case stage == "send" && errors.As(err, &smtpErr) && smtpErr.Code >= 500:
		return &Error{"smtp.rejected", "The SMTP server refused the message: " + smtpErr.Message, err}
	case errors.As(err, &smtpErr):
		return &Error{"smtp.busy", "The SMTP server is busy or limits this sender for now; try again later.", err}
	case errors.As(err, &netErr), stage == "connect":
		return &Error{"smtp.unreachable", "The SMTP server " + c.Host + " cannot be reached; check its name and port.", err}
	}
	return &Error{"smtp.unreachable", "Sending through the SMTP server failed; try again later.", err}
}
