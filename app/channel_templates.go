package app

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"switchboard/inbox"
)

// SendTemplate queues the channel's approved template (WhatsApp's way to
// write after 24 hours of the customer's silence) as a reply, on the same
// optimistic outbox path as Send. name and language are the template's as
// the channel knows it ("order_update", "ru"); params fill its {{1}},
// {{2}}... in order. The conversation shows what was sent in words, e.g.
// "Template: order_update (ru) — 1: Ирина, 2: 12345". A template no
// channel could send is refused in words and nothing is queued. It returns
// the message's id.
func (s *Conversation) SendTemplate(dialogID, name, language string, params []string) (string, error) {
	tpl := &inbox.ChannelTemplate{Name: strings.TrimSpace(name), Language: strings.TrimSpace(language), Params: params}
	if len(tpl.Params) == 0 {
		tpl.Params = nil
	}
	for _, p := range tpl.Params {
		if !utf8.ValidString(p) {
			return "", uiError(CodeBadInput, "template parameter not text", nil)
		}
	}
	if err := inbox.CheckChannelTemplate(tpl); err != nil {
		return "", toUI(err)
	}
	return s.send(dialogID, string(inbox.MsgOutbound), templateText(tpl), nil, "", nil, tpl, false)
}

// templateText is what the team reads of a sent template, cut to what a
// message's text may hold.
func templateText(t *inbox.ChannelTemplate) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Template: %s (%s)", t.Name, t.Language)
	for i, p := range t.Params {
		if i == 0 {
			b.WriteString(" — ")
		} else {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d: %s", i+1, p)
	}
	text := b.String()
	if r := []rune(text); len(r) > inbox.MaxTextRunes {
		text = string(r[:inbox.MaxTextRunes-1]) + "…"
	}
	return text
}
