package sdk_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"

	"switchboard/plugins/sdk"
)

// memHost is an in-memory sdk.Host for the in-process pair.
type memHost struct {
	mu    sync.Mutex
	state map[string][]byte
	logs  []string
}

func newMemHost() *memHost { return &memHost{state: map[string][]byte{}} }

func (h *memHost) StateGet(_ context.Context, k string) ([]byte, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.state[k]
	return v, ok, nil
}
func (h *memHost) StatePut(_ context.Context, k string, v []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state[k] = v
	return nil
}
func (h *memHost) StateDelete(_ context.Context, k string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.state, k)
	return nil
}
func (h *memHost) StateList(_ context.Context, p string) ([]string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for k := range h.state {
		if strings.HasPrefix(k, p) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}
func (h *memHost) BlobPut(context.Context, sdk.Blob) (string, error) { return "", sdk.ErrUnsupported }
func (h *memHost) BlobGet(context.Context, string) (sdk.Blob, error) {
	return sdk.Blob{}, sdk.ErrUnsupported
}
func (h *memHost) Log(_ context.Context, _ sdk.LogLevel, msg string, _ map[string]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, msg)
}

// journalConnector keeps its events in a Journal on the host's state and
// implements only the required methods.
type journalConnector struct {
	mu sync.Mutex
	j  *sdk.Journal
}

func (c *journalConnector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{ID: "j", Name: "J", Version: "1.0.0", ChannelKind: "test",
		Capabilities:   sdk.Capabilities{EditWindow: 48 * time.Hour, DeleteWindow: -1, Attachments: &sdk.AttachmentLimits{MaxBytes: 10, MIMETypes: []string{"image/png"}, MaxPerMessage: 2}},
		SettingsSchema: `{"type":"object"}`}, nil
}

func (c *journalConnector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	if string(req.Settings) == "bad" {
		return []sdk.FieldError{{Field: "/x", Code: "validation_required"}}, nil
	}
	j, err := sdk.OpenJournal(ctx, req.Host, "in")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.j = j
	c.mu.Unlock()
	req.Host.Log(ctx, sdk.LogInfo, "configured "+req.ChannelID, nil)
	for _, text := range []string{"a", "b", "c"} {
		if _, err := j.Append(ctx, sdk.Event{ChatID: "x", Message: &sdk.Message{ExternalID: text, Text: text}}); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (c *journalConnector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	return c.j.Receive(ctx, after, emit)
}
func (c *journalConnector) Ack(ctx context.Context, cursor string) error { return c.j.Ack(ctx, cursor) }
func (c *journalConnector) Send(_ context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	if m.ChatID == "blocked" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "recipient_blocked", Message: "the user blocked the bot"}
	}
	if m.ChatID == "bug" {
		return sdk.SendResult{}, errors.New("nil map")
	}
	return sdk.SendResult{ExternalID: "o-" + m.IdempotencyKey, State: sdk.DeliveryDelivered}, nil
}

// pair connects a connector and a host in one process over real gRPC.
func pair(t *testing.T, impl sdk.Connector, h sdk.Host) *sdk.GRPCConnector {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, map[string]plugin.Plugin{
		sdk.PluginName: &sdk.ConnectorPlugin{Impl: impl, Host: h},
	})
	t.Cleanup(func() { client.Close() })
	raw, err := client.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(*sdk.GRPCConnector)
}

