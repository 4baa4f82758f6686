package mailer

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"switchboard/server/mailer/smtptest"
	"switchboard/wire"
)

func TestCheck(t *testing.T) {
	good := Config{Host: "smtp.example.com", Port: 587, Security: wire.SMTPStartTLS, Username: "u", Password: "p", From: "Shop <shop@example.com>"}
	tests := []struct {
		name  string
		edit  func(c *Config)
		field string // "" = valid
	}{
		{"the usual submission settings are valid", func(*Config) {}, ""},
		{"no login is valid", func(c *Config) { c.Username, c.Password = "", "" }, ""},
		{"a host is required", func(c *Config) { c.Host = " " }, "host"},
		{"a host is a name, not a URL", func(c *Config) { c.Host = "smtp://mail.example.com" }, "host"},
		{"port 0 is refused", func(c *Config) { c.Port = 0 }, "port"},
		{"port 70000 is refused", func(c *Config) { c.Port = 70000 }, "port"},
		{"an unknown encryption is refused", func(c *Config) { c.Security = "ssl" }, "security"},
		{"a password without a user is refused", func(c *Config) { c.Username = "" }, "username"},
		{"the sender must be an address", func(c *Config) { c.From = "shop" }, "from"},
		{"a broken authority is refused", func(c *Config) { c.CACert = "-----BEGIN CERTIFICATE-----\nnope" }, "caCert"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			err := c.Check()
			var fe *FieldError
			switch {
			case tc.field == "" && err != nil:
				t.Fatalf("Check() = %v, want valid", err)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field || fe.Message == ""):
				t.Fatalf("Check() = %v, want a worded error about %s", err, tc.field)
			}
		})
	}
}

func TestComposeIsMultipartAlternative(t *testing.T) {
	c := Config{From: "Магазин <shop@example.com>"}
	data, err := c.Compose(Message{To: "boss@example.com", Subject: "Диалог №42 <важно>", Text: "Привет\n<script>x</script>",
		HTML: []byte("<p>Привет &lt;script&gt;</p>"), Date: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := smtptest.Parse(data)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, data)
	}
	if p.Subject != "Диалог №42 <важно>" || p.From != "shop@example.com" || len(p.To) != 1 || p.To[0] != "boss@example.com" {
		t.Errorf("headers = %q from %q to %v", p.Subject, p.From, p.To)
	}
	if p.ContentType != "multipart/alternative" || p.Parts["text/plain"] != "Привет\n<script>x</script>" || p.Parts["text/html"] != "<p>Привет &lt;script&gt;</p>" {
		t.Errorf("body = %s with parts %q", p.ContentType, p.Parts)
	}
	for typ, enc := range p.Encodings {
		if enc != "quoted-printable" {
			t.Errorf("part %s is %q, want quoted-printable (7-bit safe)", typ, enc)
		}
	}
	for _, line := range strings.Split(string(data), "\r\n") {
		if len(line) > 998 {
			t.Errorf("a line of %d bytes: mail servers cut lines past 998", len(line))
		}
	}
}

func TestSend(t *testing.T) {
	users := map[string]string{"shop": "s3cret"}
	plain := smtptest.Start(t, smtptest.Options{Users: users})
	open := smtptest.Start(t, smtptest.Options{})
	starttls := smtptest.Start(t, smtptest.Options{Cert: true, Users: users})
	implicit := smtptest.Start(t, smtptest.Options{TLS: true, Users: users})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	tests := []struct {
		name string
		srv  *smtptest.Server
		cfg  Config
		code string // "" = delivered
	}{
		{"no encryption, with a login", plain, Config{Security: wire.SMTPNone, Username: "shop", Password: "s3cret"}, ""},
		{"no encryption, no login", open, Config{Security: wire.SMTPNone}, ""},
		{"STARTTLS trusting the server's authority", starttls, Config{Security: wire.SMTPStartTLS, Username: "shop", Password: "s3cret", CACert: starttls.CAPEM}, ""},
		{"TLS trusting the server's authority", implicit, Config{Security: wire.SMTPTLS, Username: "shop", Password: "s3cret", CACert: implicit.CAPEM}, ""},
		{"STARTTLS to an untrusted certificate", starttls, Config{Security: wire.SMTPStartTLS, Username: "shop", Password: "s3cret"}, "smtp.tls_untrusted"},
		{"STARTTLS where the server offers none", plain, Config{Security: wire.SMTPStartTLS, Username: "shop", Password: "s3cret"}, "smtp.tls_failed"},
		{"TLS to a plain port", plain, Config{Security: wire.SMTPTLS, Username: "shop", Password: "s3cret"}, "smtp.tls_failed"},
		{"a wrong password", plain, Config{Security: wire.SMTPNone, Username: "shop", Password: "guess"}, "smtp.login_failed"},
		{"a login where the server offers none", open, Config{Security: wire.SMTPNone, Username: "shop", Password: "s3cret"}, "smtp.login_unsupported"},
		{"nobody listening", nil, Config{Security: wire.SMTPNone}, "smtp.unreachable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.cfg
			c.Host, c.Port, c.From = "127.0.0.1", closed, "Shop <shop@example.com>"
			before := 0
			if tc.srv != nil {
				c.Port = tc.srv.Port
				before = len(tc.srv.Mails())
			}
			data, err := c.Compose(Message{To: "boss@example.com", Subject: "Hi", Text: "t", HTML: []byte("<p>h</p>"), Date: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Send(context.Background(), "boss@example.com", data)
			var me *Error
			switch {
			case tc.code == "" && err != nil:
				t.Fatalf("Send = %v, want delivered", err)
			case tc.code != "" && (!errors.As(err, &me) || me.Code != tc.code || me.Message == ""):
				t.Fatalf("Send = %v, want %s in words", err, tc.code)
			case tc.code != "" && strings.Contains(me.Message, "s3cret"):
				t.Fatalf("the error %q shows the password", me.Message)
			}
			if tc.srv == nil {
				return
			}
			mails := tc.srv.Mails()
			if tc.code != "" {
				if len(mails) != before {
					t.Fatalf("a failed send delivered %d mails", len(mails)-before)
				}
				return
			}
			got := mails[len(mails)-1]
			if got.From != "shop@example.com" || len(got.To) != 1 || got.To[0] != "boss@example.com" || got.User != c.Username {
				t.Errorf("delivered from %q to %v as %q", got.From, got.To, got.User)
			}
		})
	}
}
