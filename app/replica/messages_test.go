package replica

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestSearchFoldsCyrillicAndMatchesPrefixesNewestFirst(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress)).
		put(wire.KindMessage, "pay", message("pay", "d1", "Оплата не прошла", t0)).
		put(wire.KindMessage, "bill", message("bill", "d1", "Пришлите счёт, пожалуйста", t0.Add(time.Minute))).
		put(wire.KindMessage, "yogurt", message("yogurt", "d1", "Йогурт закончился", t0.Add(2*time.Minute))).
		put(wire.KindMessage, "pay2", message("pay2", "d1", "оплачу завтра", t0.Add(3*time.Minute))).
		put(wire.KindMessage, "html", message("html", "d1", `<img src=x onerror=alert(1)> "quoted" AND OR`, t0.Add(4*time.Minute))).
		list)

	tests := []struct {
		query string
		want  []string
	}{
		{"опла", []string{"pay2", "pay"}},
		{"ОПЛАТА", []string{"pay"}},
		{"счет", []string{"bill"}},
		{"счёт", []string{"bill"}},
		{"иогурт", []string{"yogurt"}},
		{"прислите", nil},
		{"опла прош", []string{"pay"}},
		{`"quoted`, []string{"html"}},
		{"onerror", []string{"html"}},
		{"AND", []string{"html"}},
		{"*:(", nil},
		{"", nil},
	}
	for _, tt := range tests {
		hits, err := rp.Search(ctx, tt.query, 10)
		if err != nil {
			t.Errorf("Search(%q): %v", tt.query, err)
			continue
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Message.ID)
		}
		if len(got) != len(tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
				break
			}
		}
	}
}

func TestAnEditedOrDeletedMessageIsReindexed(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	m := message("m1", "d1", "старый текст", t0)
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress)).put(wire.KindMessage, "m1", m).list)
	m.Text = "новый текст"
	mustApply(t, rp, newChanges(t, 3).put(wire.KindMessage, "m1", m).list)
	if hits, _ := rp.Search(ctx, "старый", 10); len(hits) != 0 {
		t.Errorf("Search(старый) after the edit found %d, want 0", len(hits))
	}
	if hits, _ := rp.Search(ctx, "новый", 10); len(hits) != 1 {
		t.Errorf("Search(новый) after the edit found %d, want 1", len(hits))
	}
	mustApply(t, rp, newChanges(t, 4).del(wire.KindMessage, "m1").list)
	if hits, _ := rp.Search(ctx, "новый", 10); len(hits) != 0 {
		t.Errorf("Search(новый) after the delete found %d, want 0", len(hits))
	}
}

