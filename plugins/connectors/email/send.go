package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"switchboard/plugins/sdk"
)

// maxOutboundBytes bounds a reply with its attachments; most providers
// refuse mail past 25 MB.
const maxOutboundBytes = 20 << 20

// Send mails an operator's reply to the chat's customer (Cc the others on
// the thread), threaded under the thread's newest mail. The Message-ID
// derives from the idempotency key, so a reply sent again after a crash
// carries the same id and mail clients show it once.
func (c *connector) Send(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	st, err := c.current()
	if err != nil {
		return sdk.SendResult{}, err
	}
	if m.IdempotencyKey == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "idempotency_key_missing", Message: "a message needs a key"}
	}
	if m.ChatID == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "chat_unknown", Message: "a reply needs a chat"}
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	sentKey := hashed("sent/", m.IdempotencyKey)
	if raw, ok, err := st.host.StateGet(ctx, sentKey); err != nil {
		return sdk.SendResult{}, err
	} else if ok {
		var r sdk.SendResult
		if err := json.Unmarshal(raw, &r); err == nil {
			return r, nil
		}
	}
	ch, ok, err := loadChat(ctx, st.host, m.ChatID)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if !ok || ch.Customer.Addr == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "chat_unknown", Message: fmt.Sprintf("no e-mail thread %q", m.ChatID)}
	}
	files, err := outboundFiles(ctx, st.host, m.Attachments)
	if err != nil {
		return sdk.SendResult{}, err
	}
	text := m.Text
	for _, a := range m.Attachments {
		if a.BlobID == "" && a.URL != "" {
			text += "\n\n" + a.URL
		}
	}
	msgID := messageID(st, m.IdempotencyKey)
	data, rcpts, err := buildReply(st.cfg, ch, m, text, msgID, files, time.Now())
	if err != nil {
		return sdk.SendResult{}, fmt.Errorf("compose reply: %w", err)
	}
	if len(data) > maxOutboundBytes {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "message_too_large",
			Message: fmt.Sprintf("the reply with its attachments is %d MB; mail servers take about %d MB", len(data)>>20, maxOutboundBytes>>20)}
	}
	if err := c.limit.wait(ctx, st.cfg.SMTP.PerMinute); err != nil {
		return sdk.SendResult{}, err
	}
	if err := deliver(ctx, st.cfg, rcpts, data); err != nil {
		st.host.Log(ctx, sdk.LogWarn, "reply not sent", map[string]string{"chat": ch.ID, "code": err.Code, "error": err.Err.Error()})
		return sdk.SendResult{}, err.channelError()
	}
	ch.Refs = append(ch.Refs, msgID)
	if err := recordInThread(ctx, st.host, ch, msgID); err != nil {
		return sdk.SendResult{}, err
	}
	res := sdk.SendResult{ExternalID: msgID, State: sdk.DeliverySent}
	raw, _ := json.Marshal(res)
	if err := st.host.StatePut(ctx, sentKey, raw); err != nil {
		return sdk.SendResult{}, err
	}
	st.host.Log(ctx, sdk.LogInfo, "reply sent", map[string]string{"chat": ch.ID, "bytes": fmt.Sprint(len(data)),
		"recipients": fmt.Sprint(len(rcpts)), "attachments": fmt.Sprint(len(files))})
	return res, nil
}

// messageID is the reply's Message-ID, stable for an idempotency key.
func messageID(st snapshot, key string) string {
	sum := sha256.Sum256([]byte(st.channelID + "\x00" + key))
	return "sb." + hex.EncodeToString(sum[:12]) + "@" + st.cfg.domain()
}

func isOurMessageID(id string, s settings) bool {
	return strings.HasPrefix(id, "sb.") && strings.HasSuffix(strings.ToLower(id), "@"+strings.ToLower(s.domain()))
}

