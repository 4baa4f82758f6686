package inbox

import (
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

func init() {
	register(func() Command { return new(CreateTag) })
	register(func() Command { return new(TagMessages) })
}

// Limits of the tag commands.
const (
	// MaxTagRunes bounds a tag's name: a tag is a label, not a sentence.
	MaxTagRunes = 40
	// MaxTaggedMessages bounds the messages one TagMessages names.
	MaxTaggedMessages = 200
)

// CreateTag adds a tag to the workspace's list. As the seeds describe it,
// an operator may make a new tag at the moment of tagging, and the tag is
// kept in the list for everyone from then on; any active operator may, not
// only those who manage dialogs (who may also rename and recolour tags in
// the workspace's settings). Names are unique regardless of case and
// spacing, so two people typing "Refund" and "refund " meet on one tag.
type CreateTag struct {
	TagID string `json:"tagId"`
	Name  string `json:"name"`
	// Color is "#rrggbb", or empty for the UI's default.
	Color string `json:"color,omitempty"`
}

func (*CreateTag) Type() string { return "tag.create" }
func (c *CreateTag) validate() error {
	if c.TagID == "" {
		return missing(c.Type(), "tagId")
	}
	name := strings.TrimSpace(c.Name)
	switch {
	case name == "":
		return missing(c.Type(), "name")
	case utf8.RuneCountInString(name) > MaxTagRunes:
		return &Refusal{Code: "tag.name_too_long", Message: "A tag's name is at most 40 characters.",
			Args: map[string]string{"field": "name", "max": itoa(MaxTagRunes)}}
	case strings.ContainsFunc(name, unicode.IsControl):
		return &Refusal{Code: "tag.name_invalid", Message: "A tag's name is one line of text.", Args: map[string]string{"field": "name"}}
	case !validColor(c.Color):
		return &Refusal{Code: "tag.color_invalid", Message: "A tag's colour is written #rrggbb.", Args: map[string]string{"field": "color"}}
	}
	return nil
}

// validColor accepts "" and "#rrggbb".
func validColor(s string) bool {
	if s == "" {
		return true
	}
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, r := range s[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// TagKey is how tag names compare: case and runs of spaces do not count.
func TagKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

func (c *CreateTag) Execute(r Reader, env Env) (*Outcome, error) {
	org, _, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	name := strings.Join(strings.Fields(c.Name), " ")
	if prev := org.Tags[c.TagID]; prev != nil {
		if TagKey(prev.Name) == TagKey(name) {
			return &Outcome{}, nil // a resend
		}
		return nil, &Refusal{Code: "tag.exists", Message: "Another tag has this id.", Args: map[string]string{"name": prev.Name}}
	}
	for _, t := range org.Tags {
		if TagKey(t.Name) == TagKey(name) {
			return nil, &Refusal{Code: "tag.exists", Message: "There is a tag named " + quote(t.Name) + " already: pick it from the list.",
				Args: map[string]string{"name": t.Name}}
		}
	}
	return &Outcome{Tags: []*Tag{{ID: c.TagID, Name: name, Color: c.Color}}}, nil
}

// TagMessages puts a tag on messages of one dialog: the ones the operator
// selected in the conversation. As the seeds say, a message's tags cannot
// be edited or taken off once set, so there is no command to untag a
// message; tagging a message that has the tag already changes nothing.
type TagMessages struct {
	DialogRef
	MessageIDs []string `json:"messageIds"`
	TagID      string   `json:"tagId"`
}

func (*TagMessages) Type() string { return "message.tag" }
func (c *TagMessages) validate() error {
	if c.TagID == "" {
		return missing(c.Type(), "tagId")
	}
	if len(c.MessageIDs) == 0 || slices.Contains(c.MessageIDs, "") {
		return missing(c.Type(), "messageIds")
	}
	if len(c.MessageIDs) > MaxTaggedMessages {
		return &Refusal{Code: "tag.too_many_messages", Message: "Tag at most 200 messages at a time.",
			Args: map[string]string{"field": "messageIds", "max": itoa(MaxTaggedMessages)}}
	}
	return c.need(c.Type())
}

func (c *TagMessages) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if org.Tags[c.TagID] == nil {
		return nil, Refuse("tag.not_found", "There is no such tag.")
	}
	o := &Outcome{}
	seen := map[string]bool{}
	for _, id := range c.MessageIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		m, err := r.Message(id)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if err != nil || m.DialogID != d.ID || !org.SeesMessage(op.ID, m) {
			// Someone else's private note is refused like a missing message.
			return nil, &Refusal{Code: "message.not_found", Message: "A message you selected is not in this dialog.", Args: map[string]string{"message": id}}
		}
		if !m.DeletedAt.IsZero() {
			return nil, Refuse("message.deleted", "A message you selected was deleted.")
		}
		if slices.Contains(m.Tags, c.TagID) {
			continue
		}
		m = m.Clone()
		m.Tags = append(m.Tags, c.TagID)
		o.Messages = append(o.Messages, m)
	}
	return o, nil
}
