package main

import (
	"context"
	"errors"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

// version is set at link time by release builds.
var version = "1.0.0"

type connector struct {
	sends keyLocks

	// mu guards the fields below.
	mu      sync.Mutex
	host    sdk.Host
	cfg     settings
	api     *api
	botName string
	// acked is the newest position the host acknowledged; ackWake is
	// closed and replaced on every Ack.
	acked   position
	ackWake chan struct{}
	// pollErr is the last failure of the update poll, nil once it works.
	pollErr error
	// recvCancel and recvDone belong to the running Receive: one at a
	// time, since Telegram ends a second poller's call with 409.
	recvCancel context.CancelFunc
	recvDone   chan struct{}
}

var (
	_ sdk.Connector     = (*connector)(nil)
	_ sdk.Editor        = (*connector)(nil)
	_ sdk.Deleter       = (*connector)(nil)
	_ sdk.HealthChecker = (*connector)(nil)
	_ sdk.TypingSender  = (*connector)(nil)
)

func newConnector() *connector { return &connector{ackWake: make(chan struct{})} }

// Telegram's limits (https://core.telegram.org/bots/api): a bot may edit
// its messages at any time and delete them for 48 hours; it uploads files
// up to 50 MB.
const (
	deleteWindow  = 48 * time.Hour
	maxUpload     = 50 << 20
	maxPhotoBytes = 10 << 20
	maxTextRunes  = 4096
	maxCaption    = 1024
)

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{
		ID: "telegram", Name: "Telegram bot", Version: version, ChannelKind: "messenger",
		Capabilities: sdk.Capabilities{
			EditWindow:   -1,
			DeleteWindow: deleteWindow,
			ReplyTo:      true,
			// The bot shows the customer "typing…" while an operator
			// types (Telegram tells bots nothing of the customer's).
			Typing:      true,
			Attachments: &sdk.AttachmentLimits{MaxBytes: maxUpload, MaxPerMessage: 10},
		},
		SettingsSchema: settingsSchema,
	}, nil
}

// Configure checks the settings and the token: getMe must accept it. A
// token Telegram refuses is a field error on /token; a Telegram that
// cannot be reached right now is not a settings problem, so the settings
// are taken and Health reports the outage until the poll gets through.
func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	s, fes := parseSettings(req.Settings)
	if len(fes) > 0 {
		return fes, nil
	}
	if req.Host == nil {
		return nil, errors.New("configure: the host offers no services; the connector keeps its state there")
	}
	a, err := newAPI(s)
	if err != nil {
		return []sdk.FieldError{{Field: "/token", Code: "validation_token_format", Message: err.Error()}}, nil
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var name string
	err = a.call(cctx, "getMe", func(ctx context.Context) error {
		me, err := a.bot.GetMe(ctx)
		if err == nil {
			name = "@" + me.Username
		}
		return err
	})
	switch code := codeOf(err); {
	case err == nil:
	case code == "token_invalid":
		return []sdk.FieldError{{Field: "/token", Code: "token_invalid",
			Message: "Telegram does not accept this bot token; copy it again from @BotFather (/mybots, API Token)"}}, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		req.Host.Log(ctx, sdk.LogWarn, "Telegram did not answer getMe; the settings are kept and the connector keeps trying",
			map[string]string{"code": code, "api_url": s.APIURL, "error": err.Error()})
	}
	c.mu.Lock()
	c.host, c.cfg, c.api, c.botName = req.Host, s, a, name
	c.mu.Unlock()
	c.setPollErr(channelError(err))
	if err == nil {
		req.Host.Log(ctx, sdk.LogInfo, "telegram bot connected", map[string]string{"bot": name})
	}
	return nil, nil
}

// state returns what Configure set, or a channel error before it.
func (c *connector) state() (*api, sdk.Host, settings, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api == nil {
		return nil, nil, settings{}, &sdk.ChannelError{Code: "not_configured", Message: "the bot has no settings yet"}
	}
	return c.api, c.host, c.cfg, nil
}

// log writes to the host's log. Callers pass codes, ids and counts: never
// customer text, never the token.
func (c *connector) log(ctx context.Context, level sdk.LogLevel, msg string, fields map[string]string) {
	c.mu.Lock()
	h := c.host
	c.mu.Unlock()
	if h != nil {
		h.Log(ctx, level, msg, fields)
	}
}

// Health reports the last poll failure (a revoked token, Telegram out of
// reach, another program polling the same bot) as a channel error.
func (c *connector) Health(context.Context) error {
	if _, _, _, err := c.state(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pollErr
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
