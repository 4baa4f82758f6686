package inbox

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxTemplateTitleRunes bounds a template's title: it is a topic the
// picker lists, not a text.
const MaxTemplateTitleRunes = 100

// Template variables: written {client.name} in a template's text, filled
// from the dialog when the template is inserted into a reply.
const (
	VarClientName   = "client.name"
	VarOperatorName = "operator.name"
	VarLineName     = "line.name"
	VarDialogNumber = "dialog.number"
)

// TemplateVariables lists every variable a template may hold, in the order
// the editor offers them.
var TemplateVariables = []string{VarClientName, VarOperatorName, VarLineName, VarDialogNumber}

// variableRE finds {namespace.field} tokens. Braces around anything else
// ("{smile}", "{ a.b }", JSON) are ordinary text.
var variableRE = regexp.MustCompile(`\{([a-z]+\.[a-z_]+)\}`)

// templateNamespaces are the prefixes of our variables: a token in one of
// them that names no variable is a typo ({client.nmae}) and is refused.
var templateNamespaces = map[string]bool{"client": true, "operator": true, "line": true, "dialog": true}

// VisibleTo reports whether an operator sees the template: the team's
// templates are everyone's, a personal one only its owner's.
func (t *Template) VisibleTo(operatorID string) bool {
	return t.OwnerID == "" || t.OwnerID == operatorID
}

// CanEditTemplate reports whether an operator may change or delete t: its
// own personal template, or a team template with templates.manage_global.
func (o *Org) CanEditTemplate(operatorID string, t *Template) bool {
	if t.OwnerID == "" {
		return o.Can(operatorID, PermTemplatesManageGlobal)
	}
	return t.OwnerID == operatorID
}

// NormalizeTemplateTitle is the title as stored: trimmed, with runs of
// white space (a pasted line break) made one space.
func NormalizeTemplateTitle(title string) string {
	return strings.Join(strings.Fields(title), " ")
}

// checkTemplate validates a template's title and text.
func checkTemplate(title, text string) error {
	title = NormalizeTemplateTitle(title)
	if title == "" {
		return &Refusal{Code: "template.title_empty", Message: "Give the template a title.", Args: map[string]string{"field": "title"}}
	}
	if utf8.RuneCountInString(title) > MaxTemplateTitleRunes {
		return &Refusal{Code: "template.title_too_long", Message: "The title is longer than 100 characters.",
			Args: map[string]string{"field": "title", "max": itoa(MaxTemplateTitleRunes)}}
	}
	if err := checkText(text, 0); err != nil {
		return err
	}
	for _, m := range variableRE.FindAllStringSubmatch(text, -1) {
		name := m[1]
		ns, _, _ := strings.Cut(name, ".")
		if templateNamespaces[ns] && !slices.Contains(TemplateVariables, name) {
			return &Refusal{Code: "template.unknown_variable", Message: "The template uses {" + name + "}, which is no variable.",
				Args: map[string]string{"field": "text", "variable": name}}
		}
	}
	return nil
}

// TemplateValues are what a template's variables become in one dialog.
type TemplateValues map[string]string

// ValuesFor returns the variables' values for an operator answering a
// dialog: the client's name as the team sees it, the operator's and the
// line's names, the dialog's number. A value the caller cannot know (an
// unknown client, a dialog not yet numbered) is empty.
func ValuesFor(org *Org, operatorID string, d *Dialog, c *Client) TemplateValues {
	v := TemplateValues{}
	if c != nil {
		v[VarClientName] = c.Name()
	}
	if op := org.Operators[operatorID]; op != nil {
		v[VarOperatorName] = op.Name
	}
	if d != nil {
		if l := org.Lines[d.LineID]; l != nil {
			v[VarLineName] = l.Name
		}
		if d.Number > 0 {
			v[VarDialogNumber] = strconv.FormatInt(d.Number, 10)
		}
	}
	return v
}

// Fill replaces the template's variables in text with their values.
// Tokens that are no variable stay as written.
func (v TemplateValues) Fill(text string) string {
	return variableRE.ReplaceAllStringFunc(text, func(tok string) string {
		name := tok[1 : len(tok)-1]
		if !slices.Contains(TemplateVariables, name) {
			return tok
		}
		return v[name]
	})
}
