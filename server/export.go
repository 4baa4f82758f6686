package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"switchboard/inbox"
	"switchboard/server/mailer"
	"switchboard/transcript"
	"switchboard/wire"
)

// smtpSecret names the SMTP settings among the workspace's secrets.
const smtpSecret = "smtp"

// smtpConfig reads the SMTP settings; nil when none were saved.
func (s *Server) smtpConfig(ctx context.Context) (*mailer.Config, error) {
	b, err := s.st.WorkspaceSecret(ctx, smtpSecret)
	if err != nil || b == nil {
		return nil, err
	}
	var c mailer.Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Server) smtpAdmin(r *http.Request, op string) error {
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	if !org.Can(op, inbox.PermChannelsManage) {
		return errorf(http.StatusForbidden, "auth.forbidden", "Only operators who manage channels may see or change the SMTP settings.")
	}
	return nil
}

func smtpView(c *mailer.Config) wire.SMTPSettings {
	if c == nil {
		return wire.SMTPSettings{Port: 587, Security: wire.SMTPStartTLS}
	}
	return wire.SMTPSettings{Host: c.Host, Port: c.Port, Security: c.Security, Username: c.Username,
		PasswordSet: c.Password != "", From: c.From, CACert: c.CACert}
}

// getSMTP is GET /api/v1/admin/smtp: the settings without the password.
func (s *Server) getSMTP(w http.ResponseWriter, r *http.Request, op string) error {
	if err := s.smtpAdmin(r, op); err != nil {
		return err
	}
	c, err := s.smtpConfig(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, smtpView(c))
	return nil
}

// putSMTP is PUT /api/v1/admin/smtp: checks and saves the settings. A
// missing password keeps the saved one.
func (s *Server) putSMTP(w http.ResponseWriter, r *http.Request, op string) error {
	if err := s.smtpAdmin(r, op); err != nil {
		return err
	}
	var in wire.SMTPSettings
	if err := decodeJSON(w, r, 64<<10, &in); err != nil {
		return err
	}
	prev, err := s.smtpConfig(r.Context())
	if err != nil {
		return err
	}
	c := mailer.Config{Host: strings.TrimSpace(in.Host), Port: in.Port, Security: in.Security,
		Username: strings.TrimSpace(in.Username), From: strings.TrimSpace(in.From), CACert: strings.TrimSpace(in.CACert)}
	switch {
	case in.Password != nil:
		c.Password = *in.Password
	case prev != nil && prev.Username == c.Username:
		c.Password = prev.Password
	}
	if err := c.Check(); err != nil {
		var fe *mailer.FieldError
		if errors.As(err, &fe) {
			return fieldError(fe.Field, fe.Code, fe.Message)
		}
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := s.st.PutWorkspaceSecret(r.Context(), smtpSecret, b); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, smtpView(&c))
	return nil
}

// refusal answers a rule's refusal as 422 with its code, naming its field.
func refusal(ref *inbox.Refusal) error {
	e := errorf(http.StatusUnprocessableEntity, ref.Code, "%s", ref.Message)
	if f := ref.Args["field"]; f != "" {
		e.Body.Fields = map[string]string{f: ref.Code}
	}
	return e
}

// exportEmail is POST /api/v1/dialogs/{id}/export/email: the team server
// mails the conversation (or the selected messages) through the
// workspace's SMTP server, so no desktop ever holds its credentials.
func (s *Server) exportEmail(w http.ResponseWriter, r *http.Request, op string) error {
	d, err := s.visibleDialog(r, op)
	if err != nil {
		return err
	}
	var in wire.ExportEmailRequest
	if err := decodeJSON(w, r, 1<<20, &in); err != nil {
		return err
	}
	cfg, err := s.smtpConfig(r.Context())
	if err != nil {
		return err
	}
	if !cfg.Configured() {
		return errorf(http.StatusConflict, "export.smtp_not_configured",
			"Sending by e-mail is not set up: an administrator enters the SMTP server in the workspace settings (E-mail).")
	}
	to, err := in.CheckEmail()
	if ref, ok := inbox.AsRefusal(err); ok {
		return refusal(ref)
	}
	org, err := s.st.Org(r.Context())
	if err != nil {
		return err
	}
	all, err := s.st.Messages(r.Context(), d.ID)
	if err != nil {
		return err
	}
	msgs, err := inbox.ExportMessages(org, op, d, all, in.MessageIDs)
	if ref, ok := inbox.AsRefusal(err); ok {
		return refusal(ref)
	} else if err != nil {
		return err
	}
	cl, err := s.st.Client(r.Context(), d.ClientID)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil || in.TimeZone == "" {
		loc = time.UTC
	}
	now := s.cfg.Now()
	tr := transcript.Build(transcript.Input{Org: org, Dialog: d, ClientName: cl.Name(), Messages: msgs,
		Lang: in.Language, Location: loc, Now: now})
	data, err := cfg.Compose(mailer.Message{To: to, Subject: strings.TrimSpace(in.Subject), Text: tr.Text(), HTML: tr.HTML(), Date: now})
	if err != nil {
		return err
	}
	if err := cfg.Send(r.Context(), to, data); err != nil {
		var me *mailer.Error
		if errors.As(err, &me) {
			s.log.Warn("export not sent", "dialog", d.ID, "operator", op, "code", me.Code, "err", me.Err)
			return errorf(http.StatusBadGateway, me.Code, "%s", me.Message)
		}
		return err
	}
	s.log.Info("export sent", "dialog", d.ID, "operator", op, "to", to, "messages", len(msgs))
	writeJSON(w, http.StatusOK, wire.ExportEmailResponse{To: to, Messages: len(msgs)})
	return nil
}
