package app

import (
	"testing"
	"time"

	"switchboard/app/replica"
	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

func TestSearchMarksTheMatchAndOpensTheDialogAtTheMessage(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	ts.Put(wire.KindClient, "c1", &inbox.Client{ID: "c1", OriginalName: "Оксана",
		Contacts: []inbox.Contact{{ChannelID: "ch1", Kind: inbox.KindTelegram, ExternalID: "77", Handle: "@oksana_k"}}})
	base := time.Now().Add(-time.Hour)
	for i := range 80 {
		text := "обычное сообщение"
		if i == 40 {
			text = "Долгий вступительный текст, который занимает место перед совпадением: спасибо, ёлки-палки, всё пришло! " +
				"А дальше ещё много слов, чтобы выдержка обрезалась и справа, как положено длинному сообщению в результатах поиска."
		}
		id := "m" + string(rune('A'+i/26)) + string(rune('a'+i%26))
		ts.Put(wire.KindMessage, id, &inbox.Message{ID: id, DialogID: "d1", ClientID: "c1", Kind: inbox.MsgInbound, Text: text,
			CreatedAt: base.Add(time.Duration(i) * time.Second)})
	}
	a, _ := startApp(t)
	signIn(t, a, ts)
	var hits []SearchHit
	waitFor(t, "the message to be found", func() bool {
		hits, _ = a.Search.Messages("елки")
		return len(hits) == 1
	})
	// The first sign-in pulled from 0: the index is filled in the
	// background and the search says so until it is whole.
	waitFor(t, "the search index to be whole", func() bool {
		ix, err := a.Search.Indexing()
		return err == nil && !ix.Building
	})
	if hits, _ := a.Search.Messages("ел"); len(hits) != 0 {
		t.Errorf("Search.Messages(ел) = %d hits, want none under three letters", len(hits))
	}
	var marked, shown string
	for _, p := range hits[0].Parts {
		shown += p.Text
		if p.Match {
			marked += p.Text
		}
	}
	if marked != "ёлки" || shown[:len("…")] != "…" || shown[len(shown)-len("…"):] != "…" {
		t.Errorf("hit parts show %q marking %q, want an excerpt cut on both sides marking ёлки", shown, marked)
	}

	clients, err := a.Search.Clients("oksana")
	if err != nil || len(clients) != 1 || clients[0].Contact != "@oksana_k" {
		t.Fatalf("Search.Clients(oksana) = %+v, %v; want Оксана by her handle", clients, err)
	}
	if p := clients[0].ContactParts; len(p) != 3 || p[1].Text != "oksana" || !p[1].Match || p[2].Text != "_k" {
		t.Errorf("contact parts = %+v, want @, oksana marked, _k", p)
	}

	h, err := a.Conversation.HistoryAround("d1", hits[0].MessageID, "елки")
	if err != nil {
		t.Fatal(err)
	}
	if h.Focus == nil || h.Focus.MessageID != hits[0].MessageID || !h.More || !h.Newer {
		t.Fatalf("HistoryAround = focus %+v more=%v newer=%v, want the hit with pages on both sides", h.Focus, h.More, h.Newer)
	}
	focusMarked := ""
	for _, p := range h.Focus.Parts {
		if p.Match {
			focusMarked += p.Text
		}
	}
	if focusMarked != "ёлки" {
		t.Errorf("focus marks %q, want ёлки", focusMarked)
	}
	last := h.Items[len(h.Items)-1].Message.ID
	after, err := a.Conversation.HistoryAfter("d1", last)
	if err != nil || after.Newer || len(after.Items) != 80-41-25 {
		t.Errorf("HistoryAfter(%s) = %d items newer=%v, %v; want the other 14 up to the newest", last, len(after.Items), after.Newer, err)
	}
	before, err := a.Conversation.HistoryBefore("d1", h.Items[0].Message.ID)
	if err != nil || before.More || len(before.Items) != 40-25 {
		t.Errorf("HistoryBefore = %d items more=%v, %v; want the first 15", len(before.Items), before.More, err)
	}
	if _, err := a.Conversation.HistoryAround("d1", "nope", "елки"); codeOf(err) != CodeNotFound {
		t.Errorf("HistoryAround of a missing message = %v, want %s", err, CodeNotFound)
	}
}

func TestAnExcerptKeepsTheFirstMatchInViewAndCutsAtWords(t *testing.T) {
	long := func(n int, word string) string {
		s := ""
		for range n {
			s += word + " "
		}
		return s
	}
	tests := []struct {
		name, text, query, want string
	}{
		{"short text whole", "Оплата не прошла", "прош", "Оплата не [прош]ла"},
		{"match at the start, cut on the right", "Счёт " + long(60, "слово"), "счет",
			"[Счёт] " + long(25, "слово") + "слово…"},
		{"match far in, cut on the left at a word", long(30, "слово") + "ёлки конец", "елки",
			"…" + long(6, "слово") + "[ёлки] конец"},
		{"no match: the start", long(60, "слово"), "",
			long(26, "слово")[:len(long(26, "слово"))-1] + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			for _, p := range excerpt(tt.text, replica.Marks(tt.text, tt.query)) {
				if p.Match {
					got += "[" + p.Text + "]"
				} else {
					got += p.Text
				}
			}
			if got != tt.want {
				t.Errorf("excerpt(%q) = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}
