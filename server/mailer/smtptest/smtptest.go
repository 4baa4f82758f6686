// Package smtptest runs a real SMTP server (go-smtp) in the test's process:
// it takes mail on a local port, optionally behind STARTTLS or TLS with a
// certificate of its own authority and behind a login, and records every
// message it accepted.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one accepted message.
type Mail struct {
	From string
	To   []string
	Data []byte
	User string // who logged in, "" for nobody
}

// Options shape the server.
type Options struct {
	// TLS serves TLS from the first byte (else plain, offering STARTTLS
	// when a certificate exists).
	TLS bool
	// Cert makes a certificate for 127.0.0.1 signed by the server's own
	// authority (see CAPEM).
	Cert bool
	// Users, when set, requires a login with one of these
	// user -> password pairs.
	Users map[string]string
}

// Server is a running SMTP server.
type Server struct {
	Addr  string // 127.0.0.1:port
	Port  int
	CAPEM string // the authority that signed the certificate, PEM

	srv *smtp.Server
	opt Options
	// mu guards mails.
	mu    sync.Mutex
	mails []Mail
}

// Start runs a server until the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	s := &Server{opt: opt}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "127.0.0.1"
	s.srv.AllowInsecureAuth = !opt.TLS && !opt.Cert
	s.srv.ReadTimeout, s.srv.WriteTimeout = 30*time.Second, 30*time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests do
	if opt.Cert || opt.TLS {
		cfg, caPEM, err := selfSigned()
		if err != nil {
			t.Fatal(err)
		}
		s.srv.TLSConfig, s.CAPEM = cfg, caPEM
	}
	var ln net.Listener
	var err error
	if opt.TLS {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", s.srv.TLSConfig)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Mails returns what the server accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

type session struct {
	s    *Server
	user string
	from string
	to   []string
}

func (x *session) AuthMechanisms() []string {
	if x.s.opt.Users == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if pw, ok := x.s.opt.Users[username]; !ok || pw != password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		x.user = username
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opt.Users != nil && x.user == "" {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.mails = append(x.s.mails, Mail{From: x.from, To: append([]string(nil), x.to...), Data: b, User: x.user})
	x.s.mu.Unlock()
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// selfSigned makes an authority and a certificate for 127.0.0.1 it signed.
func selfSigned() (*tls.Config, string, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, "", err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, "", err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	return cfg, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})), nil
}

// Parsed is a mail as its reader sees it.
type Parsed struct {
	Subject     string
	From        string // the address
	To          []string
	ContentType string // of the whole message
	// Parts are the text parts by media type, decoded to UTF-8 text with
	// line ends as "\n".
	Parts map[string]string
	// Encodings are the parts' Content-Transfer-Encoding by media type.
	Encodings map[string]string
}

// Parse reads a mail with go-message, as a mail client would.
func Parse(data []byte) (*Parsed, error) {
	r, err := gomail.CreateReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	p := &Parsed{Parts: map[string]string{}, Encodings: map[string]string{}}
	if p.Subject, err = r.Header.Subject(); err != nil {
		return nil, err
	}
	from, err := r.Header.AddressList("From")
	if err != nil || len(from) != 1 {
		return nil, fmt.Errorf("the From header holds %v (%v), want one address", from, err)
	}
	p.From = from[0].Address
	to, err := r.Header.AddressList("To")
	if err != nil {
		return nil, err
	}
	for _, a := range to {
		p.To = append(p.To, a.Address)
	}
	p.ContentType, _, _ = r.Header.ContentType()
	for {
		part, err := r.NextPart()
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
		h, ok := part.Header.(*gomail.InlineHeader)
		if !ok {
			return nil, fmt.Errorf("a part is an attachment")
		}
		typ, _, _ := h.ContentType()
		b, err := io.ReadAll(part.Body)
		if err != nil {
			return nil, err
		}
		p.Parts[typ] = strings.ReplaceAll(string(b), "\r\n", "\n") // text lines end in CRLF on the wire
		p.Encodings[typ] = h.Get("Content-Transfer-Encoding")
	}
}
