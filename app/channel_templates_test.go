package app

import (
	"strings"
	"testing"
	"time"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

func TestATemplateGoesThroughTheOutboxAndBadOnesAreRefusedFirst(t *testing.T) {
	now := time.Now().UTC()
	ts := synctest.New(t)
	seed(ts)
	ts.Put(wire.KindChannel, "wa", &inbox.Channel{ID: "wa", Name: "WhatsApp", Kind: inbox.KindWhatsApp, LineID: "l1"})
	ts.Put(wire.KindDialog, "dw", &inbox.Dialog{ID: "dw", ClientID: "c1", ChannelID: "wa", LineID: "l1", Status: inbox.StatusInProgress,
		AssigneeID: "anna", LastMessageAt: now.Add(-30 * time.Hour)})
	a, _ := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the WhatsApp dialog", func() bool { d, err := a.Conversation.Dialog("dw"); return err == nil && d.Templates })
	if d, err := a.Conversation.Dialog("d1"); err != nil || d.Templates {
		t.Errorf("Dialog(d1 on no WhatsApp channel) = %+v, %v; want no templates offered", d, err)
	}
	if err := a.Conversation.SaveDraft("dw", "outbound", "half a reply", ""); err != nil {
		t.Fatal(err)
	}

	// Refused in words before anything is queued.
	bad := []struct {
		name, lang string
		params     []string
	}{
		{" ", "ru", nil},
		{"order_update", "", nil},
		{"order_update", "ru", make([]string, 51)},
		{"order_update", "ru", []string{strings.Repeat("я", 1025)}},
	}
	for _, b := range bad {
		_, err := a.Conversation.SendTemplate("dw", b.name, b.lang, b.params)
		if codeOf(err) != "message.template_invalid" || err.Error() == "" {
			t.Errorf("SendTemplate(%q, %q, %d params) = %v, want message.template_invalid", b.name, b.lang, len(b.params), err)
		}
	}
	if ms := historyByID(t, a, "dw"); len(ms) != 0 {
		t.Errorf("history after refusals = %v, want nothing queued", ms)
	}

	id, err := a.Conversation.SendTemplate("dw", " order_update ", "ru", []string{"Ирина", "12345"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "Template: order_update (ru) — 1: Ирина, 2: 12345"
	if m := historyByID(t, a, "dw")[id]; m.Text != want || m.Kind != "outbound" {
		t.Errorf("the message at once = %+v, want the outbound %q", m, want)
	}
	if dr, _ := a.Conversation.Draft("dw"); dr.Text != "half a reply" {
		t.Errorf("draft after the template = %q, want the operator's half reply kept", dr.Text)
	}
	waitFor(t, "the template at the server", func() bool { return len(sent(ts, "message.send")) == 1 })
	p := sent(ts, "message.send")[0]
	tpl, _ := p["template"].(map[string]any)
	params, _ := tpl["params"].([]any)
	if p["messageId"] != id || p["kind"] != "outbound" || p["text"] != want || tpl["name"] != "order_update" || tpl["language"] != "ru" ||
		len(params) != 2 || params[0] != "Ирина" || params[1] != "12345" {
		t.Errorf("message.send payload = %v, want the template order_update (ru) with Ирина, 12345", p)
	}
}