func outboundFiles(ctx context.Context, h sdk.Host, atts []sdk.Attachment) ([]sdk.Blob, error) {
	var files []sdk.Blob
	for _, a := range atts {
		if a.BlobID == "" {
			continue
		}
		b, err := h.BlobGet(ctx, a.BlobID)
		if err != nil {
			return nil, &sdk.ChannelError{Code: "attachment_missing", Message: fmt.Sprintf("attachment %q is not stored: %v", a.Name, err)}
		}
		if a.Name != "" {
			b.Name = a.Name
		}
		if a.MIMEType != "" {
			b.MIMEType = a.MIMEType
		}
		files = append(files, b)
	}
	return files, nil
}

// buildReply writes the reply and lists its recipients.
func buildReply(s settings, ch chat, m sdk.OutboundMessage, text, msgID string, files []sdk.Blob, now time.Time) ([]byte, []string, error) {
	var h mail.Header
	h.SetDate(now)
	name := m.SenderName
	if name == "" {
		name = s.DisplayName
	}
	h.SetAddressList("From", []*mail.Address{{Name: name, Address: s.Address}})
	to := []*mail.Address{{Name: ch.Customer.Name, Address: ch.Customer.Addr}}
	rcpts := []string{ch.Customer.Addr}
	h.SetAddressList("To", to)
	var cc []*mail.Address
	for _, o := range ch.Others {
		cc = append(cc, &mail.Address{Name: o.Name, Address: o.Addr})
		rcpts = append(rcpts, o.Addr)
	}
	if len(cc) > 0 {
		h.SetAddressList("Cc", cc)
	}
	subject := m.Subject
	if subject == "" {
		subject = ch.Subject
	}
	switch {
	case strings.TrimSpace(subject) == "":
		subject = "(no subject)"
	case !replyPrefix.MatchString(subject):
		subject = "Re: " + subject
	}
	h.SetSubject(subject)
	h.SetMessageID(msgID)
	parent := ""
	if m.ReplyToExternalID != "" && containsFold(ch.Refs, m.ReplyToExternalID) {
		parent = m.ReplyToExternalID
	} else if len(ch.Refs) > 0 {
		parent = ch.Refs[len(ch.Refs)-1]
	}
	if parent != "" {
		h.SetMsgIDList("In-Reply-To", []string{parent})
		refs := append([]string(nil), ch.Refs...)
		if !containsFold(refs, parent) {
			refs = append(refs, parent)
		}
		h.SetMsgIDList("References", refs)
	}
	h.Set("X-Mailer", "Switchboard")

	var buf bytes.Buffer
	if len(files) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		w, err := mail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, nil, err
		}
		if _, err := io.WriteString(w, text); err != nil {
			return nil, nil, err
		}
		if err := w.Close(); err != nil {
			return nil, nil, err
		}
		return buf.Bytes(), rcpts, nil
	}
	mw, err := mail.CreateWriter(&buf, h)
	if err != nil {
		return nil, nil, err
	}
	var th mail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	tw, err := mw.CreateSingleInline(th)
	if err != nil {
		return nil, nil, err
	}
	if _, err := io.WriteString(tw, text); err != nil {
		return nil, nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, nil, err
	}
	for _, f := range files {
		var ah mail.AttachmentHeader
		ct := f.MIMEType
		if ct == "" {
			ct = "application/octet-stream"
		}
		ah.SetContentType(ct, nil)
		ah.SetFilename(f.Name)
		aw, err := mw.CreateAttachment(ah)
		if err != nil {
			return nil, nil, err
		}
		if _, err := aw.Write(f.Data); err != nil {
			return nil, nil, err
		}
		if err := aw.Close(); err != nil {
			return nil, nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), rcpts, nil
}

// deliver hands the mail to the SMTP server, trying again after a pause
// when the server is busy or unreachable (4xx, network), at most three
// times within ctx.
func deliver(ctx context.Context, s settings, rcpts []string, data []byte) *serverError {
	var last *serverError
	for attempt := range 3 {
		last = smtpOnce(ctx, s, rcpts, data)
		if last == nil || last.Definitive {
			return last
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(time.Duration(1<<attempt) * time.Second):
		}
	}
	return last
}

