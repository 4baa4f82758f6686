// Command httpchat is the example connector of docs/connectors.md: a chat
// over plain HTTP, built only on switchboard/plugins/sdk. A customer writes
// with POST /messages (form fields chat, name, text) and reads the
// operators' answers with GET /messages?chat=...
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

func main() { sdk.Serve(&connector{}) }

type connector struct {
	mu      sync.Mutex // guards the fields below
	host    sdk.Host
	journal *sdk.Journal
	addr    string
}

// schema is the JSON Schema the settings form is drawn from.
const schema = `{"type": "object", "required": ["listen"], "properties": {
  "listen": {"type": "string", "title": "Address to serve the chat on (host:port)", "default": "127.0.0.1:8091"}}}`

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{ID: "httpchat", Name: "HTTP chat (example)", Version: "1.0.0", ChannelKind: "messenger",
		Capabilities: sdk.Capabilities{ /* no edits, attachments... */ }, SettingsSchema: schema}, nil
}

func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	var s struct{ Listen string }
	if err := json.Unmarshal(req.Settings, &s); err != nil {
		return []sdk.FieldError{{Field: "", Code: "validation_invalid_json", Message: err.Error()}}, nil
	}
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		return []sdk.FieldError{{Field: "/listen", Code: "validation_invalid_address", Message: "listen must be host:port"}}, nil
	}
	if req.Host == nil {
		return nil, errors.New("configure: the host offers no services")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.host != req.Host {
		j, err := sdk.OpenJournal(ctx, req.Host, "inbound")
		if err != nil {
			return nil, err
		}
		c.host, c.journal = req.Host, j
	}
	if c.addr == s.Listen {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return []sdk.FieldError{{Field: "/listen", Code: "validation_address_unavailable", Message: err.Error()}}, nil
	}
	c.addr = s.Listen
	mux := http.NewServeMux()
	mux.HandleFunc("POST /messages", c.receiveHTTP)
	mux.HandleFunc("GET /messages", c.answersHTTP)
	go (&http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
	return nil, nil
}

var chatPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// receiveHTTP stores a customer's message in the journal; from there
// Receive hands it to the host, again after a restart until acknowledged.
func (c *connector) receiveHTTP(w http.ResponseWriter, r *http.Request) {
	chat, text := cmp.Or(r.FormValue("chat"), "guest"), r.FormValue("text")
	if !chatPattern.MatchString(chat) || strings.TrimSpace(text) == "" {
		http.Error(w, "need chat (letters, digits, _ or -) and text", http.StatusBadRequest)
		return
	}
	// A client that retries sends its own id: the server drops repeats by it.
	id := cmp.Or(r.FormValue("id"), rand.Text())
	ev := sdk.Event{ChatID: chat, OccurredAt: time.Now(), Message: &sdk.Message{ExternalID: id,
		From: sdk.Contact{ExternalID: chat, DisplayName: r.FormValue("name")}, Text: text}}
	_, j := c.parts()
	if _, err := j.Append(r.Context(), ev); err != nil {
		http.Error(w, "cannot store the message now", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// answersHTTP lists the operators' answers in a chat, one per line.
func (c *connector) answersHTTP(w http.ResponseWriter, r *http.Request) {
	host, _ := c.parts()
	keys, err := host.StateList(r.Context(), "out/"+r.FormValue("chat")+"/")
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	for _, k := range keys {
		text, _, _ := host.StateGet(r.Context(), k)
		fmt.Fprintf(w, "%s\n", text)
	}
}

// parts returns the host and the journal Configure set up.
func (c *connector) parts() (sdk.Host, *sdk.Journal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.host, c.journal
}

// Receive and Ack come after Configure (the host configures first).
func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	_, j := c.parts()
	return j.Receive(ctx, after, emit)
}

func (c *connector) Ack(ctx context.Context, cursor string) error {
	_, j := c.parts()
	return j.Ack(ctx, cursor)
}

// Send keeps the answer for the customer to read. It is idempotent: the
// host may send the same message again after a crash, and the key it was
// sent under finds the first answer.
func (c *connector) Send(ctx context.Context, m sdk.OutboundMessage) (sdk.SendResult, error) {
	host, _ := c.parts()
	if host == nil || !chatPattern.MatchString(m.ChatID) {
		return sdk.SendResult{}, &sdk.ChannelError{Code: "chat_unknown", Message: fmt.Sprintf("no chat %q", m.ChatID)}
	}
	if id, found, err := host.StateGet(ctx, "sent/"+m.IdempotencyKey); err != nil || found {
		return sdk.SendResult{ExternalID: string(id), State: sdk.DeliverySent}, err
	}
	id := fmt.Sprintf("out/%s/%020d", m.ChatID, time.Now().UnixNano())
	err := host.StatePut(ctx, id, []byte(m.Text))
	if err == nil {
		err = host.StatePut(ctx, "sent/"+m.IdempotencyKey, []byte(id))
	}
	return sdk.SendResult{ExternalID: id, State: sdk.DeliverySent}, err
}
