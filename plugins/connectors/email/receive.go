package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/mail"

	"switchboard/plugins/sdk"
)

// position is where reading stands: a UID in one incarnation of the
// folder (UIDVALIDITY). A cursor is its text form, "validity.uid", both
// zero-padded so cursors of one folder sort as they were made.
type position struct {
	validity uint32
	uid      imap.UID
}

func (p position) String() string { return fmt.Sprintf("%010d.%010d", p.validity, p.uid) }

func parseCursor(s string) (position, error) {
	if s == "" {
		return position{}, nil
	}
	v, u, ok := strings.Cut(s, ".")
	validity, err1 := strconv.ParseUint(v, 10, 32)
	uid, err2 := strconv.ParseUint(u, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return position{}, fmt.Errorf("cursor %q is not validity.uid", s)
	}
	return position{validity: uint32(validity), uid: imap.UID(uid)}, nil
}

// emitError carries the host's refusal of an event out of a session.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }

var errReconfigured = errors.New("settings changed")

// Receive reads the folder from the cursor on, waiting for new mail with
// IDLE (or polling), and reconnects with growing pauses when the server
// fails. It ends only when ctx ends or emit fails.
func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	pos, err := parseCursor(after)
	if err != nil {
		return fmt.Errorf("receive: %w", err)
	}
	if after != "" {
		c.noteAck(pos) // the host stored everything up to here
	}
	delay := time.Second
	for {
		st, err := c.current()
		if err != nil {
			return err
		}
		began := time.Now()
		err = c.session(ctx, st, &pos, emit)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ee *emitError
		switch {
		case errors.As(err, &ee):
			return ee.err
		case errors.Is(err, errReconfigured):
			delay = time.Second
			continue
		}
		se := classifyErr("/imap", "read mail", err)
		c.setChannelErr(se.channelError())
		if time.Since(began) > 2*time.Minute {
			delay = time.Second // it worked for a while: a fresh failure
		}
		st.host.Log(ctx, sdk.LogWarn, "mailbox connection failed; retrying",
			map[string]string{"code": se.Code, "error": se.Err.Error(), "retry_in": delay.String()})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-st.reconf:
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Minute)
	}
}

// fetchBatch bounds the messages fetched at once.
const fetchBatch = 25

// session reads the folder over one connection until it fails, the
// settings change, or ctx ends.
func (c *connector) session(ctx context.Context, st snapshot, pos *position, emit func(sdk.Event) error) error {
	sctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-st.reconf:
			cancel(errReconfigured)
		case <-sctx.Done():
		}
	}()
	err := c.readMailbox(sctx, st, pos, emit)
	if cause := context.Cause(sctx); errors.Is(cause, errReconfigured) {
		return errReconfigured
	}
	return err
}

func (c *connector) readMailbox(ctx context.Context, st snapshot, pos *position, emit func(sdk.Event) error) error {
	mb, err := openMailbox(ctx, st.cfg)
	if err != nil {
		return err
	}
	defer mb.close()
	fresh := pos.validity != mb.validity
	if fresh {
		if pos.validity != 0 {
			st.host.Log(ctx, sdk.LogWarn, "the folder was rebuilt on the server (UIDVALIDITY changed); reading its unprocessed mail again",
				map[string]string{"old": fmt.Sprint(pos.validity), "new": fmt.Sprint(mb.validity)})
		}
		*pos = position{validity: mb.validity}
	}
	c.setChannelErr(nil)
	for {
		c.applyAcks(ctx, st, mb)
		uids, err := mb.uidsAfter(pos.uid, fresh, st.cfg)
		if err != nil {
			return err
		}
		for len(uids) > 0 {
			batch := uids[:min(fetchBatch, len(uids))]
			uids = uids[len(batch):]
			msgs, err := mb.fetch(batch)
			if err != nil {
				return err
			}
			for _, f := range msgs {
				ev, ok, err := c.toEvent(ctx, st, pos.validity, f)
				if err != nil {
					return err
				}
				pos.uid = f.UID
				if !ok {
					continue
				}
				ev.Cursor = pos.String()
				if err := emit(ev); err != nil {
					return &emitError{err}
				}
			}
			pos.uid = max(pos.uid, batch[len(batch)-1]) // past mail deleted meanwhile
		}
		if fresh {
			// Mail present at the start that the fresh search left out
			// (read already) stays out; everything newer comes in.
			pos.uid = max(pos.uid, mb.uidNext-1)
			fresh = false
		}
		if err := mb.wait(ctx, st.cfg, c.wake); err != nil {
			return err
		}
	}
}