// smtpSession connects and logs in; the caller quits.
func smtpSession(ctx context.Context, s settings) (*smtp.Client, *serverError) {
	d := &net.Dialer{Timeout: dialTimeout}
	conn, err := d.DialContext(ctx, "tcp", s.SMTP.addr())
	if err != nil {
		return nil, classifyErr("/smtp", "connect", err)
	}
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	var c *smtp.Client
	switch s.SMTP.Security {
	case securityTLS:
		c = smtp.NewClient(tls.Client(conn, tlsConfig(s, s.SMTP.Host)))
	case securityStartTLS:
		c, err = smtp.NewClientStartTLS(conn, tlsConfig(s, s.SMTP.Host))
		if err != nil {
			conn.Close()
			stage := "connect"
			if strings.Contains(err.Error(), "STARTTLS") {
				stage = "starttls"
			}
			return nil, classifyErr("/smtp", stage, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	if err := c.Hello("localhost"); err != nil {
		c.Close()
		return nil, classifyErr("/smtp", "connect", err)
	}
	if s.SMTP.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			c.Close()
			return nil, &serverError{Field: "/smtp/username", Code: "login_unsupported", Definitive: true,
				Err: errors.New("no AUTH extension"), Msg: "the SMTP server offers no login on this port; check the port and encryption"}
		}
		if err := c.Auth(sasl.NewPlainClient("", s.SMTP.Username, s.SMTP.Password)); err != nil {
			c.Close()
			return nil, classifyErr("/smtp", "login", err)
		}
	}
	return c, nil
}

func smtpOnce(ctx context.Context, s settings, rcpts []string, data []byte) *serverError {
	c, se := smtpSession(ctx, s)
	if se != nil {
		return se
	}
	defer c.Close()
	if err := c.Mail(s.Address, nil); err != nil {
		return smtpRefusal("sender", err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return smtpRefusal("recipient", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return smtpRefusal("message", err)
	}
	if _, err := w.Write(data); err != nil {
		return smtpRefusal("message", err)
	}
	if err := w.Close(); err != nil {
		return smtpRefusal("message", err)
	}
	_ = c.Quit()
	return nil
}

// smtpRefusal sorts the server's no to a sender, recipient or message.
func smtpRefusal(what string, err error) *serverError {
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		return classifyErr("/smtp", "send", err)
	}
	if se.Code < 500 {
		return &serverError{Field: "/smtp/host", Code: "busy", Err: err, Msg: "the SMTP server is busy or limits this sender for now"}
	}
	code := map[string]string{"sender": "sender_rejected", "recipient": "recipient_rejected", "message": "message_rejected"}[what]
	if se.Code == 552 || se.Code == 523 {
		code = "message_too_large"
	}
	return &serverError{Field: "/address", Code: code, Definitive: true, Err: err,
		Msg: fmt.Sprintf("the SMTP server refused the %s: %d %s", what, se.Code, se.Message)}
}

// limiter is a token bucket: bursts of a quarter of the minute's budget
// go at once, then sends are spaced to the rate.
type limiter struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func (l *limiter) wait(ctx context.Context, perMinute int) error {
	burst := float64(max(1, perMinute/4))
	rate := float64(perMinute) / 60 // per second
	l.mu.Lock()
	now := time.Now()
	if l.last.IsZero() {
		l.tokens = burst
	} else {
		l.tokens = min(burst, l.tokens+now.Sub(l.last).Seconds()*rate)
	}
	l.last = now
	l.tokens-- // below zero: a reservation the pause pays for
	var pause time.Duration
	if l.tokens < 0 {
		pause = time.Duration(-l.tokens / rate * float64(time.Second))
	}
	l.mu.Unlock()
	if pause == 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(pause):
		return nil
	}
}
