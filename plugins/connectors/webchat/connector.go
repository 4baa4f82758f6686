package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

// version is set at link time by release builds.
var version = "1.0.0"

type connector struct {
	hub *hub

	// mu guards the fields below and serialises read-modify-write of a
	// visitor's stored history.
	mu      sync.Mutex
	host    sdk.Host
	journal *sdk.Journal
	cfg     settings
	srv     *http.Server
	addr    string
}

var (
	_ sdk.Connector     = (*connector)(nil)
	_ sdk.HealthChecker = (*connector)(nil)
	_ sdk.Editor        = (*connector)(nil)
	_ sdk.Deleter       = (*connector)(nil)
	_ sdk.TypingSender  = (*connector)(nil)
	_ sdk.ReadMarker    = (*connector)(nil)
)

func newConnector() *connector { return &connector{hub: newHub()} }

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{
		ID: "webchat", Name: "Website chat", Version: version, ChannelKind: "webchat",
		// The chat is ours: an operator's message may be edited or taken
		// back at any time, and a reply shows the line it answers.
		// Typing goes both ways, and the visitor sees when the team has
		// read their lines.
		Capabilities: sdk.Capabilities{Typing: true, ReadReceipts: true, ReplyTo: true, EditWindow: -1, DeleteWindow: -1,
			Attachments: &sdk.AttachmentLimits{MaxBytes: maxFileBytes, MaxPerMessage: maxFilesPerLine}},
		SettingsSchema: settingsSchema,
	}, nil
}

func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	s, fes := parseSettings(req.Settings)
	if len(fes) > 0 {
		return fes, nil
	}
	if req.Host == nil {
		return nil, errors.New("configure: the host offers no services; the chat keeps its history there")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal == nil || c.host != req.Host {
		j, err := sdk.OpenJournal(ctx, req.Host, "inbound")
		if err != nil {
			return nil, err
		}
		c.host, c.journal = req.Host, j
	}
	c.cfg = s
	if c.addr == s.Listen {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return []sdk.FieldError{{Field: "/listen", Code: "validation_address_unavailable", Message: err.Error()}}, nil
	}
	if c.srv != nil {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = c.srv.Shutdown(sctx)
		cancel()
	}
	c.srv = &http.Server{Handler: c.routes(), ReadHeaderTimeout: 10 * time.Second}
	c.addr = s.Listen
	go func(srv *http.Server) { _ = srv.Serve(ln) }(c.srv)
	req.Host.Log(ctx, sdk.LogInfo, "website chat listening", map[string]string{"address": ln.Addr().String()})
	return nil, nil
}

// state returns the host and journal, or an error before Configure.
func (c *connector) state() (sdk.Host, *sdk.Journal, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal == nil {
		return nil, nil, &sdk.ChannelError{Code: "not_configured", Message: "the chat has no settings yet"}
	}
	return c.host, c.journal, nil
}

func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	_, j, err := c.state()
	if err != nil {
		return err
	}
	return j.Receive(ctx, after, emit)
}

func (c *connector) Ack(ctx context.Context, cursor string) error {
	_, j, err := c.state()
	if err != nil {
		return err
	}
	return j.Ack(ctx, cursor)
}

