package main

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// htmlPolicy keeps what user-generated content may hold (no scripts, event
// handlers, styles or javascript: links). The HTML is sanitised on arrival,
// before anything else reads it, so nothing the sender wrote can run
// wherever the text later goes.
var htmlPolicy = bluemonday.UGCPolicy()

func sanitiseHTML(s string) string { return htmlPolicy.Sanitize(s) }

// htmlToText renders sanitised HTML as plain text: blocks become lines,
// lists get bullets, links show their address, quotes get "> ".
func htmlToText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return ""
	}
	w := &textWriter{}
	w.walk(doc)
	w.endLine()
	return blankRuns.ReplaceAllString(w.out.String(), "\n\n")
}

var blankRuns = regexp.MustCompile(`\n{3,}`)

type textWriter struct {
	out   strings.Builder
	line  strings.Builder
	quote int // blockquote depth
	pre   int // inside <pre>
	space bool
}

var blockTags = map[string]bool{
	"p": true, "div": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"ul": true, "ol": true, "li": true, "table": true, "tr": true, "pre": true, "blockquote": true,
	"section": true, "article": true, "header": true, "footer": true, "dl": true, "dt": true, "dd": true,
}

func (w *textWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			w.walk(c)
		}
		return
	}
	tag := n.Data
	switch tag {
	case "script", "style", "head", "title", "noscript", "template":
		return
	case "br":
		w.endLine()
		return
	case "hr":
		w.endLine()
		w.line.WriteString("---")
		w.endLine()
		return
	case "img":
		if alt := attr(n, "alt"); strings.TrimSpace(alt) != "" {
			w.text("[" + alt + "]")
		}
		return
	}
	if blockTags[tag] {
		w.endLine()
	}
	switch tag {
	case "blockquote":
		w.quote++
	case "pre":
		w.pre++
	case "li":
		w.line.WriteString("• ")
	case "td", "th":
		if w.line.Len() > 0 {
			w.text(" ")
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	switch tag {
	case "blockquote":
		w.endLine()
		w.quote--
	case "pre":
		w.pre--
	case "a":
		href := attr(n, "href")
		if (strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://")) && !strings.Contains(textOf(n), href) {
			w.text(" (" + href + ")")
		}
	case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol":
		w.endLine()
		w.out.WriteString(w.prefix() + "\n")
	}
	if blockTags[tag] {
		w.endLine()
	}
}

func (w *textWriter) text(s string) {
	if w.pre > 0 {
		for i, l := range strings.Split(s, "\n") {
			if i > 0 {
				w.endLine()
			}
			w.line.WriteString(l)
		}
		return
	}
	for i, f := range strings.Fields(s) {
		if (i > 0 || w.space || startsWithSpace(s)) && w.line.Len() > 0 {
			w.line.WriteByte(' ')
		}
		w.line.WriteString(f)
		w.space = false
	}
	if len(s) > 0 && endsWithSpace(s) {
		w.space = true
	}
}

func (w *textWriter) prefix() string { return strings.Repeat("> ", w.quote) }

func (w *textWriter) endLine() {
	if w.line.Len() > 0 {
		w.out.WriteString(w.prefix() + w.line.String() + "\n")
		w.line.Reset()
	}
	w.space = false
}

func startsWithSpace(s string) bool { return strings.TrimLeft(s, " \t\r\n") != s }
func endsWithSpace(s string) bool   { return strings.TrimRight(s, " \t\r\n") != s }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// Lines that introduce quoted history, in the languages of our market and
// the common clients' words.
var (
	attribution = regexp.MustCompile(`(?i)^(on\b.{5,200}\bwrote:|.{5,200}\s(пишет|написал\(а\)|написала|написал|пише|написав\(ла\)|написав|schrieb|a écrit|escribió)\s*:)\s*$`)
	separator   = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|исходное сообщение|вихідне повідомлення|ursprüngliche nachricht)\s*-{2,}\s*$`)
	outlookRule = regexp.MustCompile(`^_{20,}$`)
	headerLine  = regexp.MustCompile(`(?i)^(from|от|від|von):\s`)
)

// foldQuoted cuts the quoted history a reply drags along (the operator has
// it in the dialog already): from the "On ... wrote:" line, an "Original
// Message" separator, an Outlook header block, or a trailing run of "> "
// lines. Interleaved quotes stay. If nothing would remain, the text stays
// whole.
func foldQuoted(s string) string {
	lines := strings.Split(s, "\n")
	cut := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		joined := t
		if i+1 < len(lines) {
			joined = t + " " + strings.TrimSpace(lines[i+1]) // Gmail wraps long attributions
		}
		switch {
		case (attribution.MatchString(t) || attribution.MatchString(joined)) && quotedAfter(lines[i+1:]):
			cut = i
		case separator.MatchString(t):
			cut = i
		case outlookRule.MatchString(t) && i+1 < len(lines) && headerLine.MatchString(strings.TrimSpace(lines[i+1])):
			cut = i
		case headerLine.MatchString(t) && i > 0 && strings.TrimSpace(lines[i-1]) == "" && outlookHeaders(lines[i:]):
			cut = i
		case strings.HasPrefix(t, ">") && onlyQuotedAfter(lines[i:]):
			cut = i
		}
		if cut >= 0 {
			break
		}
	}
	if cut < 0 {
		return s
	}
	kept := strings.TrimRight(strings.Join(lines[:cut], "\n"), "\n \t")
	if strings.TrimSpace(kept) == "" {
		return s
	}
	return kept
}

// quotedAfter says whether quoted lines follow within the next few lines.
func quotedAfter(rest []string) bool {
	for i, l := range rest {
		if i > 3 {
			break
		}
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			return true
		}
	}
	return false
}

// onlyQuotedAfter says whether every non-blank line from here on is quoted.
func onlyQuotedAfter(rest []string) bool {
	for _, l := range rest {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, ">") {
			return false
		}
	}
	return true
}

// outlookHeaders recognises "From: / Sent: / To: / Subject:" blocks that
// Outlook puts above the mail it quotes without "> ".
func outlookHeaders(rest []string) bool {
	seen := 0
	for i, l := range rest {
		if i > 5 {
			break
		}
		k, _, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok {
			continue
		}
		switch strings.ToLower(k) {
		case "sent", "date", "to", "subject", "отправлено", "кому", "тема", "дата", "надіслано", "gesendet", "an", "betreff":
			seen++
		}
	}
	return seen >= 2
}
