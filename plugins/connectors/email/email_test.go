package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"switchboard/plugins/conformance"
	"switchboard/plugins/host"
	"switchboard/plugins/manifest"
	"switchboard/plugins/sdk"
)

var (
	servers *mailServers
	binary  string // the built connector
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	var err error
	if servers, err = startMailServers(); err != nil {
		fmt.Fprintln(os.Stderr, "mail servers:", err)
		return 1
	}
	defer servers.stop()
	dir, err := os.MkdirTemp("", "sbemailbin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "email")
	if out, err := exec.Command("go", "build", "-o", binary, "switchboard/plugins/connectors/email").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build email: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// mailbox settings for a user of the test servers.
type settingsOpt func(map[string]any)

func settingsFor(addr, password string, opts ...settingsOpt) []byte {
	s := map[string]any{
		"address": addr, "display_name": "Shop support",
		"imap": map[string]any{"host": "127.0.0.1", "port": servers.imapPort, "security": "starttls",
			"username": addr, "password": password},
		"smtp": map[string]any{"host": "127.0.0.1", "port": servers.smtpsPort, "security": "tls",
			"username": addr, "password": password, "per_minute": 600},
		"ca_cert": servers.caPEM,
	}
	for _, o := range opts {
		o(s)
	}
	b, _ := json.Marshal(s)
	return b
}

func imapSetting(key string, v any) settingsOpt {
	return func(s map[string]any) { s["imap"].(map[string]any)[key] = v }
}

func smtpSetting(key string, v any) settingsOpt {
	return func(s map[string]any) { s["smtp"].(map[string]any)[key] = v }
}

// draft is a mail a customer writes.
type draft struct {
	From, Subject, Text, HTML string
	To, Cc                    []string
	MessageID                 string
	InReplyTo                 string
	References                []string
	Headers                   map[string]string
	Files                     map[string][]byte // name -> content
}

// compose writes the draft with go-message, as a mail client would.
func compose(t *testing.T, d draft) []byte {
	t.Helper()
	var h mail.Header
	h.SetDate(time.Now())
	h.SetAddressList("From", addrs(d.From))
	h.SetAddressList("To", addrs(d.To...))
	if len(d.Cc) > 0 {
		h.SetAddressList("Cc", addrs(d.Cc...))
	}
	h.SetSubject(d.Subject)
	if d.MessageID == "" {
		if err := h.GenerateMessageIDWithHostname("example.com"); err != nil {
			t.Fatal(err)
		}
	} else {
		h.SetMessageID(d.MessageID)
	}
	if d.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{d.InReplyTo})
	}
	if len(d.References) > 0 {
		h.SetMsgIDList("References", d.References)
	}
	for k, v := range d.Headers {
		h.Set(k, v)
	}
	var buf bytes.Buffer
	w, err := mail.CreateWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	alt, err := w.CreateInline()
	if err != nil {
		t.Fatal(err)
	}
	part := func(ct, body string) {
		if body == "" {
			return
		}
		var ph mail.InlineHeader
		ph.SetContentType(ct, map[string]string{"charset": "utf-8"})
		pw, err := alt.CreatePart(ph)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(pw, body)
		pw.Close()
	}
	part("text/plain", d.Text)
	part("text/html", d.HTML)
	alt.Close()
	for name, data := range d.Files {
		var ah mail.AttachmentHeader
		ah.SetContentType("application/octet-stream", nil)
		if strings.HasSuffix(name, ".png") {
			ah.SetContentType("image/png", nil)
		}
		ah.SetFilename(name)
		aw, err := w.CreateAttachment(ah)
		if err != nil {
			t.Fatal(err)
		}
		aw.Write(data)
		aw.Close()
	}
	w.Close()
	return buf.Bytes()
}

func addrs(list ...string) []*mail.Address {
	out := make([]*mail.Address, len(list))
	for i, a := range list {
		out[i] = &mail.Address{Address: a}
	}
	return out
}

// submit sends a mail through the SMTP server as its logged-in sender, or
// with a null sender (bounces) when from is "".
func submit(t *testing.T, from string, rcpts []string, msg []byte) {
	t.Helper()
	c, err := smtp.DialStartTLS(fmt.Sprintf("127.0.0.1:%d", servers.smtpPort), &tls.Config{RootCAs: servers.trust})
	if err != nil {
		t.Fatalf("dial smtp: %v", err)
	}
	defer c.Close()
	if from != "" {
		pw, _ := servers.password(from)
		if err := c.Auth(sasl.NewPlainClient("", from, pw)); err != nil {
			t.Fatalf("smtp auth %s: %v", from, err)
		}
	}
	if err := c.SendMail(from, rcpts, bytes.NewReader(msg)); err != nil {
		t.Fatalf("send mail from %q: %v", from, err)
	}
}

