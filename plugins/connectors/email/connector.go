package main

import (
	"context"
	"errors"
	"sync"

	"switchboard/plugins/sdk"
)

// version is set at link time by release builds.
var version = "1.0.0"

type connector struct {
	// wake tells the reading session that the host acknowledged mail.
	wake  chan struct{}
	limit limiter
	// sendMu serialises Send so that one key is mailed once.
	sendMu sync.Mutex

	// mu guards the fields below.
	mu         sync.Mutex
	host       sdk.Host
	channelID  string
	cfg        settings
	configured bool
	// reconf is closed and replaced when the settings change, ending the
	// reading session so the next one uses them.
	reconf     chan struct{}
	acked      position
	channelErr *sdk.ChannelError // the mailbox's last failure, for Health
}

var (
	_ sdk.Connector     = (*connector)(nil)
	_ sdk.HealthChecker = (*connector)(nil)
)

func newConnector() *connector {
	return &connector{wake: make(chan struct{}, 1), reconf: make(chan struct{})}
}

func (c *connector) Describe(context.Context) (sdk.Description, error) {
	return sdk.Description{
		ID: "email", Name: "E-mail", Version: version, ChannelKind: "email",
		Capabilities: sdk.Capabilities{
			ReplyTo:        true,
			EmailThreading: true,
			Attachments:    &sdk.AttachmentLimits{MaxBytes: maxAttachBytes, MaxPerMessage: 10},
		},
		SettingsSchema: settingsSchema,
	}, nil
}

// snapshot is what one call works with, taken under mu.
type snapshot struct {
	host      sdk.Host
	channelID string
	cfg       settings
	reconf    <-chan struct{}
}

func (c *connector) current() (snapshot, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.configured {
		return snapshot{}, &sdk.ChannelError{Code: "not_configured", Message: "the mailbox has no settings yet"}
	}
	return snapshot{host: c.host, channelID: c.channelID, cfg: c.cfg, reconf: c.reconf}, nil
}

// Configure checks the settings by logging in to both servers. A refusal
// (wrong password, untrusted certificate, missing folder) is a field error.
// A server that cannot be reached is one too, unless these very settings
// worked before: then it is a passing outage that the reading loop rides
// out, and Health reports it.
func (c *connector) Configure(ctx context.Context, req sdk.ConfigureRequest) ([]sdk.FieldError, error) {
	s, fes := parseSettings(req.Settings)
	if len(fes) > 0 {
		return fes, nil
	}
	if req.Host == nil {
		return nil, errors.New("configure: the host offers no services; the connector keeps its threads there")
	}
	worked, _, err := req.Host.StateGet(ctx, "settings_verified")
	if err != nil {
		return nil, err
	}
	fp := s.fingerprint()
	for _, se := range verifyServers(ctx, s) {
		if se.Definitive || string(worked) != fp {
			fes = append(fes, se.fieldError())
			continue
		}
		req.Host.Log(ctx, sdk.LogWarn, "mail server unreachable; the channel keeps trying",
			map[string]string{"code": se.Code, "field": se.Field, "error": se.Err.Error()})
	}
	if len(fes) > 0 {
		return fes, nil
	}
	if err := req.Host.StatePut(ctx, "settings_verified", []byte(fp)); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	changed := !c.configured || c.cfg.fingerprint() != fp || c.host != req.Host
	c.host, c.channelID, c.cfg, c.configured = req.Host, req.ChannelID, s, true
	if changed {
		close(c.reconf)
		c.reconf = make(chan struct{})
	}
	req.Host.Log(ctx, sdk.LogInfo, "mailbox configured", map[string]string{
		"imap": s.IMAP.addr(), "smtp": s.SMTP.addr(), "folder": s.IMAP.Folder, "after_processing": s.IMAP.AfterProcessing})
	return nil, nil
}

// verifyServers logs in to IMAP (and creates the folder processed mail
// moves to) and to SMTP, returning what went wrong.
func verifyServers(ctx context.Context, s settings) []*serverError {
	var errs []*serverError
	if mb, err := openMailbox(ctx, s); err != nil {
		errs = append(errs, classifyErr("/imap", "connect", err))
	} else {
		if s.IMAP.AfterProcessing == afterMove {
			if err := mb.ensureFolder(s.IMAP.MoveTo); err != nil {
				errs = append(errs, &serverError{Field: "/imap/move_to", Code: "folder_unavailable", Definitive: true, Err: err,
					Msg: "the folder for processed mail cannot be created"})
			}
		}
		mb.close()
	}
	if c, se := smtpSession(ctx, s); se != nil {
		errs = append(errs, se)
	} else {
		_ = c.Quit()
	}
	return errs
}

func (c *connector) setChannelErr(err *sdk.ChannelError) {
	c.mu.Lock()
	c.channelErr = err
	c.mu.Unlock()
}

// Health reports the mailbox's last failure as the channel's, so the host
// shows it instead of restarting a connector that works.
func (c *connector) Health(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.channelErr != nil {
		return c.channelErr
	}
	return nil
}
