package main

// The mail servers the tests talk to: Dovecot from Debian for IMAP, run
// unprivileged from a generated configuration, and an SMTP server built on
// go-smtp (Postfix needs root) that takes submissions over STARTTLS or TLS
// with a login and delivers each mail into the recipient's Dovecot mailbox.

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// mailServers is one Dovecot and one SMTP server for the whole test run.
type mailServers struct {
	dir       string
	caPEM     string
	tls       *tls.Config // servers' side
	trust     *x509.CertPool
	imapPort  int // STARTTLS
	imapsPort int
	smtpPort  int // STARTTLS
	smtpsPort int

	uid, gid int
	dovecot  *exec.Cmd
	smtp     []*smtp.Server

	// mu guards users.
	mu    sync.Mutex
	users map[string]string // address -> password
	seq   int               // mailboxes handed out
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// selfSigned makes a certificate for 127.0.0.1 that is its own authority.
func selfSigned() (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "mail test authority"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), nil
}

const dovecotConf = `base_dir = {{dir}}/run
state_dir = {{dir}}/state
log_path = {{dir}}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{{dir}}/cert.pem
ssl_key = <{{dir}}/key.pem
auth_mechanisms = plain login
default_internal_user = {{user}}
default_internal_group = {{group}}
default_login_user = {{user}}
first_valid_uid = 1
mailbox_idle_check_interval = 1 secs
auth_failure_delay = 0
service imap-login {
  inet_listener imap {
    port = {{imap}}
  }
  inet_listener imaps {
    port = {{imaps}}
    ssl = yes
  }
  chroot =
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {{dir}}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u {{dir}}/passwd
}
mail_location = maildir:{{dir}}/mail/%u
namespace inbox {
  inbox = yes
  separator = /
}
`

// startMailServers starts Dovecot and the SMTP server. Run as root (CI),
// Dovecot runs as nobody, as it would as any unprivileged user.
func startMailServers() (*mailServers, error) {
	if _, err := exec.LookPath("dovecot"); err != nil {
		return nil, errors.New("dovecot is not installed (Debian package dovecot-imapd; scripts/setup installs it)")
	}
	dir, err := os.MkdirTemp("", "sbmail")
	if err != nil {
		return nil, err
	}
	ms := &mailServers{dir: dir, users: map[string]string{}, uid: os.Getuid(), gid: os.Getgid()}
	if ms.uid == 0 {
		ms.uid, ms.gid = 65534, 65534 // nobody
	}
	u, err := user.LookupId(strconv.Itoa(ms.uid))
	if err != nil {
		return nil, err
	}
	g, err := user.LookupGroupId(strconv.Itoa(ms.gid))
	if err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := selfSigned()
	if err != nil {
		return nil, err
	}
	ms.caPEM = string(certPEM)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	ms.tls = &tls.Config{Certificates: []tls.Certificate{pair}}
	ms.trust = x509.NewCertPool()
	ms.trust.AppendCertsFromPEM(certPEM)
	for _, p := range []*int{&ms.imapPort, &ms.imapsPort, &ms.smtpPort, &ms.smtpsPort} {
		if *p, err = freePort(); err != nil {
			return nil, err
		}
	}
	conf := strings.NewReplacer("{{dir}}", dir, "{{user}}", u.Username, "{{group}}", g.Name,
		"{{imap}}", strconv.Itoa(ms.imapPort), "{{imaps}}", strconv.Itoa(ms.imapsPort)).Replace(dovecotConf)
	files := map[string][]byte{"dovecot.conf": []byte(conf), "cert.pem": certPEM, "key.pem": keyPEM}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return nil, err
		}
	}
	if err := ms.makeUsers(); err != nil {
		return nil, err
	}
	if err := ms.chownAll(); err != nil {
		return nil, err
	}
	ms.dovecot = exec.Command("dovecot", "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	var out bytes.Buffer
	ms.dovecot.Stdout, ms.dovecot.Stderr = &out, &out
	if os.Getuid() == 0 {
		ms.dovecot.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(ms.uid), Gid: uint32(ms.gid)}}
	}
	if err := ms.dovecot.Start(); err != nil {
		return nil, fmt.Errorf("start dovecot: %w", err)
	}
	if err := waitPort(ms.imapPort, 15*time.Second); err != nil {
		ms.stop()
		log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		return nil, fmt.Errorf("dovecot did not start: %w\n%s\n%s", err, out.String(), log)
	}
	if err := ms.startSMTP(); err != nil {
		ms.stop()
		return nil, err
	}
	return ms, nil
}

