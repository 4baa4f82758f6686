package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

// version is set at link time by release builds.
var version = "1.0.0"

type connector struct {
	sends keyLocks
	// inbound serialises storing notifications (see store).
	inbound sync.Mutex

	// mu guards the fields below.
	mu      sync.Mutex
	host    sdk.Host
	journal *sdk.Journal
	cfg     settings
	g       *graph
	srv     *http.Server
	addr    string
	// apiErr is the last failure to reach the Graph API, nil once it works.
	apiErr error
}

var (
	_ sdk.Connector      = (*connector)(nil)
	_ sdk.ReadMarker     = (*connector)(nil)
	_ sdk.ContactChecker = (*connector)(nil)
	_ sdk.HealthChecker  = (*connector)(nil)
)

func newConnector() *connector { return &connector{} }

// WhatsApp's limits (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media):
// documents up to 100 MB; text 4096 characters, captions 1024.
const (
	serviceWindow  = 24 * time.Hour
	maxTextRunes   = 4096
	maxCaption     = 1024
	maxAttachments = 10
)

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{
		ID: "whatsapp", Name: "WhatsApp Business (Cloud API)", Version: version, ChannelKind: "messenger",
		Capabilities: sdk.Capabilities{
			ReplyTo:      true,
			Attachments:  &sdk.AttachmentLimits{MaxBytes: maxMediaBytes, MaxPerMessage: maxAttachments},
			ReadReceipts: true,
			StartByPhone: true,
		},
		SettingsSchema: settingsSchema,
	}, nil
}

// Configure checks the settings and the token (the phone number's node
// must answer), then serves the webhook. A token Meta refuses is a field
// error on /access_token, an unknown number one on /phone_number_id; a
// Graph API that cannot be reached right now is no settings problem, so
// the settings are taken and Health reports the outage.
func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	s, fes := parseSettings(req.Settings)
	if len(fes) > 0 {
		return fes, nil
	}
	if req.Host == nil {
		return nil, errors.New("configure: the host offers no services; the connector keeps its journal there")
	}
	g := newGraph(s)
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var phone struct {
		VerifiedName string `json:"verified_name"`
		Display      string `json:"display_phone_number"`
	}
	err := g.call(cctx, "phone number", "GET", s.PhoneNumberID+"?fields=verified_name,display_phone_number", nil, &phone)
	switch code := codeOf(err); {
	case err == nil:
	case code == "token_invalid":
		return []sdk.FieldError{{Field: "/access_token", Code: "token_invalid",
			Message: "Meta does not accept this access token; it may have expired: create a system user's permanent token and paste it again"}}, nil
	case code == "object_not_found":
		return []sdk.FieldError{{Field: "/phone_number_id", Code: "phone_number_id_unknown",
			Message: "no phone number with this ID is reachable with this token; copy the ID from WhatsApp Manager → API Setup and give the system user the WhatsApp account"}}, nil
	case code == "permission_denied":
		return []sdk.FieldError{{Field: "/access_token", Code: "token_permission_missing",
			Message: "the token lacks whatsapp_business_messaging or access to this WhatsApp account"}}, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		req.Host.Log(ctx, sdk.LogWarn, "the Graph API did not answer; the settings are kept and the connector keeps trying",
			map[string]string{"code": code, "api_url": s.APIURL, "error": err.Error()})
	}
	if fes, err := c.apply(ctx, req.Host, s, g); fes != nil || err != nil {
		return fes, err
	}
	c.setAPIErr(channelError(err))
	if err == nil {
		req.Host.Log(ctx, sdk.LogInfo, "whatsapp number connected", map[string]string{"number": phone.Display, "name": phone.VerifiedName})
	}
	if perr := pruneSeen(ctx, req.Host); perr != nil {
		req.Host.Log(ctx, sdk.LogWarn, "old notification marks could not be pruned", map[string]string{"error": perr.Error()})
	}
	return nil, nil
}

// apply takes the settings and (re)starts the webhook endpoint when its
// address changed.
func (c *connector) apply(ctx context.Context, h sdk.Host, s settings, g *graph) ([]sdk.FieldError, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal == nil || c.host != h {
		j, err := sdk.OpenJournal(ctx, h, "inbound")
		if err != nil {
			return nil, err
		}
		c.host, c.journal = h, j
	}
	c.cfg, c.g = s, g
	if c.addr == s.Listen && c.srv != nil {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.Listen)
	if err != nil {
		return []sdk.FieldError{{Field: "/listen", Code: "validation_address_unavailable",
			Message: "the webhook endpoint cannot listen on " + s.Listen + ": " + err.Error()}}, nil
	}
	if c.srv != nil {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = c.srv.Shutdown(sctx)
		cancel()
	}
	c.srv = &http.Server{Handler: c.routes(), ReadHeaderTimeout: 10 * time.Second}
	c.addr = s.Listen
	go func(srv *http.Server) { _ = srv.Serve(ln) }(c.srv)
	h.Log(ctx, sdk.LogInfo, "whatsapp webhook listening", map[string]string{"address": ln.Addr().String(), "path": webhookPath})
	return nil, nil
}

// log writes to the host's log. Callers pass codes, ids and counts: never
// customer text, never a secret.
func (c *connector) log(ctx context.Context, level sdk.LogLevel, msg string, fields map[string]string) {
	c.mu.Lock()
	h := c.host
	c.mu.Unlock()
	if h != nil {
		h.Log(ctx, level, msg, fields)
	}
}

// state returns what Configure set, or a channel error before it.
func (c *connector) state() (*graph, sdk.Host, *sdk.Journal, settings, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.journal == nil {
		return nil, nil, nil, settings{}, &sdk.ChannelError{Code: "not_configured", Message: "the WhatsApp number has no settings yet"}
	}
	return c.g, c.host, c.journal, c.cfg, nil
}

func (c *connector) Receive(ctx context.Context, after string, emit func(sdk.Event) error) error {
	_, _, j, _, err := c.state()
	if err != nil {
		return err
	}
	return j.Receive(ctx, after, emit)
}

func (c *connector) Ack(ctx context.Context, cursor string) error {
	_, _, j, _, err := c.state()
	if err != nil {
		return err
	}
	return j.Ack(ctx, cursor)
}

// Health reports a webhook endpoint that is not serving and the last
// failure to reach the Graph API.
func (c *connector) Health(context.Context) error {
	if _, _, _, _, err := c.state(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv == nil {
		return &sdk.ChannelError{Code: "webhook_not_listening", Message: "the webhook endpoint is not serving"}
	}
	return c.apiErr
}

// setAPIErr records how the last Graph API call went, for Health: a
// channel's refusal of one message is no outage, so only failures to
// reach the API or a refused token count.
func (c *connector) setAPIErr(err error) {
	code := codeOf(err)
	if err != nil && code != "channel_unreachable" && code != "channel_unavailable" && code != "token_invalid" {
		return
	}
	c.mu.Lock()
	c.apiErr = channelError(err)
	c.mu.Unlock()
}

// keyLocks serialises work per key (sends with the same idempotency key).
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	mu sync.Mutex
	n  int
}

func (k *keyLocks) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.n++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		if l.n--; l.n == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
