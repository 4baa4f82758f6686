package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // windows-1251, koi8-r and the rest
	"github.com/emersion/go-message/mail"
)

// kind tells a mail written by a person from one written by a machine.
type kind int

const (
	kindPerson    kind = iota
	kindAutoReply      // out of office, vacation, ticket receipts
	kindBounce         // a delivery status notification
)

func (k kind) String() string {
	return [...]string{"person", "auto-reply", "bounce"}[k]
}

// parsedMail is what the connector keeps of a mail.
type parsedMail struct {
	MessageID  string
	InReplyTo  []string
	References []string
	From       *mail.Address
	ReplyTo    []*mail.Address
	To, Cc     []*mail.Address
	Subject    string
	Date       time.Time

	// Text is the plain text an operator reads: the text part, or the
	// sanitised HTML part turned to text, with quoted history folded away.
	Text        string
	Attachments []mailPart
	Kind        kind

	// BounceOf lists the Message-IDs a bounce reports on; BounceReason is
	// the server's diagnostic.
	BounceOf     []string
	BounceReason string
}

// mailPart is an attachment's content.
type mailPart struct {
	Name     string
	MIMEType string
	Data     []byte
}

// Limits on what a mail may make the connector hold.
const (
	maxTextBytes   = 1 << 20 // one text part
	maxAttachBytes = 3 << 20 // the host's blob limit
)

// parseMail reads a whole RFC 5322 message.
func parseMail(raw []byte) (*parsedMail, error) {
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, fmt.Errorf("read mail header: %w", err)
	}
	defer mr.Close()
	h := mr.Header
	p := &parsedMail{}
	p.MessageID, _ = h.MessageID()
	p.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	p.References, _ = h.MsgIDList("References")
	if from, _ := h.AddressList("From"); len(from) > 0 {
		p.From = from[0]
	}
	p.ReplyTo, _ = h.AddressList("Reply-To")
	p.To, _ = h.AddressList("To")
	p.Cc, _ = h.AddressList("Cc")
	p.Subject, _ = h.Subject()
	p.Date, _ = h.Date()
	p.Kind = classify(h)

	var plain, html string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !message.IsUnknownCharset(err) {
			// A broken part ends the walk; keep what was read.
			break
		}
		ct, params, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if ct == "" {
			ct = "text/plain"
		}
		var disp string
		if ah, ok := part.Header.(*mail.AttachmentHeader); ok {
			disp, _, _ = ah.ContentDisposition()
		} else if ih, ok := part.Header.(*mail.InlineHeader); ok {
			disp, _, _ = ih.ContentDisposition()
		}
		switch {
		case ct == "message/delivery-status" || ct == "message/global-delivery-status":
			p.BounceReason = deliveryReason(part.Body)
		case ct == "text/rfc822-headers" || ct == "message/rfc822" || ct == "message/global-headers":
			if id := originalMessageID(part.Body); id != "" {
				p.BounceOf = append(p.BounceOf, id)
			}
		case disp != "attachment" && ct == "text/plain" && plain == "":
			plain = readText(part.Body)
		case disp != "attachment" && ct == "text/html" && html == "":
			html = readText(part.Body)
		case disp == "" && strings.HasPrefix(ct, "text/"):
			// text/calendar and friends without a name: nothing to show.
		default:
			name := attachmentName(part.Header, params, ct)
			data, err := io.ReadAll(io.LimitReader(part.Body, maxAttachBytes+1))
			if err != nil {
				continue
			}
			p.Attachments = append(p.Attachments, mailPart{Name: name, MIMEType: ct, Data: data})
		}
	}
	switch {
	case plain != "":
		p.Text = foldQuoted(normaliseText(plain))
	case html != "":
		p.Text = foldQuoted(normaliseText(htmlToText(sanitiseHTML(html))))
	}
	if p.Kind == kindBounce && len(p.BounceOf) == 0 {
		p.BounceOf = append(p.InReplyTo, p.References...)
	}
	return p, nil
}

// classify recognises bounces (RFC 3464 reports, mailer daemons) and
// automatic replies (RFC 3834 Auto-Submitted and the older conventions).
func classify(h mail.Header) kind {
	ct, params, _ := h.ContentType()
	from, _ := h.AddressList("From")
	local := ""
	if len(from) > 0 {
		local, _, _ = strings.Cut(strings.ToLower(from[0].Address), "@")
	}
	rp := strings.TrimSpace(h.Get("Return-Path"))
	switch {
	case ct == "multipart/report" && strings.Contains(strings.ToLower(params["report-type"]), "delivery-status"):
		return kindBounce
	case local == "mailer-daemon" || (local == "postmaster" && rp == "<>"):
		return kindBounce
	}
	if as := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); as != "" && as != "no" {
		return kindAutoReply
	}
	if h.Has("X-Autoreply") || h.Has("X-Autorespond") || h.Has("X-Autoresponder") {
		return kindAutoReply
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "auto_reply":
		return kindAutoReply
	}
	if rp == "<>" {
		return kindAutoReply // sent with a null sender: a machine's
	}
	return kindPerson
}

func readText(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, maxTextBytes))
	return string(b)
}

// deliveryReason picks the diagnostic of the first failed recipient.
func deliveryReason(r io.Reader) string {
	var status, diag string
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "status":
			if status == "" {
				status = strings.TrimSpace(v)
			}
		case "diagnostic-code":
			if diag == "" {
				diag = strings.TrimSpace(v)
			}
		}
	}
	switch {
	case diag != "":
		return diag
	case status != "":
		return "status " + status
	}
	return "the mail could not be delivered"
}

// originalMessageID reads the Message-ID of the mail a report returns.
func originalMessageID(r io.Reader) string {
	e, err := message.Read(io.LimitReader(r, 256<<10))
	if err != nil && e == nil {
		return ""
	}
	h := mail.Header{Header: e.Header}
	id, _ := h.MessageID()
	return id
}

func attachmentName(h mail.PartHeader, ctParams map[string]string, ct string) string {
	if ah, ok := h.(*mail.AttachmentHeader); ok {
		if n, _ := ah.Filename(); n != "" {
			return n
		}
	}
	if n := ctParams["name"]; n != "" {
		if dec, err := (&mime.WordDecoder{}).DecodeHeader(n); err == nil {
			return dec
		}
		return n
	}
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(ct); len(exts) > 0 {
		ext = exts[0]
	}
	return "attachment" + ext
}

// normaliseText makes line ends \n and trims trailing blank space.
func normaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}
