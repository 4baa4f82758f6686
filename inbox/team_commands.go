package inbox

import (
	"slices"
	"strings"
	"unicode/utf8"
)

func init() {
	register(func() Command { return new(TagDialog) })
	register(func() Command { return new(UntagDialog) })
	register(func() Command { return new(AddParticipant) })
	register(func() Command { return new(RateDialog) })
	register(func() Command { return new(RenameClient) })
	register(func() Command { return new(BlacklistClient) })
	register(func() Command { return new(PinClient) })
	register(func() Command { return new(AddClientNote) })
	register(func() Command { return new(SaveTemplate) })
	register(func() Command { return new(DeleteTemplate) })
}

// TagRef names a dialog and a tag.
type TagRef struct {
	DialogRef
	TagID string `json:"tagId"`
}

func (c *TagRef) needTag(typ string) error {
	if c.TagID == "" {
		return missing(typ, "tagId")
	}
	return c.need(typ)
}

// TagDialog puts a tag on a dialog.
type TagDialog struct{ TagRef }

func (*TagDialog) Type() string      { return "dialog.tag" }
func (c *TagDialog) validate() error { return c.needTag(c.Type()) }
func (c *TagDialog) Execute(r Reader, env Env) (*Outcome, error) {
	return c.tag(r, env, true)
}

// UntagDialog takes a tag off a dialog.
type UntagDialog struct{ TagRef }

func (*UntagDialog) Type() string      { return "dialog.untag" }
func (c *UntagDialog) validate() error { return c.needTag(c.Type()) }
func (c *UntagDialog) Execute(r Reader, env Env) (*Outcome, error) {
	return c.tag(r, env, false)
}

func (c *TagRef) tag(r Reader, env Env, on bool) (*Outcome, error) {
	org, _, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if org.Tags[c.TagID] == nil {
		return nil, Refuse("tag.not_found", "There is no such tag.")
	}
	if slices.Contains(d.Tags, c.TagID) == on {
		return &Outcome{}, nil
	}
	ev := EvTagged
	if on {
		d.Tags = append(d.Tags, c.TagID)
	} else {
		d.Tags = slices.DeleteFunc(d.Tags, func(t string) bool { return t == c.TagID })
		ev = EvUntagged
	}
	d.ModifiedAt = env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, ev, "", c.TagID)
	return o, nil
}

// AddParticipant brings a colleague into a dialog: it syncs to them even
// outside their lines.
type AddParticipant struct {
	DialogRef
	OperatorID string `json:"operatorId"`
}

func (*AddParticipant) Type() string { return "dialog.add_participant" }
func (c *AddParticipant) validate() error {
	if c.OperatorID == "" {
		return missing(c.Type(), "operatorId")
	}
	return c.need(c.Type())
}

func (c *AddParticipant) Execute(r Reader, env Env) (*Outcome, error) {
	org, _, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	p := org.Operators[c.OperatorID]
	if p == nil || !p.Active {
		return nil, &Refusal{Code: "operator.not_found", Message: "There is no such active operator.", Args: map[string]string{"operator": c.OperatorID}}
	}
	if d.IsParticipant(p.ID) || d.AssigneeID == p.ID {
		return &Outcome{}, nil
	}
	d.Participants, d.ModifiedAt = append(d.Participants, p.ID), env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvParticipantAdded, "", p.ID)
	return o, nil
}

// RateDialog is a supervisor's rating of how a dialog was handled.
type RateDialog struct {
	DialogRef
	Rating  int    `json:"rating"`
	Comment string `json:"comment,omitempty"`
}

func (*RateDialog) Type() string { return "dialog.rate" }
func (c *RateDialog) validate() error {
	if err := validRating(c.Rating); err != nil {
		return err
	}
	if err := checkRatingComment(c.Comment); err != nil {
		return err
	}
	return c.need(c.Type())
}

func (c *RateDialog) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, d, err := actorDialog(r, env, c.DialogID)
	if err != nil {
		return nil, err
	}
	if !MayRateDialog(org, op.ID, d) {
		return nil, Refuse("rating.not_supervisor", "Only the line's supervisors rate dialogs.")
	}
	if d.SupervisorRating == c.Rating && d.SupervisorComment == strings.TrimSpace(c.Comment) {
		return &Outcome{}, nil
	}
	from := itoa(int64(d.SupervisorRating))
	d.SupervisorRating, d.SupervisorComment, d.ModifiedAt = c.Rating, strings.TrimSpace(c.Comment), env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	logEvent(o, env, d, EvRated, from, itoa(int64(c.Rating)))
	return o, nil
}

