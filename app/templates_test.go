package app

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"switchboard/app/syncclient/synctest"
	"switchboard/inbox"
	"switchboard/wire"
)

func seedTemplates(ts *synctest.Server) {
	ts.Put(wire.KindTemplate, "tpl-hello", &inbox.Template{ID: "tpl-hello", Title: "Приветствие",
		Text: "Здравствуйте, {client.name}! Меня зовут {operator.name}, линия «{line.name}», обращение №{dialog.number}."})
	ts.Put(wire.KindTemplate, "tpl-bye", &inbox.Template{ID: "tpl-bye", Title: "Прощание", Text: "Всего доброго!"})
	ts.Put(wire.KindTemplate, "tpl-anna", &inbox.Template{ID: "tpl-anna", OwnerID: "anna", Title: "Мой счёт", Text: "Счёт отправлен"})
}

func templateTitles(l TemplateList) []string {
	out := []string{}
	for _, it := range l.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestTemplatesAreFilledForTheDialogAndSavedThroughTheOutbox(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	ts.Put(wire.KindDialog, "d1", &inbox.Dialog{ID: "d1", Number: 42, ClientID: "c1", LineID: "l1", Status: inbox.StatusUnassigned})
	seedTemplates(ts)
	a, ev := startApp(t)
	signIn(t, a, ts)
	waitFor(t, "the templates", func() bool { l, _ := a.Templates.List("", ""); return len(l.Items) == 3 })

	l, err := a.Templates.List("d1", "ПРИВ")
	if err != nil {
		t.Fatal(err)
	}
	want := "Здравствуйте, Оксана! Меня зовут Anna, линия «First line», обращение №42."
	if len(l.Items) != 1 || l.Items[0].Filled != want || l.Items[0].Editable || !l.Items[0].Global {
		t.Fatalf("List(d1, ПРИВ) = %+v, want the greeting filled as %q, the team's, not editable", l.Items, want)
	}
	if l.CanManageGlobal {
		t.Errorf("an operator's list says it may manage the team's templates")
	}
	if l, _ := a.Templates.List("d1", "счет"); len(l.Items) != 1 || !l.Items[0].Editable || l.Items[0].Global {
		t.Errorf("List(d1, счет) = %+v, want anna's own template, editable", l.Items)
	}
	if _, err := a.Templates.List("nope", ""); codeOf(err) != CodeNotFound {
		t.Errorf("List for a missing dialog = %v, want %s", err, CodeNotFound)
	}

	refusals := []struct {
		name, title, text string
		global            bool
		code              string
	}{
		{"no title", " ", "x", false, "template.title_empty"},
		{"a misspelt variable", "Typo", "Hi {client.nmae}", false, "template.unknown_variable"},
		{"an operator's team template", "Team", "x", true, "template.forbidden"},
	}
	for _, r := range refusals {
		if _, err := a.Templates.Save("", r.title, r.text, r.global); codeOf(err) != r.code {
			t.Errorf("Save with %s = %v, want %s", r.name, err, r.code)
		}
	}
	var ue *UIError
	if _, err := a.Templates.Save("", "Typo", "{client.nmae}", false); !errors.As(err, &ue) || ue.Fields["text"] != "template.unknown_variable" {
		t.Errorf("Save with a misspelt variable = %v, want the text field named", err)
	}
	if err := a.Templates.Delete("tpl-bye"); codeOf(err) != "template.forbidden" {
		t.Errorf("Delete of the team's template by an operator = %v, want template.forbidden", err)
	}
	if n := len(ts.Executed()); n != 0 {
		t.Fatalf("the server ran %d commands; refused ones must not be queued", n)
	}

	id, err := a.Templates.Save("", "  Доставка\n", "{client.name}, заказ в пути <script>alert(1)</script>", false)
	if err != nil {
		t.Fatal(err)
	}
	// Optimistic: in the list before the server answers.
	l, _ = a.Templates.List("d1", "доставка")
	if len(l.Items) != 1 || l.Items[0].ID != id || l.Items[0].Title != "Доставка" ||
		l.Items[0].Filled != "Оксана, заказ в пути <script>alert(1)</script>" {
		t.Errorf("List(d1, доставка) right after Save = %+v", l.Items)
	}
	if !ev.find(EventTemplatesChanged, func(any) bool { return true }) {
		t.Errorf("Save emitted no %s", EventTemplatesChanged)
	}
	if _, err := a.Templates.Save(id, "Доставка", "Заказ в пути", false); err != nil {
		t.Fatalf("Save (edit): %v", err)
	}
	if err := a.Templates.Delete("tpl-anna"); err != nil {
		t.Fatalf("Delete of anna's own template: %v", err)
	}
	if err := a.Templates.Delete("tpl-anna"); err != nil {
		t.Errorf("Delete of a template gone already = %v, want nil", err)
	}
	waitFor(t, "the server to run three commands", func() bool { return len(ts.Executed()) == 3 })
	var types []string
	for _, c := range ts.ExecutedCommands() {
		types = append(types, c.Type)
	}
	if !slices.Equal(types, []string{"template.save", "template.save", "template.delete"}) {
		t.Errorf("server ran %v", types)
	}
	var p inbox.SaveTemplate
	if err := json.Unmarshal(ts.ExecutedCommands()[1].Payload, &p); err != nil || p.TemplateID != id || p.Text != "Заказ в пути" || p.Global {
		t.Errorf("the edit's payload = %+v (%v)", p, err)
	}
	if l, _ := a.Templates.List("", ""); !slices.Equal(templateTitles(l), []string{"Доставка", "Приветствие", "Прощание"}) {
		t.Errorf("templates after the edits = %v", templateTitles(l))
	}
}

func TestARefusedTemplateIsTakenBackAndTheOperatorToldWhy(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	ts.Decide(func(cmd wire.CommandEnvelope) wire.CommandResult {
		return wire.CommandResult{Code: "template.forbidden", Message: "Your role may not change the team's templates."}
	})
	a, ev := startApp(t)
	signIn(t, a, ts)
	if _, err := a.Templates.Save("", "Мой", "текст", false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rejection", func() bool {
		return ev.find(EventCommandRejected, func(d any) bool { return d.(CommandRejected).Code == "template.forbidden" })
	})
	if l, _ := a.Templates.List("", ""); len(l.Items) != 0 {
		t.Errorf("templates after the refusal = %v, want none", templateTitles(l))
	}
}
