package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"switchboard/app/syncclient"
	"switchboard/inbox"
	"switchboard/transcript"
	"switchboard/wire"
)

// ExportRequest is what the export panel asks for: the whole conversation
// (no MessageIDs) or the selected messages; To and Subject for e-mail.
type ExportRequest struct {
	To         string   `json:"to"`
	Subject    string   `json:"subject"`
	MessageIDs []string `json:"messageIds"`
	// Language of the transcript's headings ("en", "ru", "uk"): the UI's.
	Language string `json:"language"`
	// TimeZone is the operator's IANA zone, for the times in the mail.
	TimeZone string `json:"timeZone"`
}

// ExportResult says what was sent.
type ExportResult struct {
	To       string `json:"to"`
	Messages int    `json:"messages"`
}

// CodeExportOffline: sending by e-mail needs the team server, which sends.
const CodeExportOffline = "export.offline"

// ExportEmail sends the conversation by e-mail. The team server sends it
// with the workspace's SMTP settings, so this desktop never holds them;
// without the server there is no sending (the operator is told so).
func (s *Conversation) ExportEmail(dialogID string, req ExportRequest) (ExportResult, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return ExportResult{}, err
	}
	if _, err := rp.Dialog(ctx, dialogID); err != nil {
		return ExportResult{}, notFound(err)
	}
	r := inbox.ExportRequest{To: req.To, Subject: req.Subject, MessageIDs: req.MessageIDs, Language: req.Language}
	if _, err := r.CheckEmail(); err != nil {
		return ExportResult{}, toUI(err) // said at once, even offline
	}
	api, err := s.c.admin(ctx)
	if err != nil {
		return ExportResult{}, err
	}
	res, err := api.ExportEmail(ctx, dialogID, wire.ExportEmailRequest{ExportRequest: r, TimeZone: req.TimeZone})
	if err != nil {
		if ue, ok := toUI(err).(*UIError); ok && ue.Code == syncclient.CodeUnreachable {
			return ExportResult{}, uiError(CodeExportOffline, "", err)
		}
		return ExportResult{}, toUI(err)
	}
	return ExportResult{To: res.To, Messages: res.Messages}, nil
}

// transcript builds the conversation (or the selected messages) that
// SaveTranscript writes: from the replica, so it works offline.
func (s *Conversation) transcript(ctx context.Context, dialogID string, ids []string, lang string) (*transcript.Transcript, *inbox.Dialog, error) {
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, nil, err
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return nil, nil, notFound(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return nil, nil, toUI(err)
	}
	all, err := rp.DialogMessages(ctx, dialogID)
	if err != nil {
		return nil, nil, toUI(err)
	}
	ptrs := make([]*inbox.Message, len(all))
	for i := range all {
		ptrs[i] = &all[i]
	}
	msgs, err := inbox.ExportMessages(org, me, d, ptrs, ids)
	if err != nil {
		return nil, nil, toUI(err)
	}
	card, _ := rp.Client(ctx, d.ClientID)
	return transcript.Build(transcript.Input{Org: org, Dialog: d, ClientName: card.Client.Name(), Messages: msgs,
		Lang: lang, Location: time.Local, Now: time.Now()}), d, nil
}

// SaveTranscript asks where to save the conversation (or the selected
// messages) as an HTML file and writes it there. It returns the file's
// path, or "" when the operator cancelled.
func (s *Conversation) SaveTranscript(dialogID string, messageIDs []string, lang string) (string, error) {
	ctx := context.Background()
	tr, d, err := s.transcript(ctx, dialogID, messageIDs, lang)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("dialog-%d.html", d.Number)
	if d.Number == 0 {
		name = "dialog-" + strings.SplitN(d.ID, "-", 2)[0] + ".html"
	}
	path, err := s.c.askSavePath(name, tr.Title)
	if err != nil || path == "" {
		return "", err
	}
	if filepath.Ext(path) == "" {
		path += ".html"
	}
	if err := os.WriteFile(path, tr.HTML(), 0o600); err != nil {
		return "", uiError(CodeSaveFailed, err.Error(), err)
	}
	return path, nil
}

// CodeSaveFailed: the file could not be written where the operator chose.
const CodeSaveFailed = "export.save_failed"

// askSavePath opens the save dialog, unless the dev build's test hook
// answered it already.
func (c *core) askSavePath(name, title string) (string, error) {
	c.mu.Lock()
	path := c.savePath
	c.savePath = ""
	c.mu.Unlock()
	if path != "" {
		return path, nil
	}
	if c.saveDialog == nil {
		return "", uiError(CodeInternal, "no save dialog", nil)
	}
	path, err := c.saveDialog(name, title)
	if err != nil {
		return "", uiError(CodeSaveFailed, err.Error(), err)
	}
	return path, nil
}

// SMTPSettings returns the workspace's SMTP server for the export by
// e-mail, as the team server holds it (never the password).
func (s *Admin) SMTPSettings() (wire.SMTPSettings, error) {
	ctx := context.Background()
	api, err := s.c.admin(ctx)
	if err != nil {
		return wire.SMTPSettings{}, err
	}
	out, err := api.SMTP(ctx)
	return out, toUI(err)
}

// SaveSMTPSettings replaces the SMTP settings; a nil password keeps the
// saved one. A refusal names the field it is about.
func (s *Admin) SaveSMTPSettings(set wire.SMTPSettings) (wire.SMTPSettings, error) {
	ctx := context.Background()
	api, err := s.c.admin(ctx)
	if err != nil {
		return wire.SMTPSettings{}, err
	}
	out, err := api.SaveSMTP(ctx, set)
	return out, toUI(err)
}
