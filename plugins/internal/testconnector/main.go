// Command testconnector is the connector the plugin tests build and run as a
// real subprocess. Link-time variables make its variants: another id or
// version (upgrades), protocol 2 only (version mismatch), "broken" (the
// conformance kit must fail it), and "quiet" (it takes typing and read
// receipts but does not declare them, so the host must not send them).
//
// Settings: {"greeting": "...", "emit": N}. On Configure it appends N
// messages to its journal once; Send echoes the text back as an inbound
// message, so a send round trip is visible to the host; a text "fail: why"
// is refused by the channel with the reason "why". SendTyping and MarkRead
// are recorded and listed by GET /calls on the listener.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-plugin"

	"switchboard/plugins/sdk"
)

// Set with -ldflags "-X main.id=... -X main.version=... -X main.protocol=2 -X main.broken=yes".
var (
	id       = "echo"
	version  = "1.0.0"
	protocol = "1"
	broken   = ""
	quiet    = ""
)

type settings struct {
	Greeting string `json:"greeting"`
	Emit     int    `json:"emit"`
	// Listen, when set, serves POST /in?text=...[&from=...] which appends an
	// inbound message (from u2 unless said): the conformance kit's way to
	// make the channel receive.
	Listen string `json:"listen"`
	// ConfigureDelayMs makes Configure take that long: a plugin slower to
	// start than a lease lasts.
	ConfigureDelayMs int `json:"configureDelayMs"`
	// Flood, when set, makes Receive emit that many synthetic events
	// straight from memory: the benchmarks' measure of the bare stream.
	Flood int `json:"flood"`
}

type connector struct {
	mu        sync.Mutex
	host      sdk.Host
	journal   *sdk.Journal
	listening string
	inbound   int
	flood     int
	// calls are the typing and read calls heard, one line each:
	// "typing <chat> <sender name>", "read <chat> <up to>".
	calls []string
}

var (
	_ sdk.Connector     = (*connector)(nil)
	_ sdk.HealthChecker = (*connector)(nil)
	_ sdk.TypingSender  = (*connector)(nil)
	_ sdk.ReadMarker    = (*connector)(nil)
)

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	schema := `{"type":"object","required":["greeting"],"properties":{"greeting":{"type":"string","minLength":1},"emit":{"type":"integer","minimum":0}}}`
	if broken != "" {
		schema = `["not an object schema"]`
	}
	return sdk.Description{ID: id, Name: "Echo (test)", Version: version, ChannelKind: "messenger",
		Capabilities: sdk.Capabilities{ReplyTo: true, StartByPhone: true, Typing: quiet == "", ReadReceipts: quiet == ""}, SettingsSchema: schema}, nil
}

func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	var s settings
	if err := json.Unmarshal(req.Settings, &s); err != nil {
		if broken != "" {
			return nil, nil
		}
		return []sdk.FieldError{{Field: "", Code: "validation_invalid_json", Message: err.Error()}}, nil
	}
	if s.ConfigureDelayMs > 0 {
		time.Sleep(time.Duration(s.ConfigureDelayMs) * time.Millisecond)
	}
	if s.Greeting == "" && broken == "" {
		return []sdk.FieldError{{Field: "/greeting", Code: "validation_required", Message: "greeting is required"}}, nil
	}
	if req.Host == nil {
		return nil, fmt.Errorf("configure: the host offers no services")
	}
	j, err := sdk.OpenJournal(ctx, req.Host, "in")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.host, c.journal = req.Host, j
	c.mu.Unlock()
	if _, seeded, err := req.Host.StateGet(ctx, "seeded"); err != nil {
		return nil, err
	} else if !seeded {
		for i := 1; i <= s.Emit; i++ {
			ev := sdk.Event{ChatID: "chat-1", OccurredAt: time.Now(), Message: &sdk.Message{
				ExternalID: "m" + strconv.Itoa(i), From: sdk.Contact{ExternalID: "u1", DisplayName: "Test"},
				Text: fmt.Sprintf("%s %d", s.Greeting, i)}}
			if _, err := j.Append(ctx, ev); err != nil {
				return nil, err
			}
		}
		if err := req.Host.StatePut(ctx, "seeded", []byte("1")); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	c.flood = s.Flood
	c.mu.Unlock()
	if err := c.listen(s.Listen); err != nil {
		return nil, err
	}
	req.Host.Log(ctx, sdk.LogInfo, "configured", map[string]string{"channel": req.ChannelID})
	return nil, nil
}

