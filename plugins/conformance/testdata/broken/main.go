// Command broken is a connector with the bug partners write most often: it
// ignores the cursor it is asked to resume after and never forgets
// acknowledged events, so after a restart the host gets everything again.
// Everything else is right. The conformance tests check that the kit fails
// it on exactly one line, "receive, ack and resume after a restart".
//
// Settings and inbound are those of plugins/examples/httpchat:
// {"listen":"host:port"}, POST /messages with the form field text.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

func main() { sdk.Serve(&connector{sent: map[string]string{}}) }

type connector struct {
	mu      sync.Mutex // guards the fields below
	journal *sdk.Journal
	addr    string
	sent    map[string]string
}

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{ID: "broken", Name: "Broken (test)", Version: "1.0.0", ChannelKind: "messenger",
		SettingsSchema: `{"type":"object","required":["listen"],"properties":{"listen":{"type":"string"}}}`}, nil
}

func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	var s struct{ Listen string }
	if err := json.Unmarshal(req.Settings, &s); err != nil {
		return []sdk.FieldError{{Code: "validation_invalid_json", Message: err.Error()}}, nil
	}
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		return []sdk.FieldError{{Field: "/listen", Code: "validation_invalid_address", Message: err.Error()}}, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal == nil {
		j, err := sdk.OpenJournal(ctx, req.Host, "inbound")
		if err != nil {
			return nil, err
		}
		c.journal = j
	}
	if c.addr == s.Listen {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return []sdk.FieldError{{Field: "/listen", Code: "validation_address_unavailable", Message: err.Error()}}, nil
	}
	c.addr = s.Listen
	j := c.journal
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev := sdk.Event{ChatID: "guest", OccurredAt: time.Now(), Message: &sdk.Message{
			ExternalID: fmt.Sprint(time.Now().UnixNano()), Text: r.FormValue("text")}}
		if _, err := j.Append(r.Context(), ev); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	}))
	return nil, nil
}

func (c *connector) j() *sdk.Journal {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.journal
}

// Receive is the bug: it starts from the beginning whatever after says.
func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	return c.j().Receive(ctx, "", emit)
}

// Ack is the other half of the bug: acknowledged events are kept.
func (c *connector) Ack(context.Context, string) error { return nil }

func (c *connector) Send(_ context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	if m.ChatID == "" {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "chat_unknown", Message: "no chat"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.sent[m.IdempotencyKey]; !ok {
		c.sent[m.IdempotencyKey] = fmt.Sprint("out-", len(c.sent)+1)
	}
	return sdk.SendResult{ExternalID: c.sent[m.IdempotencyKey], State: sdk.DeliverySent}, nil
}
