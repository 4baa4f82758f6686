package integration

import (
	"context"
	"errors"
	"strings"
	"testing"

	"switchboard/app/syncclient"
	"switchboard/inbox"
	"switchboard/server/mailer/smtptest"
	"switchboard/wire"
)

// The desktop's calls for the SMTP settings and the export by e-mail, as
// the real server answers them.
func TestTheDesktopsExportAgainstTheRealServer(t *testing.T) {
	base := teamServer(t)
	ctx := context.Background()
	mail := smtptest.Start(t, smtptest.Options{})
	admin := adminAs(t, base, "admin@demo.switchboard")
	taras := adminAs(t, base, "taras@demo.switchboard")

	req := wire.ExportEmailRequest{ExportRequest: inbox.ExportRequest{To: "boss@example.com", Subject: "Dialog 4"}}
	if _, err := taras.ExportEmail(ctx, "dl-demo-04", req); syncclient.CodeOf(err) != "export.smtp_not_configured" {
		t.Fatalf("export before SMTP is set = %v, want export.smtp_not_configured", err)
	}
	pw := "relay-pass"
	_, err := admin.SaveSMTP(ctx, wire.SMTPSettings{Host: "127.0.0.1", Port: mail.Port, Security: wire.SMTPNone,
		Username: "", Password: &pw, From: "shop@demo.switchboard"})
	var se *syncclient.Error
	if !errors.As(err, &se) || se.Fields["username"] != "required" {
		t.Fatalf("a password without a user = %v, want a refusal naming username", err)
	}
	saved, err := admin.SaveSMTP(ctx, wire.SMTPSettings{Host: "127.0.0.1", Port: mail.Port, Security: wire.SMTPNone, From: "shop@demo.switchboard"})
	if err != nil || saved.Host != "127.0.0.1" || saved.PasswordSet {
		t.Fatalf("SaveSMTP = %+v, %v", saved, err)
	}
	if got, err := admin.SMTP(ctx); err != nil || got.Port != mail.Port || got.From != "shop@demo.switchboard" {
		t.Fatalf("SMTP = %+v, %v", got, err)
	}
	if _, err := taras.SMTP(ctx); syncclient.CodeOf(err) != "auth.forbidden" {
		t.Errorf("an operator reading SMTP = %v, want auth.forbidden", err)
	}
	res, err := taras.ExportEmail(ctx, "dl-demo-04", req)
	if err != nil || res.To != "boss@example.com" || res.Messages != 3 {
		t.Fatalf("ExportEmail = %+v, %v; want 3 messages to boss@example.com", res, err)
	}
	if m := mail.Mails(); len(m) != 1 || !strings.Contains(string(m[0].Data), "Subject: Dialog 4") {
		t.Fatalf("the SMTP server got %d mails", len(m))
	}
}