// noteAck records the newest cursor the host stored and wakes the session
// to mark the mail processed.
func (c *connector) noteAck(p position) {
	c.mu.Lock()
	if p.validity != c.acked.validity || p.uid > c.acked.uid {
		c.acked = p
	}
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Ack marks the mail up to the cursor processed (read, or moved away per
// the settings). The marking happens on the reading connection.
func (c *connector) Ack(_ context.Context, cursor string) error {
	p, err := parseCursor(cursor)
	if err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	c.noteAck(p)
	return nil
}

// applyAcks marks read or moves the mail the host stored since the last
// time. A failure is logged and tried again later: the cursor, not the
// flags, decides what is read next.
func (c *connector) applyAcks(ctx context.Context, st snapshot, mb *mailbox) {
	c.mu.Lock()
	acked := c.acked
	c.mu.Unlock()
	if acked.validity != mb.validity {
		return
	}
	marked := position{validity: mb.validity}
	if raw, ok, _ := st.host.StateGet(ctx, "marked"); ok {
		if p, err := parseCursor(string(raw)); err == nil && p.validity == mb.validity {
			marked = p
		}
	}
	if acked.uid <= marked.uid {
		return
	}
	if err := mb.markProcessed(marked.uid, acked.uid, st.cfg); err != nil {
		st.host.Log(ctx, sdk.LogWarn, "processed mail could not be marked; will try again",
			map[string]string{"error": err.Error(), "after_processing": st.cfg.IMAP.AfterProcessing})
		return
	}
	_ = st.host.StatePut(ctx, "marked", []byte(acked.String()))
}

// toEvent turns a fetched mail into an event; ok is false for mail that
// makes none (automatic replies, unmatched bounces, our own mail).
func (c *connector) toEvent(ctx context.Context, st snapshot, validity uint32, f fetched) (sdk.Event, bool, error) {
	fields := map[string]string{"uid": fmt.Sprint(f.UID), "bytes": fmt.Sprint(f.Size)}
	p, err := parseMail(f.Raw)
	if err != nil {
		fields["error"] = err.Error()
		st.host.Log(ctx, sdk.LogWarn, "unreadable mail left in the mailbox", fields)
		return sdk.Event{}, false, nil
	}
	fields["kind"] = p.Kind.String()
	switch {
	case p.From != nil && strings.EqualFold(p.From.Address, st.cfg.Address):
		st.host.Log(ctx, sdk.LogInfo, "mail from the mailbox itself skipped", fields)
		return sdk.Event{}, false, nil
	case p.Kind == kindBounce:
		return c.bounceEvent(ctx, st, p, fields)
	case p.Kind == kindAutoReply:
		st.host.Log(ctx, sdk.LogInfo, "automatic reply skipped", fields)
		return sdk.Event{}, false, nil
	}
	if f.HeadOnly {
		p.Text = fmt.Sprintf("(This mail is %d MB, too large to bring into the inbox; open it in the mailbox.)", f.Size>>20)
	}
	fallbackID := fmt.Sprintf("%d.%d@uid.switchboard.invalid", validity, f.UID)
	ch, err := threadOf(ctx, st.host, p, st.cfg.Address, fallbackID)
	if err != nil {
		return sdk.Event{}, false, fmt.Errorf("thread of mail %d: %w", f.UID, err)
	}
	m := &sdk.Message{ExternalID: p.MessageID, Text: p.Text, ThreadID: ch.Root, Subject: p.Subject}
	if m.ExternalID == "" {
		m.ExternalID = fallbackID
	}
	if a := replyAddress(p); a != nil {
		m.From = contactOf(a)
	}
	for _, id := range p.InReplyTo {
		if containsFold(ch.Refs, id) {
			m.ReplyToExternalID = id
			break
		}
	}
	for _, a := range append(append([]*mail.Address{}, p.To...), p.Cc...) {
		if !strings.EqualFold(a.Address, st.cfg.Address) && !strings.EqualFold(a.Address, m.From.Email) {
			m.CC = append(m.CC, contactOf(a))
		}
	}
	for _, a := range p.Attachments {
		if int64(len(a.Data)) > maxAttachBytes {
			m.Text += fmt.Sprintf("\n\n(Attachment %q is larger than %d MB and was not brought in; it is in the mailbox.)", a.Name, maxAttachBytes>>20)
			continue
		}
		id, err := st.host.BlobPut(ctx, sdk.Blob{Name: a.Name, MIMEType: a.MIMEType, Data: a.Data})
		if err != nil {
			if sdk.IsChannelError(err) {
				m.Text += fmt.Sprintf("\n\n(Attachment %q could not be stored and is in the mailbox only.)", a.Name)
				continue
			}
			return sdk.Event{}, false, fmt.Errorf("store attachment of mail %d: %w", f.UID, err)
		}
		m.Attachments = append(m.Attachments, sdk.Attachment{Name: a.Name, MIMEType: a.MIMEType, Size: int64(len(a.Data)), BlobID: id})
	}
	at := p.Date
	if at.IsZero() || at.After(time.Now().Add(time.Hour)) {
		at = f.Date
	}
	fields["attachments"] = fmt.Sprint(len(m.Attachments))
	st.host.Log(ctx, sdk.LogInfo, "mail received", fields)
	return sdk.Event{ChatID: ch.ID, OccurredAt: at.UTC(), Message: m}, true, nil
}

// bounceEvent reports a bounce of one of our replies as its failed
// delivery; other bounces make nothing.
func (c *connector) bounceEvent(ctx context.Context, st snapshot, p *parsedMail, fields map[string]string) (sdk.Event, bool, error) {
	for _, id := range p.BounceOf {
		if !isOurMessageID(id, st.cfg) {
			continue
		}
		chatID, ok, err := chatOfMessageID(ctx, st.host, id)
		if err != nil {
			return sdk.Event{}, false, err
		}
		if ok {
			st.host.Log(ctx, sdk.LogInfo, "a reply bounced", fields)
			return sdk.Event{ChatID: chatID, OccurredAt: time.Now().UTC(),
				Delivery: &sdk.Delivery{ExternalID: id, State: sdk.DeliveryFailed, Reason: p.BounceReason}}, true, nil
		}
	}
	st.host.Log(ctx, sdk.LogInfo, "bounce of no reply of ours skipped", fields)
	return sdk.Event{}, false, nil
}

func contactOf(a *mail.Address) sdk.Contact {
	addr := strings.ToLower(a.Address)
	name := a.Name
	if name == "" {
		name = a.Address
	}
	return sdk.Contact{ExternalID: addr, DisplayName: name, Email: addr}
}