func (ms *mailServers) chownAll() error {
	if os.Getuid() != 0 {
		return nil
	}
	return filepath.Walk(ms.dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, ms.uid, ms.gid)
	})
}

func waitPort(port int, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (ms *mailServers) stop() {
	for _, s := range ms.smtp {
		s.Close()
	}
	if ms.dovecot != nil && ms.dovecot.Process != nil {
		_ = ms.dovecot.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = ms.dovecot.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = ms.dovecot.Process.Kill()
		}
	}
	if os.Getenv("KEEP_MAIL") == "" { // KEEP_MAIL=1 keeps the folder and dovecot.log for a look
		os.RemoveAll(ms.dir)
	}
}

// poolSize is how many mailboxes the run has. They are all written into
// the passwd-file before Dovecot starts: Dovecot rereads a changed file at
// most once a second, which would race with tests adding users.
const poolSize = 60

func (ms *mailServers) makeUsers() error {
	var lines strings.Builder
	for i := range poolSize {
		addr := fmt.Sprintf("user%d@example.com", i)
		pw := fmt.Sprintf("pw-%d-%x", i, time.Now().UnixNano())
		ms.users[addr] = pw
		fmt.Fprintf(&lines, "%s:{PLAIN}%s:%d:%d::%s::\n", addr, pw, ms.uid, ms.gid, filepath.Join(ms.dir, "home", addr))
	}
	return os.WriteFile(filepath.Join(ms.dir, "passwd"), []byte(lines.String()), 0o600)
}

// addUser hands out a fresh mailbox of the pool; role only documents the
// caller.
func (ms *mailServers) addUser(role string) (addr, password string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if ms.seq == poolSize {
		panic("the test run needs more than " + fmt.Sprint(poolSize) + " mailboxes for " + role)
	}
	addr = fmt.Sprintf("user%d@example.com", ms.seq)
	ms.seq++
	return addr, ms.users[addr]
}

func (ms *mailServers) password(addr string) (string, bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	pw, ok := ms.users[strings.ToLower(addr)]
	return pw, ok
}

// imap logs in to Dovecot as a user over STARTTLS.
func (ms *mailServers) imap(addr string) (*imapclient.Client, error) {
	pw, ok := ms.password(addr)
	if !ok {
		return nil, fmt.Errorf("no mailbox %s", addr)
	}
	c, err := imapclient.DialStartTLS(fmt.Sprintf("127.0.0.1:%d", ms.imapPort), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: ms.trust}})
	if err != nil {
		return nil, err
	}
	if err := c.Login(addr, pw).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// deliver appends a mail to a user's INBOX, as a delivery agent would.
func (ms *mailServers) deliver(rcpt string, msg []byte) error {
	c, err := ms.imap(rcpt)
	if err != nil {
		return err
	}
	defer c.Close()
	cmd := c.Append("INBOX", int64(len(msg)), nil)
	if _, err := cmd.Write(msg); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	if _, err := cmd.Wait(); err != nil {
		return err
	}
	return c.Logout().Wait()
}

func (ms *mailServers) startSMTP() error {
	for i, port := range []int{ms.smtpPort, ms.smtpsPort} {
		s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &submission{ms: ms}, nil }))
		s.Domain = "mx.example.com"
		s.TLSConfig = ms.tls
		s.ReadTimeout, s.WriteTimeout = 30*time.Second, 30*time.Second
		s.MaxMessageBytes = 30 << 20
		s.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests do
		var ln net.Listener
		var err error
		if i == 0 {
			ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		} else {
			ln, err = tls.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port), ms.tls)
		}
		if err != nil {
			return err
		}
		ms.smtp = append(ms.smtp, s)
		go func() { _ = s.Serve(ln) }()
	}
	return nil
}

// submission is one SMTP session: log in, then mail to local users.
type submission struct {
	ms    *mailServers
	user  string
	from  string
	rcpts []string
}

func (s *submission) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *submission) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if pw, ok := s.ms.password(username); !ok || pw != password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		s.user = username
		return nil
	}), nil
}

func (s *submission) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" && from != "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *submission) Rcpt(to string, _ *smtp.RcptOptions) error {
	if _, ok := s.ms.password(to); !ok {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

func (s *submission) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg := append([]byte("Return-Path: <"+s.from+">\r\n"), body...)
	for _, rc := range s.rcpts {
		if err := s.ms.deliver(rc, msg); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "delivery failed: " + err.Error()}
		}
	}
	return nil
}

func (s *submission) Reset()        { s.from, s.rcpts = "", nil }
func (s *submission) Logout() error { return nil }
