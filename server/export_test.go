package server

import (
	"encoding/json"
	"net"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"switchboard/inbox"
	"switchboard/server/mailer/smtptest"
	"switchboard/wire"
)

// htmlText returns the element names a browser builds from page and the
// text it shows.
func htmlText(t *testing.T, page string) (map[string]int, string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]int{}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			tags[n.Data]++
		} else if n.Type == html.TextNode && n.Parent != nil && n.Parent.Data != "style" {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return tags, b.String()
}

func TestExportByEmail(t *testing.T) {
	both(t, func(t *testing.T, e *env) {
		const password = "pw-Секрет-42"
		mail := smtptest.Start(t, smtptest.Options{Users: map[string]string{"shop": password}})
		taras, admin, anna := e.login("taras@demo.switchboard"), e.login("admin@demo.switchboard"), e.login("anna@demo.switchboard")
		export := func(token, dialog string, req wire.ExportEmailRequest) (int, []byte) {
			return e.call("POST", "/api/v1/dialogs/"+dialog+"/export/email", token, req)
		}
		whole := wire.ExportEmailRequest{ExportRequest: inbox.ExportRequest{To: "Boss <boss@example.com>", Subject: "Розмова №9 <важливо>", Language: "uk"},
			TimeZone: "Europe/Kyiv"}

		// Before an admin sets SMTP up, the export is refused in words.
		code, body := export(taras, "dl-demo-09", whole)
		wantError(t, "export without SMTP settings", code, body, 409, "export.smtp_not_configured")
		if !strings.Contains(string(body), "SMTP") {
			t.Errorf("the refusal %s does not say what is missing", body)
		}

		// Only those who manage channels see or set the SMTP server.
		pw := password
		settings := wire.SMTPSettings{Host: "127.0.0.1", Port: mail.Port, Security: wire.SMTPNone, Username: "shop", Password: &pw,
			From: "Demo Shop <support@demo.switchboard>"}
		code, body = e.call("PUT", "/api/v1/admin/smtp", taras, settings)
		wantError(t, "an operator setting SMTP", code, body, 403, "auth.forbidden")
		code, body = e.call("GET", "/api/v1/admin/smtp", taras, nil)
		wantError(t, "an operator reading SMTP", code, body, 403, "auth.forbidden")
		bad := settings
		bad.Security = "ssl"
		code, body = e.call("PUT", "/api/v1/admin/smtp", admin, bad)
		wantError(t, "an unknown encryption", code, body, 422, "validation.invalid")
		if !strings.Contains(string(body), `"security"`) {
			t.Errorf("the refusal %s does not name the field", body)
		}
		if code, body = e.call("PUT", "/api/v1/admin/smtp", admin, settings); code != 200 {
			t.Fatalf("saving SMTP settings = %d %s", code, body)
		}
		code, body = e.call("GET", "/api/v1/admin/smtp", admin, nil)
		var got wire.SMTPSettings
		_ = json.Unmarshal(body, &got)
		if code != 200 || got.Host != "127.0.0.1" || !got.PasswordSet || got.Password != nil || strings.Contains(string(body), password) {
			t.Fatalf("GET smtp = %d %s; want the settings with passwordSet and without the password", code, body)
		}
		// Saved again without a password: the saved one is kept.
		settings.Password = nil
		if code, body = e.call("PUT", "/api/v1/admin/smtp", admin, settings); code != 200 {
			t.Fatalf("saving SMTP settings again = %d %s", code, body)
		}
		// The password never reaches a replica.
		for _, tok := range []string{admin, taras} {
			for _, c := range e.pull(tok, 0) {
				if strings.Contains(string(c.Data), password) || strings.Contains(string(c.Data), "127.0.0.1:") {
					t.Fatalf("the change log carries the SMTP settings: %s %s", c.Kind, c.ID)
				}
			}
		}

		// Taras sends the demo's hostile website-chat dialog.
		code, body = export(taras, "dl-demo-09", whole)
		if code != 200 {
			t.Fatalf("export = %d %s", code, body)
		}
		var res wire.ExportEmailResponse
		if _ = json.Unmarshal(body, &res); res.To != "boss@example.com" || res.Messages != 1 {
			t.Errorf("export answered %s", body)
		}
		mails := mail.Mails()
		if len(mails) != 1 {
			t.Fatalf("the SMTP server received %d mails, want 1", len(mails))
		}
		m := mails[0]
		if m.From != "support@demo.switchboard" || len(m.To) != 1 || m.To[0] != "boss@example.com" || m.User != "shop" {
			t.Errorf("envelope from %q to %v as %q; want the workspace's sender to boss@example.com, logged in as shop", m.From, m.To, m.User)
		}
		p, err := smtptest.Parse(m.Data)
		if err != nil {
			t.Fatalf("parse the mail: %v\n%s", err, m.Data)
		}
		if p.Subject != "Розмова №9 <важливо>" || len(p.To) != 1 || p.To[0] != "boss@example.com" || p.ContentType != "multipart/alternative" {
			t.Errorf("mail: subject %q, to %v, %s", p.Subject, p.To, p.ContentType)
		}
		hostileText := "<script>window.pwned=1</script> hello <b>bold</b>"
		tags, text := htmlText(t, p.Parts["text/html"])
		for _, el := range []string{"script", "img", "b"} {
			if tags[el] > 0 {
				t.Errorf("the HTML builds <%s> from the customer's text:\n%s", el, p.Parts["text/html"])
			}
		}
		for _, want := range []string{hostileText, "<img src=x onerror=alert(1)>", "Діалог №9", "Site chat", "клієнт"} {
			if !strings.Contains(text, want) {
				t.Errorf("the HTML does not show %q as text; it shows %q", want, text)
			}
		}
		if !strings.Contains(p.Parts["text/plain"], hostileText) {
			t.Errorf("the plain text lacks the message: %q", p.Parts["text/plain"])
		}

		// A selection: Taras's own comment goes only when chosen.
		sel := whole
		sel.MessageIDs = []string{"dl-demo-04-m04"}
		if code, body = export(taras, "dl-demo-04", sel); code != 200 {
			t.Fatalf("export of a selection = %d %s", code, body)
		}
		p, _ = smtptest.Parse(mail.Mails()[1].Data)
		if !strings.Contains(p.Parts["text/plain"], "чи встигнемо") || strings.Contains(p.Parts["text/plain"], "Хрещатик") {
			t.Errorf("the selection's mail holds %q, want the comment only", p.Parts["text/plain"])
		}
		whole4 := whole
		if code, _ = export(taras, "dl-demo-04", whole4); code != 200 {
			t.Fatalf("export of dl-demo-04 = %d", code)
		}
		p, _ = smtptest.Parse(mail.Mails()[2].Data)
		if strings.Contains(p.Parts["text/plain"], "чи встигнемо") || !strings.Contains(p.Parts["text/plain"], "Хрещатик") {
			t.Errorf("the whole conversation's mail holds %q: want the customer and the answers, no internal comment", p.Parts["text/plain"])
		}

		// Refusals, each in words; nothing more is sent.
		badTo := whole
		badTo.To = "boss at example"
		code, body = export(taras, "dl-demo-09", badTo)
		wantError(t, "a bad recipient", code, body, 422, "export.bad_recipient")
		foreign := whole
		foreign.MessageIDs = []string{"dl-demo-01-m01"}
		code, body = export(taras, "dl-demo-09", foreign)
		wantError(t, "a message of another dialog", code, body, 422, "export.message_unknown")
		code, body = export(anna, "dl-demo-09", whole)
		wantError(t, "a dialog out of sight", code, body, 404, "dialog.not_found")
		if n := len(mail.Mails()); n != 3 {
			t.Errorf("refused exports sent mail: %d in all, want 3", n)
		}

		// The SMTP server goes away: the operator is told so.
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		settings.Port = ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if code, body = e.call("PUT", "/api/v1/admin/smtp", admin, settings); code != 200 {
			t.Fatalf("saving SMTP settings = %d %s", code, body)
		}
		code, body = export(taras, "dl-demo-09", whole)
		wantError(t, "an unreachable SMTP server", code, body, 502, "smtp.unreachable")
	})
}
