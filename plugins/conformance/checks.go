package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"switchboard/plugins/host"
	"switchboard/plugins/sdk"
)

type checker struct {
	s    *session
	opts Options
	// chatID is a chat seen in the resume check, used to send to;
	// messageID the customer's message there, to mark read.
	chatID, messageID string
}

func (c *checker) handshake(context.Context) (bool, error) {
	if err := c.s.start(); err != nil {
		return false, fmt.Errorf("start: %w", err)
	}
	if v := c.s.client.NegotiatedVersion(); !slices.Contains(host.Protocols, v) {
		return false, fmt.Errorf("negotiated protocol %d, host speaks %v", v, host.Protocols)
	}
	return false, nil
}

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	versionPattern = regexp.MustCompile(`^\d+\.\d+\.\d+([-+].*)?$`)
)

func (c *checker) describe(ctx context.Context) (bool, error) {
	d, err := c.s.conn.Describe(ctx)
	if err != nil {
		return false, err
	}
	var problems []string
	if !idPattern.MatchString(d.ID) {
		problems = append(problems, fmt.Sprintf("id %q is not lower-case letters, digits, '.', '_', '-'", d.ID))
	}
	if strings.TrimSpace(d.Name) == "" {
		problems = append(problems, "name is empty")
	}
	if !versionPattern.MatchString(d.Version) {
		problems = append(problems, fmt.Sprintf("version %q is not semantic (1.2.3)", d.Version))
	}
	if d.ChannelKind == "" {
		problems = append(problems, "channel kind is empty")
	}
	if a := d.Capabilities.Attachments; a != nil && (a.MaxBytes <= 0 || a.MaxPerMessage < 0) {
		problems = append(problems, "attachment limits must be positive")
	}
	var schema map[string]any
	if err := json.Unmarshal([]byte(d.SettingsSchema), &schema); err != nil {
		problems = append(problems, "settings schema is not a JSON object: "+err.Error())
	} else if schema["type"] != "object" {
		problems = append(problems, fmt.Sprintf(`settings schema has type %v, want "object"`, schema["type"]))
	} else if p, ok := schema["properties"]; ok {
		if _, isObj := p.(map[string]any); !isObj {
			problems = append(problems, "settings schema properties is not an object")
		}
	}
	if len(problems) > 0 {
		return false, errors.New(strings.Join(problems, "; "))
	}
	return false, nil
}

func (c *checker) settings(ctx context.Context) (bool, error) {
	if c.opts.BadSettings != nil {
		fes, err := c.s.conn.Configure(ctx, sdk.ConfigureRequest{ChannelID: "conformance", Settings: c.opts.BadSettings})
		if err != nil {
			return false, fmt.Errorf("bad settings: want field errors, got call error %w", err)
		}
		if len(fes) == 0 {
			return false, fmt.Errorf("bad settings %s were accepted", c.opts.BadSettings)
		}
		for _, f := range fes {
			if f.Code == "" || (f.Field != "" && !strings.HasPrefix(f.Field, "/")) {
				return false, fmt.Errorf("field error %+v needs a code and a JSON pointer field", f)
			}
		}
	}
	if _, err := c.s.conn.Configure(ctx, sdk.ConfigureRequest{ChannelID: "conformance", Settings: []byte("{not json")}); err != nil && ctx.Err() != nil {
		return false, fmt.Errorf("settings that are not JSON: %w", err)
	}
	if err := c.s.conn.Health(ctx); err != nil && !sdk.IsChannelError(err) {
		return false, fmt.Errorf("after settings that are not JSON the plugin is gone: %w", err)
	}
	fes, err := c.s.conn.Configure(ctx, sdk.ConfigureRequest{ChannelID: "conformance", Settings: c.opts.Settings})
	if err != nil {
		return false, fmt.Errorf("valid settings: %w", err)
	}
	if len(fes) > 0 {
		return false, fmt.Errorf("valid settings refused: %v", fes)
	}
	return c.opts.BadSettings == nil, nil
}

// configure hands the valid settings over.
func (c *checker) configure(ctx context.Context) error {
	fes, err := c.s.conn.Configure(ctx, sdk.ConfigureRequest{ChannelID: "conformance", Settings: c.opts.Settings})
	if err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	if len(fes) > 0 {
		return fmt.Errorf("configure: valid settings refused: %v", fes)
	}
	return nil
}

// collect receives until n events arrived.
func (c *checker) collect(ctx context.Context, after string, n int) ([]sdk.Event, error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var got []sdk.Event
	enough := errors.New("enough")
	err := c.s.conn.Receive(rctx, after, func(e sdk.Event) error {
		got = append(got, e)
		if len(got) == n {
			return enough
		}
		return nil
	})
	if !errors.Is(err, enough) {
		return got, fmt.Errorf("received %d of %d events: %v", len(got), n, err)
	}
	return got, nil
}

