package inbox

import (
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"
)

// Exporting a conversation: an operator sends it by e-mail (the team server
// sends, with the workspace's SMTP settings) or saves it as a file. It
// changes nothing, so it is no command; these are its rules, the same on
// the server and the desktop.

// MaxExportMessages bounds a selection of messages to export.
const MaxExportMessages = 5000

// ExportRequest is what to export and, for e-mail, where to send it.
type ExportRequest struct {
	// MessageIDs are the selected messages; empty means the whole
	// conversation.
	MessageIDs []string `json:"messageIds,omitempty"`
	To         string   `json:"to,omitempty"`
	Subject    string   `json:"subject,omitempty"`
	// Language of the transcript's headings: "en", "ru" or "uk".
	Language string `json:"language,omitempty"`
}

// CheckEmail checks the recipient (one address) and the subject (one line,
// up to 200 characters) of an export by e-mail; it returns the recipient's
// bare address.
func (r *ExportRequest) CheckEmail() (string, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(r.To))
	if err != nil || strings.ContainsAny(addr.Address, "\r\n") {
		return "", &Refusal{Code: "export.bad_recipient", Message: "Enter one e-mail address, like anna@example.com.", Args: map[string]string{"field": "to"}}
	}
	s := strings.TrimSpace(r.Subject)
	switch {
	case s == "":
		return "", &Refusal{Code: "export.no_subject", Message: "Enter a subject.", Args: map[string]string{"field": "subject"}}
	case utf8.RuneCountInString(s) > 200 || strings.ContainsAny(s, "\r\n"):
		return "", &Refusal{Code: "export.bad_subject", Message: "The subject is one line of up to 200 characters.", Args: map[string]string{"field": "subject"}}
	}
	return addr.Address, nil
}

// ExportMessages picks what an operator exports of a dialog it sees, from
// the dialog's messages (oldest first). The whole conversation is what the
// customer and the team said to each other and the system's lines: internal
// comments and private notes go only when selected, and a private note only
// by its author. A selection naming a message not in the dialog, or one the
// operator may not read, is refused.
func ExportMessages(org *Org, actorID string, d *Dialog, msgs []*Message, ids []string) ([]*Message, error) {
	if !org.SeesDialog(actorID, d) {
		return nil, &Refusal{Code: "dialog.not_found", Message: "There is no such dialog, or it is not yours to see.", Args: map[string]string{"dialog": d.ID}}
	}
	if len(ids) > MaxExportMessages {
		return nil, &Refusal{Code: "export.too_many", Message: "Select at most 5000 messages.", Args: map[string]string{"max": itoa(MaxExportMessages)}}
	}
	var out []*Message
	if len(ids) == 0 {
		for _, m := range msgs {
			if m.DialogID == d.ID && m.Kind != MsgComment && m.Kind != MsgNote {
				out = append(out, m)
			}
		}
	} else {
		want := map[string]bool{}
		for _, id := range ids {
			want[id] = true
		}
		for _, m := range msgs {
			if want[m.ID] && m.DialogID == d.ID && org.SeesMessage(actorID, m) {
				out = append(out, m)
				delete(want, m.ID)
			}
		}
		if len(want) > 0 {
			return nil, &Refusal{Code: "export.message_unknown", Message: "A selected message is not in this dialog, or not yours to read."}
		}
	}
	if len(out) == 0 {
		return nil, Refuse("export.empty", "There is nothing to export in this dialog.")
	}
	return slices.Clip(out), nil
}
