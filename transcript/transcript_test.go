package transcript

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"switchboard/inbox"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`

func sample(lang string) Input {
	org := inbox.NewOrg(&inbox.Workspace{ID: "ws"},
		[]*inbox.Operator{{ID: "op-taras", Name: "Тарас <b>Шевчук</b>", Active: true}}, nil, nil,
		[]*inbox.Line{{ID: "line-support", Name: "Підтримка"}},
		[]*inbox.Channel{{ID: "ch-webchat", Name: "Site chat", Kind: inbox.KindWebchat}}, nil)
	d := &inbox.Dialog{ID: "d1", Number: 42, ChannelID: "ch-webchat", LineID: "line-support"}
	msgs := []*inbox.Message{
		{ID: "m1", Kind: inbox.MsgInbound, Text: "Hello\n" + hostile, CreatedAt: t0,
			Attachments: []inbox.Attachment{{Name: "photo <1>.jpg", Size: 2048}, {Name: "scan.pdf", Size: 3 << 20}}},
		{ID: "m2", Kind: inbox.MsgOutbound, AuthorID: "op-taras", Text: "Good afternoon & welcome", CreatedAt: t0.Add(time.Minute)},
		{ID: "m3", Kind: inbox.MsgInbound, Text: "a secret I deleted", CreatedAt: t0.Add(2 * time.Minute), DeletedAt: t0.Add(3 * time.Minute)},
		{ID: "m4", Kind: inbox.MsgComment, AuthorID: "op-taras", Text: "internal", CreatedAt: t0.Add(4 * time.Minute)},
	}
	kyiv, _ := time.LoadLocation("Europe/Kyiv")
	return Input{Org: org, Dialog: d, ClientName: "Olena " + hostile, Messages: msgs, Lang: lang, Location: kyiv, Now: t0.Add(time.Hour)}
}

// parse walks the page as a browser would: the elements it builds and the
// text it shows.
func parse(t *testing.T, page []byte) (tags map[string]int, attrs []html.Attribute, text string) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	tags = map[string]int{}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			tags[n.Data]++
			attrs = append(attrs, n.Attr...)
		case html.TextNode:
			if n.Parent == nil || n.Parent.Data != "style" {
				b.WriteString(n.Data)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return tags, attrs, b.String()
}

func TestHTMLShowsHostileTextAsText(t *testing.T) {
	page := Build(sample("en")).HTML()
	tags, attrs, text := parse(t, page)
	for _, bad := range []string{"script", "img", "b", "iframe", "link"} {
		if tags[bad] > 0 {
			t.Errorf("the page builds %d <%s> elements from customer or colleague text", tags[bad], bad)
		}
	}
	for _, a := range attrs {
		if strings.HasPrefix(a.Key, "on") || a.Key == "src" || a.Key == "href" {
			t.Errorf("the page has attribute %s=%q: it must load and run nothing", a.Key, a.Val)
		}
	}
	for _, want := range []string{
		"Conversation #42 with Olena " + hostile, // the title, as text
		"Hello\n" + hostile,
		"Тарас <b>Шевчук</b>",
		"Good afternoon & welcome",
		"Attachment: photo <1>.jpg (2 KB)",
		"Attachment: scan.pdf (3.0 MB)",
		"(message deleted)",
		"Site chat", "Підтримка",
		"2026-11-02 12:01", // Kyiv time
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page does not show %q; it shows:\n%s", want, text)
		}
	}
	if strings.Contains(text, "a secret I deleted") {
		t.Error("the page shows a deleted message's text")
	}
	if !bytes.Contains(page, []byte(`content="default-src 'none'; style-src 'unsafe-inline'"`)) {
		t.Error("the page lacks its Content-Security-Policy")
	}
}

func TestTextVersion(t *testing.T) {
	txt := Build(sample("uk")).Text()
	for _, want := range []string{
		"Діалог №42 з клієнтом Olena " + hostile,
		"[2026-11-02 12:00] Olena " + hostile + " (клієнт):\nHello\n" + hostile + "\nВкладення: photo <1>.jpg (2 KB)\n",
		"(оператор):\nGood afternoon & welcome\n",
		"(повідомлення видалено)",
		"(внутрішній коментар):\ninternal\n",
		"Вивантажено зі Switchboard.",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("the text does not hold %q; it is:\n%s", want, txt)
		}
	}
}

func TestLanguages(t *testing.T) {
	for lang, title := range map[string]string{"en": "Conversation #42", "ru": "Диалог №42", "uk": "Діалог №42", "de": "Conversation #42", "": "Conversation #42"} {
		tr := Build(sample(lang))
		if !strings.HasPrefix(tr.Title, title) {
			t.Errorf("Build(%q).Title = %q, want it to start %q", lang, tr.Title, title)
		}
		if _, _, text := parse(t, tr.HTML()); !strings.Contains(text, tr.Words().Client) || tr.Entries[0].Label == "" {
			t.Errorf("Build(%q): headings or labels missing", lang)
		}
	}
}
