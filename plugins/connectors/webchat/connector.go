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
)

func newConnector() *connector { return &connector{hub: newHub()} }

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{
		ID: "webchat", Name: "Website chat", Version: version, ChannelKind: "webchat",
		Capabilities:   sdk.Capabilities{Typing: true},
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
		return sdk.SendResult{}, &sdk.ChannelError{Code: "chat_unknown", Message: fmt.Sprintf("no visitor %q", m.ChatID)}
	}
	if m.IdempotencyKey == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "idempotency_key_missing", Message: "a message needs a key"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, found, err := loadVisitor(ctx, h, m.ChatID)
	if err != nil {
		return sdk.SendResult{}, err
	}
	if !found {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "chat_unknown", Message: fmt.Sprintf("no visitor %q", m.ChatID)}
	}
	id := "op-" + m.IdempotencyKey
	for _, l := range v.Lines {
		if l.ID == id {
			return sdk.SendResult{ExternalID: id, State: sdk.DeliverySent}, nil
		}
	}
	l := line{ID: id, From: "operator", Name: m.SenderName, Text: m.Text, At: time.Now().UTC()}
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

func (c *connector) Health(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal != nil && c.srv == nil {
		return &sdk.ChannelError{Code: "chat_not_listening", Message: "the chat endpoint is not serving"}
	}
	return nil
}
