// Package transcript renders a conversation for people outside the app: a
// self-contained HTML page (every customer and colleague text escaped, no
// script, no outside resource) and the same as plain text. The team server
// mails it (an export by e-mail); the desktop saves it as a file.
//
// It imports of ours only inbox, so both sides render the same page.
package transcript

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"switchboard/inbox"
)

// Transcript is a conversation ready to render.
type Transcript struct {
	Lang     string // "en", "ru" or "uk"
	Title    string
	Client   string
	Channel  string
	Line     string
	Exported string // when, formatted
	Entries  []Entry
	words    words
}

// Entry is one message as the transcript shows it.
type Entry struct {
	Kind        string // inbound, outbound, comment, note, system
	Author      string
	Label       string // what the author was: customer, operator, comment...
	At          string // formatted
	Stamp       string // RFC 3339, for <time datetime>
	Text        string
	Deleted     bool
	Attachments []File
}

// File is an attachment as listed (its bytes stay on the server).
type File struct {
	Name string
	Size string
}

// Input is what a transcript is built from.
type Input struct {
	Org        *inbox.Org
	Dialog     *inbox.Dialog
	ClientName string
	// Messages are the exported messages, oldest first.
	Messages []*inbox.Message
	Lang     string
	// Location is the reader's time zone (UTC when nil).
	Location *time.Location
	Now      time.Time
}

const stampLayout = "2006-01-02 15:04"

// Build makes the transcript of in.
func Build(in Input) *Transcript {
	w := wordsFor(in.Lang)
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	d := in.Dialog
	t := &Transcript{Lang: w.lang, Title: fmt.Sprintf(w.title, d.Number, in.ClientName), Client: in.ClientName,
		Exported: in.Now.In(loc).Format(stampLayout + " MST"), words: w}
	if ch := in.Org.Channels[d.ChannelID]; ch != nil {
		t.Channel = ch.Name
	}
	if l := in.Org.Lines[d.LineID]; l != nil {
		t.Line = l.Name
	}
	for _, m := range in.Messages {
		e := Entry{Kind: string(m.Kind), Label: w.kinds[m.Kind], At: m.CreatedAt.In(loc).Format(stampLayout),
			Stamp: m.CreatedAt.UTC().Format(time.RFC3339), Text: m.Text, Deleted: !m.DeletedAt.IsZero()}
		switch m.Kind {
		case inbox.MsgInbound:
			e.Author = in.ClientName
		case inbox.MsgSystem:
			e.Author = "Switchboard"
		default:
			e.Author = m.AuthorID
			if op := in.Org.Operators[m.AuthorID]; op != nil {
				e.Author = op.Name
			}
		}
		if e.Deleted {
			e.Text = ""
		}
		for _, a := range m.Attachments {
			e.Attachments = append(e.Attachments, File{Name: a.Name, Size: size(a.Size)})
		}
		t.Entries = append(t.Entries, e)
	}
	return t
}

// size says a file's size in the units people read.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", (n+1<<9)>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// page is the HTML. html/template escapes every value for where it lands,
// so a customer's "<script>" is text. The Content-Security-Policy keeps
// the saved file from loading or running anything even if opened in a
// browser that is given more than this page.
var page = template.Must(template.New("transcript").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{.Title}}</title>
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1c2430;margin:24px auto;max-width:760px;padding:0 16px}
h1{font-size:20px;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;color:#56606e;margin:0 0 20px}
dd{margin:0}
ol{list-style:none;padding:0;margin:0}
li.msg{border-radius:8px;padding:8px 12px;margin:0 0 10px;background:#f3f5f8}
li.outbound{background:#e5f0ff}
li.comment{background:#fff6d9}
li.note{background:#f0ebff}
li.system{background:none;color:#56606e;font-size:13px;text-align:center}
.meta{font-size:12px;color:#56606e;margin-bottom:2px}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.deleted{font-style:italic;color:#8a93a0}
ul.files{margin:4px 0 0;padding-left:18px;font-size:13px}
footer{margin-top:24px;font-size:12px;color:#8a93a0}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<dl>
<dt>{{.Words.Client}}</dt><dd>{{.Client}}</dd>
{{if .Channel}}<dt>{{.Words.Channel}}</dt><dd>{{.Channel}}</dd>{{end}}
{{if .Line}}<dt>{{.Words.Line}}</dt><dd>{{.Line}}</dd>{{end}}
<dt>{{.Words.Exported}}</dt><dd>{{.Exported}}</dd>
</dl>
<ol>
{{range .Entries}}<li class="msg {{.Kind}}">
<div class="meta"><strong>{{.Author}}</strong> · {{.Label}} · <time datetime="{{.Stamp}}">{{.At}}</time></div>
{{if .Deleted}}<div class="text deleted">{{$.Words.Deleted}}</div>{{else}}<div class="text">{{.Text}}</div>{{end}}
{{if .Attachments}}<ul class="files">{{range .Attachments}}<li>{{$.Words.Attachment}}: {{.Name}} ({{.Size}})</li>{{end}}</ul>{{end}}
</li>
{{end}}</ol>
<footer>{{.Words.Footer}}</footer>
</body>
</html>
`))

// Words are the page's own words in the transcript's language.
func (t *Transcript) Words() Words { return t.words.Words }

// HTML renders the page.
func (t *Transcript) HTML() []byte {
	var b bytes.Buffer
	if err := page.Execute(&b, t); err != nil {
		// The template and its data are ours; a failure is a bug.
		panic(fmt.Sprintf("transcript: render: %v", err))
	}
	return b.Bytes()
}

// Text renders the plain-text version.
func (t *Transcript) Text() string {
	var b strings.Builder
	w := t.words
	fmt.Fprintf(&b, "%s\n\n%s: %s\n", t.Title, w.Client, t.Client)
	if t.Channel != "" {
		fmt.Fprintf(&b, "%s: %s\n", w.Channel, t.Channel)
	}
	if t.Line != "" {
		fmt.Fprintf(&b, "%s: %s\n", w.Line, t.Line)
	}
	fmt.Fprintf(&b, "%s: %s\n", w.Exported, t.Exported)
	for _, e := range t.Entries {
		fmt.Fprintf(&b, "\n[%s] %s (%s):\n", e.At, e.Author, e.Label)
		if e.Deleted {
			b.WriteString(w.Deleted + "\n")
		} else if e.Text != "" {
			b.WriteString(strings.TrimRight(e.Text, "\n") + "\n")
		}
		for _, f := range e.Attachments {
			fmt.Fprintf(&b, "%s: %s (%s)\n", w.Attachment, f.Name, f.Size)
		}
	}
	fmt.Fprintf(&b, "\n-- \n%s\n", w.Footer)
	return b.String()
}