func (c *checker) resume(ctx context.Context) (bool, error) {
	if c.opts.Inbound == nil {
		return true, nil
	}
	if err := c.configure(ctx); err != nil {
		return false, err
	}
	if err := c.opts.Inbound(ctx, 3); err != nil {
		return false, fmt.Errorf("inbound: %w", err)
	}
	evs, err := c.collect(ctx, "", 3)
	if err != nil {
		return false, err
	}
	seen := map[string]bool{}
	for _, e := range evs {
		if e.Cursor == "" || seen[e.Cursor] {
			return false, fmt.Errorf("cursors must be present and distinct, got %q", e.Cursor)
		}
		seen[e.Cursor] = true
	}
	c.chatID = evs[0].ChatID
	for _, e := range evs {
		if e.ChatID == c.chatID && e.Message != nil && c.messageID == "" {
			c.messageID = e.Message.ExternalID
		}
	}
	if err := c.s.conn.Ack(ctx, evs[1].Cursor); err != nil {
		return false, fmt.Errorf("ack: %w", err)
	}
	c.s.stop()
	if err := c.s.start(); err != nil {
		return false, fmt.Errorf("restart: %w", err)
	}
	if err := c.configure(ctx); err != nil {
		return false, fmt.Errorf("after restart: %w", err)
	}
	again, err := c.collect(ctx, evs[1].Cursor, 1)
	if err != nil {
		return false, fmt.Errorf("after restart: %w", err)
	}
	if again[0].Cursor != evs[2].Cursor {
		return false, fmt.Errorf("after a restart from cursor %q the first event has cursor %q, want %q (the one not acknowledged)",
			evs[1].Cursor, again[0].Cursor, evs[2].Cursor)
	}
	return false, nil
}

func (c *checker) send(ctx context.Context) (bool, error) {
	if c.chatID == "" {
		return true, nil
	}
	msg := sdk.OutboundMessage{IdempotencyKey: "conformance-1", ChatID: c.chatID, Text: "conformance round trip"}
	r1, err := c.s.conn.Send(ctx, msg)
	if err != nil {
		return false, fmt.Errorf("send: %w", err)
	}
	if r1.ExternalID == "" || r1.State == sdk.DeliveryUnknown || r1.State == sdk.DeliveryFailed {
		return false, fmt.Errorf("send = %+v, want an external id and a sent state", r1)
	}
	r2, err := c.s.conn.Send(ctx, msg)
	if err != nil {
		return false, fmt.Errorf("send again: %w", err)
	}
	if r2.ExternalID != r1.ExternalID {
		return false, fmt.Errorf("the same idempotency key sent twice made %q and %q", r1.ExternalID, r2.ExternalID)
	}
	if c.opts.Delivered != nil {
		if err := c.opts.Delivered(ctx, c.chatID, msg.Text); err != nil {
			return false, fmt.Errorf("not delivered on the channel: %w", err)
		}
	}
	return false, nil
}

func (c *checker) badInput(ctx context.Context) (bool, error) {
	r, err := c.s.conn.Send(ctx, sdk.OutboundMessage{IdempotencyKey: "conformance-bad"})
	if err == nil && r.State != sdk.DeliveryFailed {
		return false, fmt.Errorf("send with no chat = %+v, want an error or a failed state", r)
	}
	_ = c.s.conn.Ack(ctx, "\x00not-a-cursor")
	if err := c.s.conn.Edit(ctx, "", "", ""); err != nil && !errors.Is(err, sdk.ErrUnsupported) && status(err) == "crash" {
		return false, fmt.Errorf("edit with nothing: %w", err)
	}
	if err := c.s.conn.Health(ctx); err != nil && !sdk.IsChannelError(err) {
		return false, fmt.Errorf("after bad input the plugin is gone: %w", err)
	}
	if c.s.client.Exited() {
		return false, errors.New("the plugin exited after bad input")
	}
	return false, nil
}

// outward shows typing and sends a read receipt, in the chat the resume
// check saw when there is one (else in a chat that does not exist). Each
// call may work, be unsupported (a connector built before the call, or
// whose channel cannot show it) or be the channel's refusal; anything
// else (a bug's error, a crash) fails.
func (c *checker) outward(ctx context.Context) (bool, error) {
	if c.s.conn == nil {
		if err := c.s.start(); err != nil {
			return false, err
		}
		if err := c.configure(ctx); err != nil {
			return false, err
		}
	}
	chat, msg := c.chatID, c.messageID
	if chat == "" {
		chat, msg = "conformance-no-such-chat", "conformance-no-such-message"
	}
	for _, call := range []struct {
		name string
		do   func() error
	}{
		{"SendTyping", func() error { return c.s.conn.SendTyping(ctx, chat, "Conformance") }},
		{"MarkRead", func() error { return c.s.conn.MarkRead(ctx, chat, msg) }},
	} {
		err := call.do()
		if err == nil || errors.Is(err, sdk.ErrUnsupported) || sdk.IsChannelError(err) {
			continue
		}
		if c.s.client.Exited() || status(err) == "crash" {
			return false, fmt.Errorf("%s in chat %q crashed the plugin: %w", call.name, chat, err)
		}
		return false, fmt.Errorf("%s in chat %q = %w; want success, unsupported, or a sdk.ChannelError saying why the channel refused", call.name, chat, err)
	}
	return false, nil
}

// status tells a plugin that died from one that answered with an error.
func status(err error) string {
	if strings.Contains(err.Error(), "Unavailable") {
		return "crash"
	}
	return "answered"
}

func (c *checker) shutdown(ctx context.Context) (bool, error) {
	if c.s.conn == nil {
		if err := c.s.start(); err != nil {
			return false, err
		}
	}
	if err := c.configure(ctx); err != nil {
		return false, err
	}
	// An open Receive stream, as the host always has one.
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = c.s.conn.Receive(sctx, "", func(sdk.Event) error { return nil }) }()
	if err := c.s.conn.Health(ctx); err != nil && !sdk.IsChannelError(err) {
		return false, err
	}
	if !c.s.stop() {
		return false, errors.New("the plugin did not exit by itself when asked to shut down (it was killed after the grace period); end Receive when its context ends")
	}
	return false, nil
}