func collect(t *testing.T, c sdk.Connector, after string, n int) []sdk.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got []sdk.Event
	stop := errors.New("enough")
	err := c.Receive(ctx, after, func(e sdk.Event) error {
		got = append(got, e)
		if len(got) == n {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Receive(%q) got %d of %d events: %v", after, len(got), n, err)
	}
	return got
}

func TestDescriptionSurvivesTheWire(t *testing.T) {
	c := pair(t, &journalConnector{}, newMemHost())
	d, err := c.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	caps := d.Capabilities
	if caps.EditWindow != 48*time.Hour || caps.DeleteWindow != -1 || caps.Attachments == nil ||
		caps.Attachments.MaxPerMessage != 2 || caps.Attachments.MIMETypes[0] != "image/png" || d.SettingsSchema != `{"type":"object"}` {
		t.Fatalf("Describe() = %+v", d)
	}
}

func TestTheJournalResumesAfterTheAcknowledgedCursor(t *testing.T) {
	h := newMemHost()
	c := pair(t, &journalConnector{}, h)
	if fes, err := c.Configure(context.Background(), sdk.ConfigureRequest{ChannelID: "ch", Settings: []byte("{}")}); err != nil || fes != nil {
		t.Fatalf("Configure = %v, %v", fes, err)
	}
	evs := collect(t, c, "", 3)
	if evs[0].Message.Text != "a" || evs[2].Message.Text != "c" {
		t.Fatalf("events = %+v", evs)
	}
	if err := c.Ack(context.Background(), evs[0].Cursor); err != nil {
		t.Fatal(err)
	}
	// A fresh connector process on the same host state, as after a crash.
	c2 := pair(t, &journalConnector{}, h)
	if _, err := c2.Configure(context.Background(), sdk.ConfigureRequest{ChannelID: "ch", Settings: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	again := collect(t, c2, evs[0].Cursor, 2)
	if again[0].Cursor != evs[1].Cursor || again[1].Cursor != evs[2].Cursor {
		t.Fatalf("after ack of %s got %s, %s; want %s, %s", evs[0].Cursor, again[0].Cursor, again[1].Cursor, evs[1].Cursor, evs[2].Cursor)
	}
	if len(h.logs) != 2 || h.logs[0] != "configured ch" {
		t.Fatalf("host log = %v, want the plugin's lines through the broker", h.logs)
	}
}

func TestErrorsKeepTheirKindAcrossTheWire(t *testing.T) {
	c := pair(t, &journalConnector{}, newMemHost())
	ctx := context.Background()
	tests := []struct {
		name  string
		call  func() error
		check func(error) bool
	}{
		{"a channel's refusal keeps its code", func() error {
			_, err := c.Send(ctx, sdk.OutboundMessage{ChatID: "blocked"})
			return err
		}, func(err error) bool {
			var ce *sdk.ChannelError
			return errors.As(err, &ce) && ce.Code == "recipient_blocked" && ce.Message == "the user blocked the bot"
		}},
		{"a connector's bug is no channel error", func() error {
			_, err := c.Send(ctx, sdk.OutboundMessage{ChatID: "bug"})
			return err
		}, func(err error) bool {
			return err != nil && !sdk.IsChannelError(err) && strings.Contains(err.Error(), "nil map")
		}},
		{"an optional method not implemented is unsupported", func() error {
			return c.Edit(ctx, "x", "y", "z")
		}, func(err error) bool { return errors.Is(err, sdk.ErrUnsupported) }},
		{"a contact check not implemented is unsupported", func() error {
			_, err := c.CheckContact(ctx, sdk.ContactQuery{Phone: "+1"})
			return err
		}, func(err error) bool { return errors.Is(err, sdk.ErrUnsupported) }},
		{"a typing call not implemented is unsupported", func() error {
			return c.SendTyping(ctx, "x", "Ann")
		}, func(err error) bool { return errors.Is(err, sdk.ErrUnsupported) }},
		{"health without a checker is fine", func() error { return c.Health(ctx) }, func(err error) bool { return err == nil }},
		{"refused settings are field errors, not a call error", func() error {
			fes, err := c.Configure(ctx, sdk.ConfigureRequest{Settings: []byte("bad")})
			if err != nil {
				return err
			}
			if len(fes) != 1 || fes[0].Code != "validation_required" {
				return errors.New("wrong field errors")
			}
			return nil
		}, func(err error) bool { return err == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !tt.check(err) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// typist shows typing: it remembers who typed where, and refuses a chat the
// channel does not know in the channel's words.
type typist struct {
	journalConnector
	mu  sync.Mutex
	got []string
}

func (c *typist) SendTyping(_ context.Context, chatID, senderName string) error {
	if chatID == "gone" {
		return &sdk.ChannelError{Code: "chat_unknown", Message: "no such chat"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, chatID+"/"+senderName)
	return nil
}

func TestTypingCrossesTheWire(t *testing.T) {
	impl := &typist{}
	c := pair(t, impl, newMemHost())
	ctx := context.Background()
	if err := c.SendTyping(ctx, "chat-7", "Підтримка"); err != nil {
		t.Fatalf("SendTyping = %v", err)
	}
	impl.mu.Lock()
	got := append([]string(nil), impl.got...)
	impl.mu.Unlock()
	if len(got) != 1 || got[0] != "chat-7/Підтримка" {
		t.Fatalf("the plugin heard %v, want chat-7/Підтримка", got)
	}
	var ce *sdk.ChannelError
	if err := c.SendTyping(ctx, "gone", "Ann"); !errors.As(err, &ce) || ce.Code != "chat_unknown" {
		t.Fatalf("SendTyping to an unknown chat = %v, want the channel's refusal", err)
	}
}

func TestEveryEventKindSurvivesTheWire(t *testing.T) {
	at := time.UnixMilli(1_700_000_000_000).UTC()
	kinds := []sdk.Event{
		{Cursor: "1", ChatID: "c", OccurredAt: at, Message: &sdk.Message{ExternalID: "m", Text: "t", From: sdk.Contact{ExternalID: "u", Phone: "+1"},
			ReplyToExternalID: "r", Attachments: []sdk.Attachment{{Name: "a.png", MIMEType: "image/png", Size: 3, BlobID: "b"}}, ThreadID: "th", Subject: "s",
			CC: []sdk.Contact{{ExternalID: "b@example.com", DisplayName: "Bo", Email: "b@example.com"}}}},
		{Cursor: "2", Edit: &sdk.Edit{ExternalID: "m", Text: "t2"}},
		{Cursor: "3", Delete: &sdk.Delete{ExternalID: "m"}},
		{Cursor: "4", Delivery: &sdk.Delivery{ExternalID: "o", State: sdk.DeliveryFailed, Reason: "blocked"}},
		{Cursor: "5", Typing: &sdk.Typing{From: sdk.Contact{ExternalID: "u"}}},
		{Cursor: "6", Profile: &sdk.Contact{ExternalID: "u", DisplayName: "Ann", Email: "a@b"}},
		{Cursor: "7", Action: &sdk.Action{Contact: sdk.Contact{ExternalID: "u"}, Action: "paid", Details: map[string]string{"sum": "10"}}},
	}
	for _, ev := range kinds {
		got := sdk.EventFromProto(sdk.EventToProto(ev))
		if a, b := sdk.EventToProto(got).String(), sdk.EventToProto(ev).String(); a != b {
			t.Errorf("event %s changed on the wire:\n got %s\nwant %s", ev.Cursor, a, b)
		}
		if !got.OccurredAt.Equal(ev.OccurredAt) {
			t.Errorf("event %s time = %v, want %v", ev.Cursor, got.OccurredAt, ev.OccurredAt)
		}
	}
}
