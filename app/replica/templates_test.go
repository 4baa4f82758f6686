package replica

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func templateIDs(ts []inbox.Template) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestTemplatesFilterByTitleAndTextAsSearchDoes(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	a := mustApply(t, rp, newChanges(t, 1).
		put(wire.KindTemplate, "hello", &inbox.Template{ID: "hello", Title: "Приветствие", Text: "Здравствуйте, {client.name}!"}).
		put(wire.KindTemplate, "bye", &inbox.Template{ID: "bye", Title: "Прощание", Text: "Всего доброго, ждём вас снова"}).
		put(wire.KindTemplate, "account", &inbox.Template{ID: "account", Title: "Реквизиты", Text: "Счёт № 40702 в банке"}).
		put(wire.KindTemplate, "mine", &inbox.Template{ID: "mine", OwnerID: "anna", Title: "Мой ПРИВЕТ", Text: "Хай"}).
		put(wire.KindTemplate, "oleg", &inbox.Template{ID: "oleg", OwnerID: "oleg", Title: "Привет от Олега", Text: "x"}).
		put(wire.KindTemplate, "en", &inbox.Template{ID: "en", Title: "Greeting", Text: "Hi {client.name}, glad to help"}).list)
	if !a.Templates || a.Org {
		t.Errorf("Apply of templates = Templates %v, Org %v; want Templates and no Org change", a.Templates, a.Org)
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"everything the operator may use, by title", "", []string{"en", "mine", "hello", "bye", "account"}},
		{"a title's start comes first, then a title that holds the word", "прив", []string{"hello", "mine"}},
		{"case does not matter", "ПРИВЕТСТВ", []string{"hello"}},
		{"the text is searched too", "ждём", []string{"bye"}},
		{"ё and е are one letter", "счет", []string{"account"}},
		{"е in the template finds ё typed", "ждем", []string{"bye"}},
		{"every word must be there, in title or text", "прощание снова", []string{"bye"}},
		{"a word found nowhere finds nothing", "прощание скидка", []string{}},
		{"Latin too", "GLAD", []string{"en"}},
		{"punctuation is not a word", "  /  ", []string{"en", "mine", "hello", "bye", "account"}},
		{"a colleague's personal template never shows", "олега", []string{}},
	}
	for _, tc := range tests {
		got, err := rp.Templates(ctx, "anna", tc.query)
		if err != nil {
			t.Fatalf("Templates(%q): %v", tc.query, err)
		}
		if ids := templateIDs(got); !slices.Equal(ids, tc.want) {
			t.Errorf("%s: Templates(anna, %q) = %v, want %v", tc.name, tc.query, ids, tc.want)
		}
	}
	mustApply(t, rp, newChanges(t, 7).del(wire.KindTemplate, "hello").list)
	if _, err := rp.Template(ctx, "hello"); !errors.Is(err, inbox.ErrNotFound) {
		t.Errorf("Template(hello) after its removal: %v, want not found", err)
	}
	if got, err := rp.Template(ctx, "mine"); err != nil || got.Title != "Мой ПРИВЕТ" {
		t.Errorf("Template(mine) = %+v, %v", got, err)
	}
}

func templateChange(t *testing.T, tp *inbox.Template) *EntityChange {
	data, err := json.Marshal(tp)
	if err != nil {
		t.Fatal(err)
	}
	return &EntityChange{Kind: wire.KindTemplate, ID: tp.ID, Data: data}
}

func TestARejectedTemplateChangeIsUndone(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	orig := &inbox.Template{ID: "t1", OwnerID: "anna", Title: "Hi", Text: "Hello"}
	mustApply(t, rp, newChanges(t, 1).put(wire.KindTemplate, "t1", orig).list)
	cmd := func(id string) wire.CommandEnvelope {
		return wire.CommandEnvelope{ID: id, Type: "template.save", Payload: json.RawMessage(`{}`), IssuedAt: t0}
	}
	title := func(id string) string {
		tp, err := rp.Template(ctx, id)
		if errors.Is(err, inbox.ErrNotFound) {
			return "(none)"
		}
		if err != nil {
			t.Fatal(err)
		}
		return tp.Title
	}
	steps := []struct {
		name      string
		cmd       string
		change    *EntityChange
		server    []wire.Change // what the server sends before it answers
		ok        bool
		want      string // t1's title (or the new one's) after the answer
		id        string
		afterEdit string
	}{
		{name: "an edit the server accepts stays", cmd: "c1", id: "t1",
			change: templateChange(t, &inbox.Template{ID: "t1", OwnerID: "anna", Title: "Hi <b>all</b>", Text: "Hello"}),
			ok:     true, afterEdit: "Hi <b>all</b>", want: "Hi <b>all</b>"},
		{name: "a refused edit is put back", cmd: "c2", id: "t1",
			change:    templateChange(t, &inbox.Template{ID: "t1", OwnerID: "anna", Title: "Refused", Text: "x"}),
			afterEdit: "Refused", want: "Hi <b>all</b>"},
		{name: "a refused removal brings the template back", cmd: "c3", id: "t1",
			change:    &EntityChange{Kind: wire.KindTemplate, ID: "t1"},
			afterEdit: "(none)", want: "Hi <b>all</b>"},
		{name: "a refused new template goes", cmd: "c4", id: "t2",
			change:    templateChange(t, &inbox.Template{ID: "t2", OwnerID: "anna", Title: "New", Text: "x"}),
			afterEdit: "New", want: "(none)"},
		{name: "a refused edit keeps what the server sent meanwhile", cmd: "c5", id: "t1",
			change:    templateChange(t, &inbox.Template{ID: "t1", OwnerID: "anna", Title: "Mine", Text: "x"}),
			server:    newChanges(t, 2).put(wire.KindTemplate, "t1", &inbox.Template{ID: "t1", OwnerID: "anna", Title: "From another desk", Text: "y"}).list,
			afterEdit: "Mine", want: "From another desk"},
	}
	for _, s := range steps {
		if err := rp.Enqueue(ctx, cmd(s.cmd), Optimistic{Entity: s.change}); err != nil {
			t.Fatalf("%s: Enqueue: %v", s.name, err)
		}
		if got := title(s.id); got != s.afterEdit {
			t.Errorf("%s: optimistic title = %q, want %q", s.name, got, s.afterEdit)
		}
		if s.server != nil {
			mustApply(t, rp, s.server)
		}
		res := wire.CommandResult{ID: s.cmd, OK: s.ok}
		if !s.ok {
			res.Code = "template.forbidden"
		}
		if _, err := rp.Resolve(ctx, res); err != nil {
			t.Fatalf("%s: Resolve: %v", s.name, err)
		}
		if got := title(s.id); got != s.want {
			t.Errorf("%s: title after the answer = %q, want %q", s.name, got, s.want)
		}
	}
}