func (c *connector) listen(addr string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if addr == "" || addr == c.listening {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	c.listening = addr
	mux := http.NewServeMux()
	mux.HandleFunc("POST /in", func(w http.ResponseWriter, r *http.Request) {
		j, err := c.j()
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		c.mu.Lock()
		c.inbound++
		n := c.inbound
		c.mu.Unlock()
		from := r.URL.Query().Get("from")
		if from == "" {
			from = "u2"
		}
		ev := sdk.Event{ChatID: "chat-http", OccurredAt: time.Now(), Message: &sdk.Message{
			ExternalID: fmt.Sprintf("http-%d-%d", os.Getpid(), n), From: sdk.Contact{ExternalID: from}, Text: r.URL.Query().Get("text")}}
		if _, err := j.Append(r.Context(), ev); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /calls", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		b, _ := json.Marshal(c.calls)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	})
	go http.Serve(ln, mux)
	return nil
}

func (c *connector) j() (*sdk.Journal, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal == nil {
		return nil, fmt.Errorf("not configured")
	}
	return c.journal, nil
}

func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	j, err := c.j()
	if err != nil {
		return err
	}
	c.mu.Lock()
	flood := c.flood
	c.mu.Unlock()
	if flood > 0 {
		return floodEvents(ctx, after, flood, emit)
	}
	if broken != "" {
		after = "" // forgets where it was: resends everything, and ignores ctx
		_ = j.Receive(context.Background(), after, emit)
		return nil
	}
	return j.Receive(ctx, after, emit)
}

func floodEvents(ctx context.Context, after string, n int, emit func(sdk.Event) error) error {
	start, _ := strconv.Atoi(after)
	for i := start + 1; i <= n; i++ {
		ev := sdk.Event{Cursor: fmt.Sprintf("%020d", i), ChatID: "flood", Message: &sdk.Message{
			ExternalID: strconv.Itoa(i), From: sdk.Contact{ExternalID: "u" + strconv.Itoa(i%1000)}, Text: "flood"}}
		if err := emit(ev); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

func (c *connector) Ack(ctx context.Context, cursor string) error {
	j, err := c.j()
	if err != nil {
		return err
	}
	c.mu.Lock()
	flood := c.flood
	c.mu.Unlock()
	if broken != "" || flood > 0 {
		return nil
	}
	return j.Ack(ctx, cursor)
}

// Send is idempotent on the key: the external id is remembered in state.
// A template is recorded among the calls ("template <chat> <name>
// <language> <params,...>") and sent as its text.
func (c *connector) Send(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	j, err := c.j()
	if err != nil {
		return sdk.SendResult{}, err
	}
	if t := m.Template; t != nil {
		c.record("template " + m.ChatID + " " + t.Name + " " + t.Language + " " + strings.Join(t.Params, ","))
	}
	if m.ChatID == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "chat_unknown", Message: "no chat id"}
	}
	if reason, ok := strings.CutPrefix(m.Text, "fail: "); ok {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "refused", Message: reason}
	}
	key := "sent/" + m.IdempotencyKey
	if v, ok, err := c.host.StateGet(ctx, key); err != nil {
		return sdk.SendResult{}, err
	} else if ok {
		return sdk.SendResult{ExternalID: string(v), State: sdk.DeliverySent}, nil
	}
	ext := "out-" + m.IdempotencyKey
	if err := c.host.StatePut(ctx, key, []byte(ext)); err != nil {
		return sdk.SendResult{}, err
	}
	if _, err := j.Append(ctx, sdk.Event{ChatID: m.ChatID, OccurredAt: time.Now(), Message: &sdk.Message{
		ExternalID: "echo-" + m.IdempotencyKey, From: sdk.Contact{ExternalID: "u1"}, Text: "echo: " + m.Text}}); err != nil {
		return sdk.SendResult{}, err
	}
	return sdk.SendResult{ExternalID: ext, State: sdk.DeliverySent}, nil
}

func (c *connector) Health(context.Context) error { return nil }

// SendTyping records the call; the broken variant fails it as a bug would.
func (c *connector) SendTyping(_ context.Context, chatID, senderName string) error {
	if broken != "" {
		return fmt.Errorf("typing: nil pointer")
	}
	if chatID == "" {
		return &sdk.ChannelError{Code: "chat_unknown", Message: "no chat id"}
	}
	c.record("typing " + chatID + " " + senderName)
	return nil
}

// MarkRead records the call.
func (c *connector) MarkRead(_ context.Context, chatID, upTo string) error {
	if chatID == "" {
		return &sdk.ChannelError{Code: "chat_unknown", Message: "no chat id"}
	}
	c.record("read " + chatID + " " + upTo)
	return nil
}

func (c *connector) record(call string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, call)
}

// CheckContact takes a number of 8 to 15 digits (spaces, dashes, brackets
// and a leading + allowed); numbers ending in 0000 are "not on the
// channel". The chat id is the digits.
func (c *connector) CheckContact(_ context.Context, q sdk.ContactQuery) (sdk.ContactResult, error) {
	id := strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(strings.TrimPrefix(strings.TrimSpace(q.Phone), "+"))
	if len(id) < 8 || len(id) > 15 || strings.Trim(id, "0123456789") != "" {
		return sdk.ContactResult{}, &sdk.ChannelError{Code: "phone_invalid", Message: fmt.Sprintf("%q is not a phone number", q.Phone)}
	}
	return sdk.ContactResult{Reachable: !strings.HasSuffix(id, "0000"), ChatID: id}, nil
}

func main() {
	if protocol == "1" {
		sdk.Serve(&connector{})
		return
	}
	v, _ := strconv.Atoi(protocol)
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  sdk.Handshake,
		VersionedPlugins: map[int]plugin.PluginSet{v: {sdk.PluginName: &sdk.ConnectorPlugin{Impl: &connector{}}}},
		GRPCServer:       plugin.DefaultGRPCServer,
	})
}