func TestHistoryPagesBackwardsWithTheLogBetween(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	cs := newChanges(t, 1).put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress))
	for i := range 5 {
		id := string(rune('a' + i))
		cs.put(wire.KindMessage, id, message(id, "d1", "text", t0.Add(time.Duration(i)*time.Minute)))
	}
	cs.put(wire.KindEvent, "taken", &inbox.DialogEvent{ID: "taken", DialogID: "d1", Type: inbox.EvTaken, At: t0.Add(90 * time.Second)})
	cs.put(wire.KindEvent, "created", &inbox.DialogEvent{ID: "created", DialogID: "d1", Type: inbox.EvCreated, At: t0.Add(-time.Minute)})
	mustApply(t, rp, cs.list)

	newest, err := rp.History(ctx, "d1", 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !newest.More || len(newest.Messages) != 3 || newest.Messages[0].ID != "c" || newest.Messages[2].ID != "e" {
		t.Fatalf("newest page = %+v, want c..e with more", newest.Messages)
	}
	if len(newest.Events) != 0 {
		t.Errorf("newest page events = %v, want none (taken is before c)", newest.Events)
	}
	older, err := rp.History(ctx, "d1", newest.Messages[0].CreatedAt.UnixMilli(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if older.More || len(older.Messages) != 2 || older.Messages[0].ID != "a" {
		t.Errorf("older page = %+v more=%v, want a, b and no more", older.Messages, older.More)
	}
	if len(older.Events) != 2 || older.Events[0].ID != "created" || older.Events[1].ID != "taken" {
		t.Errorf("older page events = %+v, want created then taken", older.Events)
	}
}

func TestClientNamesAreSearchableFoldedAndKeptInStepWithRenames(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindClient, "c1", &inbox.Client{ID: "c1", OriginalName: "Артём Йовенко"}).
		put(wire.KindClient, "c2", &inbox.Client{ID: "c2", OriginalName: "Artem Smith"}).
		put(wire.KindClient, "lonely", &inbox.Client{ID: "lonely", OriginalName: "Артём без диалогов"}).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientID = "c1" })).
		put(wire.KindDialog, "d2", dialog("d2", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientID = "c2" })).list)

	names := func(query string) []string {
		t.Helper()
		hits, err := rp.SearchClients(ctx, query, 10)
		if err != nil {
			t.Fatalf("SearchClients(%q): %v", query, err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.ClientID+"/"+h.DialogID)
		}
		return out
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"артем", []string{"c1/d1"}},
		{"иов", []string{"c1/d1"}},
		{"artem smi", []string{"c2/d2"}},
		{"без", nil}, // a client without a dialog has nothing to open
	} {
		if got := names(tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("SearchClients(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
	// A rename replaces the indexed name.
	mustApply(t, rp, newChanges(t, 6).put(wire.KindClient, "c1", &inbox.Client{ID: "c1", OriginalName: "Артём Йовенко", DisplayName: "VIP Artem"}).list)
	if got := names("иовенко"); got != nil {
		t.Errorf("SearchClients(иовенко) after the rename = %v, want nothing", got)
	}
	if got := names("vip"); !slices.Equal(got, []string{"c1/d1"}) {
		t.Errorf("SearchClients(vip) after the rename = %v, want c1/d1", got)
	}
	mustApply(t, rp, newChanges(t, 7).del(wire.KindClient, "c2").list)
	if got := names("smith"); got != nil {
		t.Errorf("SearchClients(smith) after the delete = %v, want nothing", got)
	}
}

// A pull from 0 leaves the search index to one pass at its end; edits and
// deletions that arrive meanwhile are in that pass, and later changes are
// indexed one by one again.
func TestAPullFromZeroBuildsTheSearchIndexAtItsEnd(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	if err := rp.Baseline(ctx, 100); err != nil {
		t.Fatal(err)
	}
	msg := func(id, text string, deleted bool) *inbox.Message {
		m := &inbox.Message{ID: id, DialogID: "d1", Kind: inbox.MsgInbound, Text: text, CreatedAt: t0}
		if deleted {
			m.DeletedAt = t0
		}
		return m
	}
	c := newChanges(t, 1)
	c.put(wire.KindMessage, "m1", msg("m1", "Оплата счёта", false))
	c.put(wire.KindMessage, "m2", msg("m2", "первая версия", false))
	c.put(wire.KindMessage, "m3", msg("m3", "Оплата удалена", false))
	c.put(wire.KindMessage, "m2", msg("m2", "Исправленная оплата", false))
	c.put(wire.KindMessage, "m3", msg("m3", "Оплата удалена", true))
	mustApply(t, rp, c.list)
	ids := func(q string) string {
		t.Helper()
		hits, err := rp.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.Message.ID)
		}
		return strings.Join(out, ",")
	}
	if got := ids("опла"); got != "" {
		t.Errorf("search while the pull runs = %q, want nothing yet", got)
	}
	finishPull(t, rp)
	if got := ids("опла"); got != "m2,m1" {
		t.Errorf("search after the pull = %q, want m2,m1 (m3 deleted, m2 as edited)", got)
	}
	if got := ids("перв"); got != "" {
		t.Errorf("search for m2's old text = %q, want nothing", got)
	}
	c = newChanges(t, 10)
	c.put(wire.KindMessage, "m4", msg("m4", "Оплата позже", false))
	mustApply(t, rp, c.list)
	if got := ids("опла"); got != "m4,m2,m1" {
		t.Errorf("search after a live change = %q, want m4 indexed at once", got)
	}
	finishPull(t, rp)
	if got := ids("опла"); got != "m4,m2,m1" {
		t.Errorf("search after a second FinishPull = %q", got)
	}
}

// Words longer than the index's prefixes are looked up by their indexed
// prefix and checked on the rows read: same answers as a full prefix.
func TestSearchForLongWordsMatchesWholePrefixesOnly(t *testing.T) {
	rp := openTemp(t)
	ctx := context.Background()
	c := newChanges(t, 1)
	for id, text := range map[string]string{
		"m1": "Доставка завтра",
		"m2": "Достали уже!",
		"m3": "Résumé attached",
		"m4": "Счётчик сломан",
		"m5": "недоставка — не то слово",
	} {
		c.put(wire.KindMessage, id, &inbox.Message{ID: id, DialogID: "d1", Kind: inbox.MsgInbound, Text: text, CreatedAt: t0})
	}
	mustApply(t, rp, c.list)
	for query, want := range map[string]string{
		"доставк":        "m1",
		"ДОСТАВКА завтр": "m1",
		"доста":          "m1,m2",
		"resume":         "m3",
		"résumé":         "m3",
		"счетчик":        "m4",
		"сломанный":      "",
	} {
		hits, err := rp.Search(ctx, query, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.Message.ID)
		}
		slices.Sort(ids)
		if got := strings.Join(ids, ","); got != want {
			t.Errorf("Search(%q) = %q, want %q", query, got, want)
		}
	}
}
