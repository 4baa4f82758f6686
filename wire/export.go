package wire

import "switchboard/inbox"

// How the team server speaks to the SMTP server of the export by e-mail.
const (
	SMTPStartTLS = "starttls" // plain connection upgraded with STARTTLS (port 587)
	SMTPTLS      = "tls"      // TLS from the first byte (port 465)
	SMTPNone     = "none"     // no encryption: only for a relay on a trusted network
)

// SMTPSettings is GET and PUT /api/v1/admin/smtp: the SMTP server the team
// server sends exports through. They live on the server only (never in the
// change log), so an operator's desktop never holds the password. The
// password is write-only: GET leaves it out and says PasswordSet; a PUT
// without Password keeps the saved one, an empty Password clears it.
type SMTPSettings struct {
	Host        string  `json:"host"`
	Port        int     `json:"port"`
	Security    string  `json:"security"` // SMTPStartTLS, SMTPTLS or SMTPNone
	Username    string  `json:"username,omitempty"`
	Password    *string `json:"password,omitempty"`
	PasswordSet bool    `json:"passwordSet"`
	// From is the sender's address, optionally with a name:
	// "Demo Shop <support@example.com>".
	From string `json:"from"`
	// CACert is an extra PEM authority to trust (a company's own CA).
	CACert string `json:"caCert,omitempty"`
}

// ExportEmailRequest is POST /api/v1/dialogs/{id}/export/email: send the
// whole conversation (no MessageIDs) or the selected messages to one
// address, through the workspace's SMTP settings.
type ExportEmailRequest struct {
	inbox.ExportRequest
	// TimeZone is the IANA name the transcript's times are shown in (the
	// operator's); UTC when empty or unknown.
	TimeZone string `json:"timeZone,omitempty"`
}

// ExportEmailResponse says what was sent.
type ExportEmailResponse struct {
	To       string `json:"to"`
	Messages int    `json:"messages"`
}