// Send puts an operator's message into the visitor's history and pushes it
// to the visitor's open pages. It is idempotent on the key.
func (c *connector) Send(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	h, _, err := c.state()
	if err != nil {
		return sdk.SendResult{}, err
	}
	if !validVisitorID(m.ChatID) {
		return sdk.SendResult{}, unknownChat(m.ChatID)
	}
	if m.IdempotencyKey == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "idempotency_key_missing", Message: "a message needs a key"}
	}
	files, err := filesOf(m.Attachments)
	if err != nil {
		return sdk.SendResult{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, found, err := loadVisitor(ctx, h, m.ChatID)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if !found {
		return sdk.SendResult{}, unknownChat(m.ChatID)
	}
	id := "op-" + m.IdempotencyKey
	if v.find(id) >= 0 {
		return sdk.SendResult{ExternalID: id, State: sdk.DeliverySent}, nil
	}
	l := line{ID: id, From: "operator", Name: m.SenderName, Text: m.Text, At: time.Now().UTC(), Files: files}
	if i := v.find(m.ReplyToExternalID); m.ReplyToExternalID != "" && i >= 0 {
		l.ReplyTo = quoteOf(v.Lines[i])
	}
	v.Lines = append(v.Lines, l)
	if err := saveVisitor(ctx, h, v); err != nil {
		return sdk.SendResult{}, err
	}
	state := sdk.DeliverySent
	if c.hub.push(m.ChatID, wsOut{Type: "message", Line: &l}) > 0 {
		state = sdk.DeliveryDelivered
	}
	return sdk.SendResult{ExternalID: id, State: state}, nil
}

// Edit changes the text of an operator's message in the visitor's history
// and on the visitor's open pages.
func (c *connector) Edit(ctx context.Context, chatID, externalID, text string) error {
	return c.change(ctx, chatID, externalID, "edit", func(l *line) {
		l.Text, l.Edited = text, true
	})
}

// Delete takes an operator's message back: the visitor's history keeps a
// "deleted" mark in its place, without the text.
func (c *connector) Delete(ctx context.Context, chatID, externalID string) error {
	return c.change(ctx, chatID, externalID, "delete", func(l *line) {
		l.Text, l.Deleted, l.ReplyTo = "", true, nil
	})
}

// change applies fn to an operator's line and pushes the new line to the
// visitor's pages as an event of type kind. Doing it twice is harmless.
func (c *connector) change(ctx context.Context, chatID, externalID, kind string, fn func(*line)) error {
	return c.editVisitor(ctx, chatID, func(v *visitor, found bool) (func(), error) {
		i := v.find(externalID)
		if !found || i < 0 || v.Lines[i].From != "operator" {
			return nil, &sdk.ChannelError{Code: "message_unknown", Message: "the visitor's chat has no such operator message"}
		}
		fn(&v.Lines[i])
		l := v.Lines[i]
		return func() { c.hub.push(chatID, wsOut{Type: kind, Line: &l}) }, nil
	})
}

// editVisitor loads a visitor's history under the connector's lock and
// hands it to edit; when edit answers a push, the history is saved and the
// push then tells the visitor's open pages. A nil push changes nothing.
func (c *connector) editVisitor(ctx context.Context, chatID string, edit func(v *visitor, found bool) (push func(), err error)) error {
	h, _, err := c.state()
	if err != nil {
		return err
	}
	if !validVisitorID(chatID) {
		return unknownChat(chatID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, found, err := loadVisitor(ctx, h, chatID)
	if err != nil {
		return err
	}
	push, err := edit(&v, found)
	if err != nil || push == nil {
		return err
	}
	if err := saveVisitor(ctx, h, v); err != nil {
		return err
	}
	push()
	return nil
}

func unknownChat(chatID string) error {
	return &sdk.ChannelError{Code: "chat_unknown", Message: fmt.Sprintf("no visitor %q", chatID)}
}

// SendTyping shows the visitor's open pages that the team types a reply,
// signed with senderName; the page fades it after a few seconds. A visitor
// with no page open misses nothing.
func (c *connector) SendTyping(_ context.Context, chatID, senderName string) error {
	if _, _, err := c.state(); err != nil {
		return err
	}
	if !validVisitorID(chatID) {
		return unknownChat(chatID)
	}
	c.hub.push(chatID, wsOut{Type: "typing", Name: senderName})
	return nil
}

// MarkRead marks the visitor's lines up to and including upTo read, in the
// history and on the visitor's open pages ("Read" under them). An unknown
// line is the channel's refusal; marking again is harmless.
func (c *connector) MarkRead(ctx context.Context, chatID, upTo string) error {
	return c.editVisitor(ctx, chatID, func(v *visitor, found bool) (func(), error) {
		i := v.find(upTo)
		if !found || i < 0 || v.Lines[i].From != "visitor" {
			return nil, &sdk.ChannelError{Code: "message_unknown", Message: "the visitor's chat has no such line of theirs"}
		}
		changed := false
		for k := 0; k <= i; k++ {
			if l := &v.Lines[k]; l.From == "visitor" && !l.Read {
				l.Read, changed = true, true
			}
		}
		if !changed {
			return nil, nil
		}
		return func() { c.hub.push(chatID, wsOut{Type: "read", UpTo: upTo}) }, nil
	})
}

func (c *connector) Health(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal != nil && c.srv == nil {
		return &sdk.ChannelError{Code: "chat_not_listening", Message: "the chat endpoint is not serving"}
	}
	return nil
}
