package inbox

import (
	"fmt"
	"strings"
	"testing"
)

func TestTemplateRules(t *testing.T) {
	m := newMem()
	save := func(id, title, text string, global bool) string {
		return fmt.Sprintf(`{"templateId":%q,"title":%q,"text":%q,"global":%t}`, id, title, text, global)
	}
	del := func(id string) string { return fmt.Sprintf(`{"templateId":%q}`, id) }
	tests := []struct {
		name, actor, typ, payload, want string
	}{
		{"an operator saves a personal template", "anna", "template.save", save("anna-1", "Привет", "Здравствуйте, {client.name}!", false), ""},
		{"an operator may not save a team template", "anna", "template.save", save("team-x", "Hi", "Hello!", true), "template.forbidden"},
		{"a supervisor saves a team template", "sofia", "template.save", save("team-1", "Прощание", "Всего доброго!", true), ""},
		{"an admin edits the team's template", "admin", "template.save", save("team-1", "Прощание", "До свидания, {client.name}.", true), ""},
		{"an operator may not edit the team's template", "oleg", "template.save", save("team-1", "Mine now", "x", true), "template.forbidden"},
		{"an operator may not take the team's template as its own", "oleg", "template.save", save("team-1", "Mine now", "x", false), "template.forbidden"},
		{"an operator may not edit a colleague's template", "oleg", "template.save", save("anna-1", "Hijack", "x", false), "template.forbidden"},
		{"a supervisor may not edit an operator's personal template", "sofia", "template.save", save("anna-1", "Hijack", "x", false), "template.forbidden"},
		{"a supervisor may not turn a personal template global", "sofia", "template.save", save("anna-1", "Hijack", "x", true), "template.forbidden"},
		{"the owner may not make its template the team's", "anna", "template.save", save("anna-1", "Привет", "x", true), "template.owner"},
		{"a supervisor may not make the team's template personal", "sofia", "template.save", save("team-1", "Прощание", "x", false), "template.owner"},
		{"the owner edits its template", "anna", "template.save", save("anna-1", "  Привет\n всем ", "Добрый день, {client.name}! Я {operator.name}, линия {line.name}, обращение №{dialog.number}.", false), ""},
		{"a title is needed", "anna", "template.save", save("anna-2", "  ", "x", false), "template.title_empty"},
		{"a title is short", "anna", "template.save", save("anna-2", strings.Repeat("я", MaxTemplateTitleRunes+1), "x", false), "template.title_too_long"},
		{"a title of exactly the limit is fine", "anna", "template.save", save("anna-3", strings.Repeat("я", MaxTemplateTitleRunes), "x", false), ""},
		{"a text is needed", "anna", "template.save", save("anna-2", "Empty", " \n ", false), "message.empty"},
		{"a text is at most a message long", "anna", "template.save", save("anna-2", "Long", strings.Repeat("a", MaxTextRunes+1), false), "message.too_long"},
		{"a misspelt variable is refused", "anna", "template.save", save("anna-2", "Typo", "Hi {client.nmae}", false), "template.unknown_variable"},
		{"braces that are no variable are text", "anna", "template.save", save("anna-4", "Braces", `{smile} {"a":1} {order.id} <b>{x}</b>`, false), ""},
		{"an id is needed", "anna", "template.save", save("", "Hi", "x", false), "command.malformed"},
		{"a colleague may not delete another's template", "oleg", "template.delete", del("anna-1"), "template.forbidden"},
		{"an operator may not delete the team's template", "oleg", "template.delete", del("team-1"), "template.forbidden"},
		{"a supervisor may not delete an operator's template", "sofia", "template.delete", del("anna-1"), "template.forbidden"},
		{"a deactivated operator changes nothing", "gone", "template.save", save("gone-1", "Hi", "x", false), "operator.inactive"},
		{"the system changes no templates", "", "template.save", save("sys-1", "Hi", "x", false), "command.needs_operator"},
		{"the owner deletes its template", "anna", "template.delete", del("anna-4"), ""},
		{"deleting a template that is gone changes nothing", "anna", "template.delete", del("anna-4"), ""},
		{"a supervisor deletes the team's template", "sofia", "template.delete", del("team-1"), ""},
	}
	for _, tc := range tests {
		_, err := m.run(t, tc.actor, t0, tc.typ, tc.payload)
		if got := refusalCode(err); got != tc.want {
			t.Errorf("%s: %s by %q = %q, want %q", tc.name, tc.typ, tc.actor, got, tc.want)
		}
	}
	a := m.templates["anna-1"]
	if a == nil || a.OwnerID != "anna" || a.Title != "Привет всем" || !strings.Contains(a.Text, "{dialog.number}") {
		t.Errorf("anna's template after the edits = %+v, want hers, titled %q", a, "Привет всем")
	}
	for _, id := range []string{"anna-4", "team-1", "team-x", "anna-2"} {
		if _, ok := m.templates[id]; ok {
			t.Errorf("template %s is there, want it deleted or never saved", id)
		}
	}
}

func TestTemplateVisibleTo(t *testing.T) {
	tests := []struct {
		owner, op string
		want      bool
	}{
		{"", "anna", true},
		{"anna", "anna", true},
		{"anna", "oleg", false},
		{"anna", "admin", false},
	}
	for _, tc := range tests {
		tp := &Template{ID: "t", OwnerID: tc.owner}
		if got := tp.VisibleTo(tc.op); got != tc.want {
			t.Errorf("Template{OwnerID: %q}.VisibleTo(%q) = %v, want %v", tc.owner, tc.op, got, tc.want)
		}
	}
}

func TestTemplateFill(t *testing.T) {
	m := newMem()
	d := m.inbound(t, "tg", "c1", "x0", t0)
	cl := m.clients[d.ClientID]
	cl.DisplayName = "Ольга <script>"
	full := ValuesFor(m.org, "anna", d, cl)
	tests := []struct {
		name   string
		values TemplateValues
		text   string
		want   string
	}{
		{"every variable", full, "{client.name}|{operator.name}|{line.name}|#{dialog.number}", "Ольга <script>|Anna|Sales|#1"},
		{"a variable twice", full, "{client.name}, {client.name}", "Ольга <script>, Ольга <script>"},
		{"text without variables", full, "Спасибо за обращение!", "Спасибо за обращение!"},
		{"tokens that are no variable stay", full, "{smile} {order.id} {Client.Name} { client.name }", "{smile} {order.id} {Client.Name} { client.name }"},
		{"unknown values are empty", ValuesFor(m.org, "nobody", nil, nil), "Hi {client.name}, I'm {operator.name}", "Hi , I'm "},
		{"a value holding a variable is not filled again", TemplateValues{VarClientName: "{operator.name}", VarOperatorName: "Anna"}, "{client.name}", "{operator.name}"},
	}
	for _, tc := range tests {
		if got := tc.values.Fill(tc.text); got != tc.want {
			t.Errorf("%s: Fill(%q) = %q, want %q", tc.name, tc.text, got, tc.want)
		}
	}
}
