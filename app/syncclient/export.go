package syncclient

import (
	"context"
	"net/http"

	"switchboard/wire"
)

// SMTP returns the workspace's SMTP settings (without the password).
func (a *Admin) SMTP(ctx context.Context) (wire.SMTPSettings, error) {
	var out wire.SMTPSettings
	err := a.api.do(ctx, http.MethodGet, "/api/v1/admin/smtp", nil, nil, &out)
	return out, err
}

// SaveSMTP replaces the workspace's SMTP settings; a nil Password keeps
// the saved one.
func (a *Admin) SaveSMTP(ctx context.Context, s wire.SMTPSettings) (wire.SMTPSettings, error) {
	var out wire.SMTPSettings
	err := a.api.do(ctx, http.MethodPut, "/api/v1/admin/smtp", nil, s, &out)
	return out, err
}

// ExportEmail asks the team server to mail a dialog's conversation (the
// server holds the SMTP settings and sends).
func (a *Admin) ExportEmail(ctx context.Context, dialogID string, req wire.ExportEmailRequest) (wire.ExportEmailResponse, error) {
	var out wire.ExportEmailResponse
	if err := checkID(dialogID); err != nil {
		return out, err
	}
	err := a.api.do(ctx, http.MethodPost, "/api/v1/dialogs/"+dialogID+"/export/email", nil, req, &out)
	return out, err
}