// ClientRef names a client.
type ClientRef struct {
	ClientID string `json:"clientId"`
}

func (c *ClientRef) load(r Reader) (*Client, error) {
	cl, err := r.Client(c.ClientID)
	if err != nil {
		return nil, Refuse("client.not_found", "There is no such client.")
	}
	cp := *cl
	cp.Contacts = slices.Clone(cl.Contacts)
	return &cp, nil
}

// RenameClient sets the name the team sees; an empty name restores the
// channel's.
type RenameClient struct {
	ClientRef
	Name string `json:"name"`
}

func (*RenameClient) Type() string { return "client.rename" }
func (c *RenameClient) validate() error {
	if c.ClientID == "" {
		return missing(c.Type(), "clientId")
	}
	if utf8.RuneCountInString(c.Name) > 200 {
		return &Refusal{Code: "client.name_too_long", Message: "The name is longer than 200 characters.", Args: map[string]string{"field": "name"}}
	}
	return nil
}

func (c *RenameClient) Execute(r Reader, env Env) (*Outcome, error) {
	if _, _, err := actor(r, env); err != nil {
		return nil, err
	}
	cl, err := c.load(r)
	if err != nil {
		return nil, err
	}
	cl.DisplayName, cl.ModifiedAt = strings.TrimSpace(c.Name), env.Now
	return &Outcome{Clients: []*Client{cl}}, nil
}

// BlacklistClient sends a client to the blacklist (On) or lets it back.
// A blacklisted client's messages are still stored, but its dialogs leave
// every queue and tab for the Blacklist tab and alert no one.
//
// As the seeds have it, the operator handling one of the client's open
// dialogs sends the client to the blacklist from that dialog's menu;
// unblocking happens in the Blacklist tab, which needs dialogs.manage or
// dialogs.view_all. clients.manage allows both.
//
// The flag is copied onto the client's open dialogs and onto its newest
// dialog on every channel (so a client whose dialogs are all closed still
// shows in the Blacklist tab to be unblocked). InboundMessage keeps that
// so: a blacklisted client's new dialog takes the flag off the one before.
type BlacklistClient struct {
	ClientRef
	On bool `json:"on"`
}

func (*BlacklistClient) Type() string { return "client.blacklist" }
func (c *BlacklistClient) validate() error {
	if c.ClientID == "" {
		return missing(c.Type(), "clientId")
	}
	return nil
}

func (c *BlacklistClient) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	cl, err := c.load(r)
	if err != nil {
		return nil, err
	}
	dialogs, err := r.OpenDialogsOfClient(cl.ID)
	if err != nil {
		return nil, err
	}
	manager := org.Can(op.ID, PermClientsManage) || org.Can(op.ID, PermDialogsManage)
	switch {
	case manager:
	case c.On && !slices.ContainsFunc(dialogs, func(d *Dialog) bool { return mayHandle(org, op.ID, d) }):
		return nil, Refuse("client.blacklist_forbidden", "Only the operator handling the client's dialog, or someone who manages clients, may blacklist a client.")
	case !c.On && !org.SeesAll(op.ID):
		return nil, Refuse("client.unblock_forbidden", "Clients are unblocked in the Blacklist tab, which your role does not have.")
	}
	if cl.Blacklisted == c.On {
		return &Outcome{}, nil
	}
	cl.Blacklisted, cl.ModifiedAt = c.On, env.Now
	o := &Outcome{Clients: []*Client{cl}}
	for _, k := range cl.Contacts {
		last, err := r.LatestDialog(cl.ID, k.ChannelID)
		if err != nil {
			return nil, err
		}
		if last != nil && !slices.ContainsFunc(dialogs, func(d *Dialog) bool { return d.ID == last.ID }) {
			dialogs = append(dialogs, last)
		}
	}
	for _, d := range dialogs {
		if d.ClientBlacklisted == c.On {
			continue
		}
		d = d.Clone()
		d.ClientBlacklisted, d.ModifiedAt = c.On, env.Now
		o.Dialogs = append(o.Dialogs, d)
	}
	return o, nil
}

// PinClient routes a client's new dialogs straight to one operator (empty:
// unpin), as the seeds describe it: an operator pins a client to itself and
// unpins its own; to move a client pinned to a colleague, the colleague
// unpins it first. Someone with clients.manage or dialogs.manage (the
// seeds' super-administrator) may also unpin anyone's client and pin a
// client to anyone.
type PinClient struct {
	ClientRef
	OperatorID string `json:"operatorId"`
}