func send(t *testing.T, d draft) {
	t.Helper()
	submit(t, d.From, append(append([]string{}, d.To...), d.Cc...), compose(t, d))
}

// received is a mail read back from a mailbox with a real IMAP client.
type received struct {
	UID    imap.UID
	Header mail.Header
	Text   string
	Files  map[string][]byte
}

// readMailbox reads a folder of a user's mailbox.
func readMailbox(t *testing.T, addr, folder string) []received {
	t.Helper()
	c, err := servers.imap(addr)
	if err != nil {
		t.Fatalf("imap login %s: %v", addr, err)
	}
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("select %s: %v", folder, err)
	}
	bufs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		if strings.Contains(err.Error(), "No messages") || strings.Contains(err.Error(), "Invalid messageset") {
			return nil
		}
		t.Fatalf("fetch: %v", err)
	}
	var out []received
	for _, b := range bufs {
		raw := b.FindBodySection(&imap.FetchItemBodySection{Peek: true})
		mr, err := mail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		r := received{UID: b.UID, Header: mr.Header, Files: map[string][]byte{}}
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			data, _ := io.ReadAll(p.Body)
			switch h := p.Header.(type) {
			case *mail.InlineHeader:
				r.Text += string(data)
			case *mail.AttachmentHeader:
				name, _ := h.Filename()
				r.Files[name] = data
			}
		}
		out = append(out, r)
	}
	return out
}

// waitMail waits until a mailbox holds a mail matching ok.
func waitMail(t *testing.T, addr string, ok func(received) bool) received {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, m := range readMailbox(t, addr, "INBOX") {
			if ok(m) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no such mail reached %s", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestEmailPassesTheConformanceKit(t *testing.T) {
	support, pw := servers.addUser("support")
	customer, _ := servers.addUser("customer")
	n := 0
	conformance.Run(t, binary, conformance.Options{
		Settings:    settingsFor(support, pw),
		BadSettings: settingsFor(support, "not-the-password"),
		Inbound: func(ctx context.Context, count int) error {
			for range count {
				n++
				send(t, draft{From: customer, To: []string{support}, Subject: fmt.Sprintf("Question %d", n), Text: "Where is my order?"})
			}
			return nil
		},
		Delivered: func(ctx context.Context, chatID, text string) error {
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				for _, m := range readMailbox(t, customer, "INBOX") {
					if strings.Contains(m.Text, text) {
						return nil
					}
				}
				time.Sleep(100 * time.Millisecond)
			}
			return fmt.Errorf("%q is not in the customer's mailbox", text)
		},
	})
}

// hostWithEmail installs the signed connector into a real host over
// dataDir and adds a channel with the settings.
func hostWithEmail(t *testing.T, dataDir string, settings []byte, in *inbox) *host.Host {
	t.Helper()
	root := t.TempDir()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	dir := filepath.Join(root, "plugins", "email")
	os.MkdirAll(dir, 0o755)
	b, _ := os.ReadFile(binary)
	os.WriteFile(filepath.Join(dir, "email"), b, 0o755)
	sum, _ := manifest.FileSHA256(binary)
	m := manifest.Manifest{ID: "email", Name: "E-mail", Version: version, Publisher: "switchboard",
		ProtocolVersions: []int{1}, Executables: map[string]manifest.Executable{
			manifest.Platform(runtime.GOOS, runtime.GOARCH): {Path: "email", SHA256: hex.EncodeToString(sum)}}}
	manifest.Sign(&m, key)
	os.WriteFile(filepath.Join(dir, manifest.FileName), m.Encode(), 0o644)
	h, err := host.New(host.Config{PluginsDir: filepath.Join(root, "plugins"), DataDir: dataDir,
		Trusted: manifest.TrustedKeys{"switchboard": {pub}}, Deliver: in.deliver})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	if err := h.AddChannel(context.Background(), host.Channel{ID: "mail", PluginID: "email", Settings: settings}); err != nil {
		t.Fatal(err)
	}
	return h
}

// inbox collects what the host delivers.
type inbox struct{ got chan host.InboundEvent }

func newInbox() *inbox { return &inbox{got: make(chan host.InboundEvent, 100)} }

func (b *inbox) deliver(_ context.Context, _ string, ev host.InboundEvent) error {
	b.got <- ev
	return nil
}

