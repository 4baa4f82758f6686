package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"switchboard/plugins/sdk"
)

// version is set at link time by release builds.
var version = "1.0.0"

type connector struct {
	sends keyLocks

	// mu guards the fields below.
	mu        sync.Mutex
	host      sdk.Host
	cfg       settings
	api       *api
	community string
	// acked is the newest position the host acknowledged (ackedSet once
	// there is one); ackWake is closed and replaced on every Ack.
	acked    position
	ackedSet bool
	ackWake  chan struct{}
	// pollErr is the last failure of the long poll, nil once it works.
	pollErr error
	// recvCancel and recvDone belong to the running Receive: one at a time.
	recvCancel context.CancelFunc
	recvDone   chan struct{}
}

var (
	_ sdk.Connector     = (*connector)(nil)
	_ sdk.Editor        = (*connector)(nil)
	_ sdk.Deleter       = (*connector)(nil)
	_ sdk.ReadMarker    = (*connector)(nil)
	_ sdk.TypingSender  = (*connector)(nil)
	_ sdk.HealthChecker = (*connector)(nil)
)

func newConnector() *connector { return &connector{ackWake: make(chan struct{})} }

// VK's limits (https://dev.vk.com/ru/method/messages.send and the
// messages.edit and messages.delete pages): a community edits and deletes
// its messages for everyone within 24 hours; a message holds 4096
// characters and 10 attachments.
const (
	editWindow     = 24 * time.Hour
	deleteWindow   = 24 * time.Hour
	maxTextRunes   = 4096
	maxAttachments = 10
	maxUpload      = 50 << 20
)

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{
		ID: "vk", Name: "VK community messages", Version: version, ChannelKind: "messenger",
		Capabilities: sdk.Capabilities{
			EditWindow:   editWindow,
			DeleteWindow: deleteWindow,
			ReplyTo:      true,
			Attachments:  &sdk.AttachmentLimits{MaxBytes: maxUpload, MaxPerMessage: maxAttachments},
			Typing:       true,
			ReadReceipts: true,
		},
		SettingsSchema: settingsSchema,
	}, nil
}

// Configure checks the settings and the token: groups.getById must accept
// it and name the community of the settings, and the community's Bots
// Long Poll API must be on. VK out of reach is no settings problem: the
// settings are taken and Health reports the outage.
func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	s, fes := parseSettings(req.Settings)
	if len(fes) > 0 {
		return fes, nil
	}
	if req.Host == nil {
		return nil, errors.New("configure: the host offers no services; the connector keeps its state there")
	}
	a := newAPI(s)
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var got struct {
		Groups []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"groups"`
	}
	err := a.call(cctx, "groups.getById", url.Values{}, &got)
	if err == nil {
		switch {
		case len(got.Groups) == 0:
			err = &apiError{method: "groups.getById", status: 200, Msg: "no community in the answer"}
		case got.Groups[0].ID != s.GroupID:
			return []sdk.FieldError{{Field: "/group_id", Code: "group_id_mismatch",
				Message: "the access key belongs to community " + strconv.FormatInt(got.Groups[0].ID, 10) + ", not to this ID"}}, nil
		default:
			var lp longPoll
			lp, err = a.longPollServer(cctx)
			if err == nil {
				err = c.markStart(cctx, req.Host, lp.TS)
			}
			if codeOf(err) == "permission_denied" {
				return []sdk.FieldError{{Field: "/group_id", Code: "longpoll_disabled",
					Message: "turn the Bots Long Poll API on: community → Manage → API usage → Long Poll API, and tick the message events"}}, nil
			}
		}
	}
	switch code := codeOf(err); {
	case err == nil:
	case code == "token_invalid":
		return []sdk.FieldError{{Field: "/token", Code: "token_invalid",
			Message: "VK does not accept this access key; create a new one (Manage → API usage → Access tokens) with the Messages right"}}, nil
	case code == "permission_denied":
		return []sdk.FieldError{{Field: "/token", Code: "token_permission_missing",
			Message: "this is no community access key, or it lacks the Messages right"}}, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		req.Host.Log(ctx, sdk.LogWarn, "VK did not answer; the settings are kept and the connector keeps trying",
			map[string]string{"code": code, "api_url": s.APIURL, "error": err.Error()})
	}
	name := ""
	if len(got.Groups) > 0 {
		name = got.Groups[0].Name
	}
	c.mu.Lock()
	c.host, c.cfg, c.api, c.community = req.Host, s, a, name
	c.mu.Unlock()
	c.setPollErr(channelError(err))
	if err == nil {
		req.Host.Log(ctx, sdk.LogInfo, "vk community connected", map[string]string{"group_id": strconv.FormatInt(s.GroupID, 10)})
	}
	return nil, nil
}

// startKey holds the ts the channel's history starts at: the long poll's
// ts when the channel was first configured. A Receive with no cursor (the
// host has stored nothing yet) starts there, so nothing written between
// Configure and the first Receive, or before a crash that came before
// any Ack, is missed.
const startKey = "start_ts"

func (c *connector) markStart(ctx context.Context, h sdk.Host, ts string) error {
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return fmt.Errorf("groups.getLongPollServer gave ts %q", ts)
	}
	_, found, err := h.StateGet(ctx, startKey)
	if err != nil || found {
		return err
	}
	return h.StatePut(ctx, startKey, []byte(ts))
}

// state returns what Configure set, or a channel error before it.
func (c *connector) state() (*api, sdk.Host, settings, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api == nil {
		return nil, nil, settings{}, &sdk.ChannelError{Code: "not_configured", Message: "the community has no settings yet"}
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

// Health reports the last long poll failure (a revoked key, VK out of
// reach, the Long Poll API turned off) as a channel error.
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