func (*PinClient) Type() string { return "client.pin" }
func (c *PinClient) validate() error {
	if c.ClientID == "" {
		return missing(c.Type(), "clientId")
	}
	return nil
}

func (c *PinClient) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	if c.OperatorID != "" {
		if p := org.Operators[c.OperatorID]; p == nil || !p.Active {
			return nil, &Refusal{Code: "operator.not_found", Message: "There is no such active operator.", Args: map[string]string{"operator": c.OperatorID}}
		}
	}
	cl, err := c.load(r)
	if err != nil {
		return nil, err
	}
	if cl.PinnedOperatorID == c.OperatorID {
		return &Outcome{}, nil
	}
	if !org.Can(op.ID, PermClientsManage) && !org.Can(op.ID, PermDialogsManage) {
		holder := cl.PinnedOperatorID
		switch {
		case c.OperatorID != "" && c.OperatorID != op.ID:
			return nil, Refuse("client.pin_forbidden", "Your role may pin clients only to yourself.")
		case holder != "" && holder != op.ID:
			// Pinning over a colleague, or unpinning a colleague's client.
			return nil, &Refusal{Code: "client.pinned_to_other", Message: "The client is pinned to " + opName(org, holder) + "; only they or an administrator may unpin it.",
				Args: map[string]string{"operator": opName(org, holder)}}
		}
	}
	cl.PinnedOperatorID, cl.ModifiedAt = c.OperatorID, env.Now
	return &Outcome{Clients: []*Client{cl}}, nil
}

// AddClientNote keeps a note on a client for the team.
type AddClientNote struct {
	ClientRef
	NoteID string `json:"noteId"`
	Text   string `json:"text"`
}

func (*AddClientNote) Type() string { return "client.note.add" }
func (c *AddClientNote) validate() error {
	if c.ClientID == "" {
		return missing(c.Type(), "clientId")
	}
	if c.NoteID == "" {
		return missing(c.Type(), "noteId")
	}
	return checkText(c.Text, 0)
}

func (c *AddClientNote) Execute(r Reader, env Env) (*Outcome, error) {
	_, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	if _, err := c.load(r); err != nil {
		return nil, err
	}
	return &Outcome{Notes: []*ClientNote{{ID: c.NoteID, ClientID: c.ClientID, AuthorID: op.ID, Text: c.Text, CreatedAt: env.Now}}}, nil
}

// SaveTemplate creates or changes a quick reply: the team's (global, needs
// templates.manage_global) or the actor's own.
type SaveTemplate struct {
	TemplateID string `json:"templateId"`
	Title      string `json:"title"`
	Text       string `json:"text"`
	Global     bool   `json:"global"`
}

func (*SaveTemplate) Type() string { return "template.save" }
func (c *SaveTemplate) validate() error {
	if c.TemplateID == "" {
		return missing(c.Type(), "templateId")
	}
	return checkTemplate(c.Title, c.Text)
}

func (c *SaveTemplate) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	owner := op.ID
	if c.Global {
		owner = ""
	}
	if prev, err := r.Template(c.TemplateID); err == nil {
		// A colleague's personal template is not ours to change, whatever
		// the command says about it.
		if !org.CanEditTemplate(op.ID, prev) {
			return nil, Refuse("template.forbidden", "You may not change this template.")
		}
		if prev.OwnerID != owner {
			return nil, Refuse("template.owner", "A template cannot move between personal and global.")
		}
	}
	if owner == "" && !org.Can(op.ID, PermTemplatesManageGlobal) {
		return nil, Refuse("template.forbidden", "Your role may not change the team's templates.")
	}
	return &Outcome{Templates: []*Template{{ID: c.TemplateID, OwnerID: owner, Title: NormalizeTemplateTitle(c.Title), Text: c.Text}}}, nil
}

// DeleteTemplate removes a quick reply.
type DeleteTemplate struct {
	TemplateID string `json:"templateId"`
}

func (*DeleteTemplate) Type() string { return "template.delete" }
func (c *DeleteTemplate) validate() error {
	if c.TemplateID == "" {
		return missing(c.Type(), "templateId")
	}
	return nil
}

func (c *DeleteTemplate) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	t, err := r.Template(c.TemplateID)
	if err != nil {
		return &Outcome{}, nil // gone already
	}
	if !org.CanEditTemplate(op.ID, t) {
		return nil, Refuse("template.forbidden", "You may not delete this template.")
	}
	return &Outcome{Deleted: []Ref{{Kind: "template", ID: t.ID}}}, nil
}