func (b *inbox) next(t *testing.T) host.InboundEvent {
	t.Helper()
	select {
	case ev := <-b.got:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no event")
	}
	return host.InboundEvent{}
}

func (b *inbox) message(t *testing.T) host.InboundEvent {
	t.Helper()
	ev := b.next(t)
	if ev.Message == nil {
		t.Fatalf("event = %+v, want a message", ev)
	}
	return ev
}

// quiet fails on any event within d.
func (b *inbox) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case ev := <-b.got:
		t.Fatalf("unexpected event %+v (message %+v)", ev, ev.Message)
	case <-time.After(d):
	}
}

func blobPath(dataDir, id string) string {
	return filepath.Join(dataDir, "channels", "mail", "plugin", "blobs", id)
}

func TestAMailBecomesADialogAndTheReplyThreadsInTheCustomersMailbox(t *testing.T) {
	support, pw := servers.addUser("support")
	customer, _ := servers.addUser("customer")
	colleague, _ := servers.addUser("colleague")
	data := t.TempDir()
	in := newInbox()
	// The other encryption modes than the other tests: IMAP over TLS,
	// SMTP with STARTTLS.
	h := hostWithEmail(t, data, settingsFor(support, pw, imapSetting("security", "tls"), imapSetting("port", servers.imapsPort),
		smtpSetting("security", "starttls"), smtpSetting("port", servers.smtpPort)), in)

	invoice := []byte("%PDF-1.4 invoice 1042")
	send(t, draft{From: customer, To: []string{support}, Cc: []string{colleague}, Subject: "Заказ 1042 не пришёл",
		MessageID: "first-1042@example.com",
		Text:      "Здравствуйте! Где мой заказ?\n\nOn Mon, 1 Jan 2024, Shop <shop@example.com> wrote:\n> Your order is on its way",
		HTML:      "<p>Здравствуйте! Где мой заказ?</p>",
		Files:     map[string][]byte{"invoice.pdf": invoice}})
	ev := in.message(t)
	m := ev.Message
	if m.From.Email != customer || m.Subject != "Заказ 1042 не пришёл" || m.ExternalID != "first-1042@example.com" || m.ThreadID != "first-1042@example.com" {
		t.Fatalf("message = %+v, want from %s with the subject and ids", m, customer)
	}
	if m.Text != "Здравствуйте! Где мой заказ?" {
		t.Errorf("text = %q, want the new text with the quoted history folded away", m.Text)
	}
	if len(m.CC) != 1 || m.CC[0].Email != colleague {
		t.Errorf("cc = %+v, want %s", m.CC, colleague)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "invoice.pdf" || m.Attachments[0].Size != int64(len(invoice)) {
		t.Fatalf("attachments = %+v, want invoice.pdf", m.Attachments)
	}
	if b, err := os.ReadFile(blobPath(data, m.Attachments[0].BlobID)); err != nil || !bytes.Equal(b, invoice) {
		t.Fatalf("stored attachment = %q, %v; want the invoice", b, err)
	}

	// The operator answers with a file; the customer's client threads it.
	photo := []byte("\x89PNG\r\n\x1a\n parcel photo")
	blobID := storeBlob(t, data, "parcel.png", "image/png", photo)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := h.Send(ctx, "mail", sdk.OutboundMessage{IdempotencyKey: "reply-1", ChatID: ev.ChatID, Text: "Заказ в пути, фото посылки во вложении.",
		SenderName: "Оксана", ReplyToExternalID: m.ExternalID, Attachments: []sdk.Attachment{{BlobID: blobID, Name: "parcel.png", MIMEType: "image/png"}}})
	if err != nil || res.State != sdk.DeliverySent {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	reply := waitMail(t, customer, func(r received) bool { id, _ := r.Header.MessageID(); return id == res.ExternalID })
	subject, _ := reply.Header.Subject()
	inReplyTo, _ := reply.Header.MsgIDList("In-Reply-To")
	refs, _ := reply.Header.MsgIDList("References")
	from, _ := reply.Header.AddressList("From")
	cc, _ := reply.Header.AddressList("Cc")
	if subject != "Re: Заказ 1042 не пришёл" || len(inReplyTo) != 1 || inReplyTo[0] != "first-1042@example.com" ||
		len(refs) == 0 || refs[0] != "first-1042@example.com" {
		t.Fatalf("reply subject %q, In-Reply-To %v, References %v; want it threaded under the customer's mail", subject, inReplyTo, refs)
	}
	if len(from) != 1 || from[0].Address != support || from[0].Name != "Оксана" || len(cc) != 1 || cc[0].Address != colleague {
		t.Errorf("reply from %v cc %v, want Оксана <%s> cc %s", from, cc, support, colleague)
	}
	if !strings.Contains(reply.Text, "Заказ в пути") || !bytes.Equal(reply.Files["parcel.png"], photo) {
		t.Errorf("reply text %q files %v, want the text and parcel.png", reply.Text, keys(reply.Files))
	}
	waitMail(t, colleague, func(r received) bool { id, _ := r.Header.MessageID(); return id == res.ExternalID })

	// The same key again sends nothing new.
	again, err := h.Send(ctx, "mail", sdk.OutboundMessage{IdempotencyKey: "reply-1", ChatID: ev.ChatID, Text: "Заказ в пути"})
	if err != nil || again.ExternalID != res.ExternalID {
		t.Fatalf("Send again = %+v, %v; want %s", again, err, res.ExternalID)
	}

	// The customer answers the reply: the same dialog, replying to it.
	send(t, draft{From: customer, To: []string{support}, Subject: "Re: " + subject, Text: "Спасибо!",
		InReplyTo: res.ExternalID, References: append(refs, res.ExternalID)})
	ans := in.message(t)
	if ans.ChatID != ev.ChatID || ans.Message.ReplyToExternalID != res.ExternalID {
		t.Fatalf("answer in chat %s replying to %q, want chat %s replying to %s", ans.ChatID, ans.Message.ReplyToExternalID, ev.ChatID, res.ExternalID)
	}
	// A mail without references joins by sender and subject...
	send(t, draft{From: customer, To: []string{support}, Subject: "RE: заказ 1042 не пришёл", Text: "И ещё вопрос"})
	if ev2 := in.message(t); ev2.ChatID != ev.ChatID {
		t.Errorf("same sender and subject landed in %s, want %s", ev2.ChatID, ev.ChatID)
	}
	// ...and another subject opens another dialog.
	send(t, draft{From: customer, To: []string{support}, Subject: "Возврат", Text: "Хочу вернуть товар"})
	if ev3 := in.message(t); ev3.ChatID == ev.ChatID {
		t.Errorf("a new subject joined chat %s", ev.ChatID)
	}
	if len(readMailbox(t, support, "INBOX")) != 4 {
		t.Errorf("support's INBOX should keep its 4 mails (marked read)")
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// storeBlob puts a file where the host keeps the channel's blobs, as the
// server does for an operator's upload.
func storeBlob(t *testing.T, dataDir, name, mimeType string, data []byte) string {
	t.Helper()
	svc, err := host.NewServices(filepath.Join(dataDir, "channels", "mail", "plugin"), nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := svc.BlobPut(context.Background(), sdk.Blob{Name: name, MIMEType: mimeType, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if id != hex.EncodeToString(sum[:]) {
		t.Fatalf("blob id %s is not the content's hash", id)
	}
	return id
}

func TestARestartResumesByUIDWithoutDuplicates(t *testing.T) {
	support, pw := servers.addUser("support")
	customer, _ := servers.addUser("customer")
	settings := settingsFor(support, pw)
	data := t.TempDir()
	in := newInbox()
	h := hostWithEmail(t, data, settings, in)
	for i := range 2 {
		send(t, draft{From: customer, To: []string{support}, Subject: fmt.Sprint("Before ", i), Text: "before"})
	}
	first := []string{in.message(t).Message.Subject, in.message(t).Message.Subject}
	if first[0] != "Before 0" || first[1] != "Before 1" {
		t.Fatalf("got %v, want the two mails in order", first)
	}
	waitUnseen(t, support, 0) // both marked read once stored
	h.Close()

	// While the connector is down a mail arrives and someone marks the old
	// ones unread again: only the cursor says what was taken.
	send(t, draft{From: customer, To: []string{support}, Subject: "While down", Text: "are you there?"})
	markAllUnread(t, support)
	in2 := newInbox()
	hostWithEmail(t, data, settings, in2)
	if ev := in2.message(t); ev.Message.Subject != "While down" {
		t.Fatalf("after the restart the first mail is %q, want the one sent while down", ev.Message.Subject)
	}
	in2.quiet(t, 1500*time.Millisecond)
}

func TestProcessedMailMovesToItsFolder(t *testing.T) {
	support, pw := servers.addUser("support")
	customer, _ := servers.addUser("customer")
	in := newInbox()
	hostWithEmail(t, t.TempDir(), settingsFor(support, pw, imapSetting("after_processing", "move"), imapSetting("move_to", "Done")), in)
	for i := range 3 {
		send(t, draft{From: customer, To: []string{support}, Subject: fmt.Sprint("Mail ", i), Text: "hello"})
		in.message(t)
	}
	waitFolder(t, support, "Done", 3)
	if n := len(readMailbox(t, support, "INBOX")); n != 0 {
		t.Errorf("INBOX holds %d mails, want every processed mail moved to Done", n)
	}
}

// waitFolder waits until a folder holds n mails.
func waitFolder(t *testing.T, addr, folder string, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := len(readMailbox(t, addr, folder))
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %d mails, want %d", folder, got, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func unseen(t *testing.T, addr string) int {
	t.Helper()
	c, err := servers.imap(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(data.AllUIDs())
}

func waitUnseen(t *testing.T, addr string, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for unseen(t, addr) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d unread mails, want %d", addr, unseen(t, addr), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func markAllUnread(t *testing.T, addr string) {
	t.Helper()
	c, err := servers.imap(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
}

// bounceFor is a delivery status notification as an MTA writes it
// (RFC 3464), returning the mail with the Message-ID.
func bounceFor(support, messageID string) []byte {
	return []byte(strings.ReplaceAll(`From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: `+support+`
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUND"
Message-ID: <bounce-1@mx.example.com>

--BOUND
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; gone@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown

--BOUND
Content-Type: text/rfc822-headers

From: Shop support <`+support+`>
To: gone@example.net
Subject: Re: Order
Message-ID: <`+messageID+`>

--BOUND--
`, "\n", "\r\n"))
}

const hostileHTML = `<html><head><style>body{background:url(javascript:alert(1))}</style><script>alert('xss')</script></head>
<body onload="alert(2)"><p>Hello <b>team</b>,</p><img src=x onerror="alert(3)" alt="logo">
<a href="javascript:alert(4)">click</a> <a href="https://shop.example.com/track">track</a>
<iframe src="https://evil.example/"></iframe><svg onload=alert(5)></svg><form action="https://evil.example/"><input name=q></form>
<ul><li>one</li><li>two</li></ul></body></html>`

func TestBouncesAndAutoRepliesOpenNothingAndHostileHTMLIsDefused(t *testing.T) {
	support, pw := servers.addUser("support")
	customer, _ := servers.addUser("customer")
	in := newInbox()
	h := hostWithEmail(t, t.TempDir(), settingsFor(support, pw), in)
	send(t, draft{From: customer, To: []string{support}, Subject: "Order", Text: "Where is it?"})
	ev := in.message(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := h.Send(ctx, "mail", sdk.OutboundMessage{IdempotencyKey: "r1", ChatID: ev.ChatID, Text: "On its way"})
	if err != nil {
		t.Fatal(err)
	}

	submit(t, "", []string{support}, bounceFor(support, res.ExternalID))
	send(t, draft{From: customer, To: []string{support}, Subject: "Automatic reply: Re: Order", Text: "I am on vacation",
		InReplyTo: res.ExternalID, Headers: map[string]string{"Auto-Submitted": "auto-replied"}})
	send(t, draft{From: customer, To: []string{support}, Subject: "Out of office", Text: "Away", Headers: map[string]string{"X-Autoreply": "yes"}})
	send(t, draft{From: customer, To: []string{support}, Subject: "Our news", Text: "Sale!", Headers: map[string]string{"Precedence": "bulk"}})
	submit(t, "", []string{support}, bounceFor(support, "someone-else@example.org"))
	send(t, draft{From: customer, To: []string{support}, Subject: "Hostile", HTML: hostileHTML})

	d := in.next(t)
	if d.Delivery == nil || d.Delivery.ExternalID != res.ExternalID || d.Delivery.State != sdk.DeliveryFailed ||
		!strings.Contains(d.Delivery.Reason, "5.1.1") || d.ChatID != ev.ChatID {
		t.Fatalf("event after the bounce = %+v (delivery %+v), want the reply %s failed with the server's reason", d, d.Delivery, res.ExternalID)
	}
	m := in.message(t)
	if m.Message.Subject != "Hostile" {
		t.Fatalf("next message %q, want the hostile one: auto-replies and bounces must open nothing", m.Message.Subject)
	}
	text := m.Message.Text
	for _, want := range []string{"Hello team,", "[logo]", "click", "track (https://shop.example.com/track)", "• one"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q lacks %q", text, want)
		}
	}
	for _, bad := range []string{"alert", "javascript", "onerror", "onload", "<", "evil.example", "background"} {
		if strings.Contains(text, bad) {
			t.Errorf("text %q still holds %q", text, bad)
		}
	}
	in.quiet(t, time.Second)
}
