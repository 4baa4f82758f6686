package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/wire"
)

// Templates serves the quick replies of the composer's picker: the team's
// and the operator's own, filtered as the operator types, filled for the
// open dialog; and creating, editing and deleting them. Writes go through
// the outbox like every command, so they work offline.
type Templates struct{ c *core }

// TemplateView is one quick reply in the picker.
type TemplateView struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Text is the template as written, variables and all (for editing).
	Text string `json:"text"`
	// Filled is Text with the variables filled for the dialog asked about:
	// what the picker inserts.
	Filled string `json:"filled"`
	// Global is true for the team's templates, false for the operator's.
	Global bool `json:"global"`
	// Editable says whether the operator may change or delete it.
	Editable bool `json:"editable"`
}

// TemplateList is what the picker shows.
type TemplateList struct {
	Items []TemplateView `json:"items"`
	// CanManageGlobal says whether the operator may create team templates.
	CanManageGlobal bool `json:"canManageGlobal"`
	// Variables are the variables a template may hold, e.g. "client.name".
	Variables []string `json:"variables"`
}

// List returns the templates whose title or text holds every word of query
// (case and ё/е folded, titles first), filled for the dialog (dialogID may
// be "": variables are left empty then).
func (s *Templates) List(dialogID, query string) (TemplateList, error) {
	ctx := context.Background()
	rp, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return TemplateList{}, err
	}
	values, err := s.values(ctx, rp, org, me, dialogID)
	if err != nil {
		return TemplateList{}, err
	}
	ts, err := rp.Templates(ctx, me, query)
	if err != nil {
		return TemplateList{}, toUI(err)
	}
	out := TemplateList{Items: []TemplateView{}, CanManageGlobal: org.Can(me, inbox.PermTemplatesManageGlobal),
		Variables: inbox.TemplateVariables}
	for i := range ts {
		t := &ts[i]
		out.Items = append(out.Items, TemplateView{ID: t.ID, Title: t.Title, Text: t.Text, Filled: values.Fill(t.Text),
			Global: t.OwnerID == "", Editable: org.CanEditTemplate(me, t)})
	}
	return out, nil
}

// values are the variables' values in a dialog; none without one.
func (s *Templates) values(ctx context.Context, rp *replica.Replica, org *inbox.Org, me, dialogID string) (inbox.TemplateValues, error) {
	if dialogID == "" {
		return inbox.ValuesFor(org, me, nil, nil), nil
	}
	d, err := rp.Dialog(ctx, dialogID)
	if err != nil {
		return nil, notFound(err)
	}
	card, err := rp.Client(ctx, d.ClientID)
	if err != nil {
		return inbox.ValuesFor(org, me, d, nil), nil // a client not synced yet: its name stays empty
	}
	return inbox.ValuesFor(org, me, d, &card.Client), nil
}

// Save creates (id "") or changes a template, personal or the team's
// (global), and returns its id. The domain's rules run here first, so a
// refusal (no title, a misspelt variable, no right to the team's
// templates) comes at once, offline too.
func (s *Templates) Save(id, title, text string, global bool) (string, error) {
	if id == "" {
		id = newID()
	}
	cmd := &inbox.SaveTemplate{TemplateID: id, Title: title, Text: text, Global: global}
	o, err := s.run(cmd)
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(o.Templates[0])
	if err != nil {
		return "", toUI(err)
	}
	return id, s.enqueue(cmd, &replica.EntityChange{Kind: wire.KindTemplate, ID: id, Data: data})
}

// Delete removes a template; one that is gone already is no error.
func (s *Templates) Delete(id string) error {
	cmd := &inbox.DeleteTemplate{TemplateID: id}
	o, err := s.run(cmd)
	if err != nil || o.Empty() {
		return err
	}
	return s.enqueue(cmd, &replica.EntityChange{Kind: wire.KindTemplate, ID: id})
}

// run checks and executes a template command against the replica, as the
// server will against its store.
func (s *Templates) run(cmd inbox.Command) (*inbox.Outcome, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(cmd)
	if err != nil {
		return nil, toUI(err)
	}
	// Decoding validates, as the server's decoding of the wire does.
	decoded, err := inbox.DecodeCommand(cmd.Type(), payload)
	if err != nil {
		return nil, toUI(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return nil, toUI(err)
	}
	env := inbox.Env{Now: time.Now().UTC(), ActorID: me, NewID: newID, NextDialogNumber: func() int64 { return 0 }}
	o, err := decoded.Execute(templateReader{ctx: ctx, rp: rp, org: org}, env)
	if err != nil {
		return nil, toUI(err)
	}
	return o, nil
}

func (s *Templates) enqueue(cmd inbox.Command, change *replica.EntityChange) error {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	if err := s.c.enqueue(ctx, rp, cmd.Type(), cmd, "", replica.Optimistic{Entity: change}); err != nil {
		return err
	}
	s.c.emit(EventTemplatesChanged, nil)
	return nil
}

// templateReader is the replica as the template commands read it: the org
// and the templates. They read nothing else; the rest finds nothing.
type templateReader struct {
	ctx context.Context
	rp  *replica.Replica
	org *inbox.Org
}

var _ inbox.Reader = templateReader{}

func (r templateReader) Org() *inbox.Org { return r.org }
func (r templateReader) Template(id string) (*inbox.Template, error) {
	return r.rp.Template(r.ctx, id)
}

func (templateReader) none(what, id string) error {
	return fmt.Errorf("%s %s: %w", what, id, inbox.ErrNotFound)
}
func (r templateReader) Dialog(id string) (*inbox.Dialog, error)   { return nil, r.none("dialog", id) }
func (r templateReader) Client(id string) (*inbox.Client, error)   { return nil, r.none("client", id) }
func (r templateReader) Message(id string) (*inbox.Message, error) { return nil, r.none("message", id) }
func (r templateReader) Task(id string) (*inbox.ClientTask, error) { return nil, r.none("task", id) }
func (templateReader) LatestDialog(string, string) (*inbox.Dialog, error) {
	return nil, nil
}
func (templateReader) ClientByContact(string, string) (*inbox.Client, error) {
	return nil, nil
}
func (templateReader) MessageByExternalID(string, string) (*inbox.Message, error) {
	return nil, nil
}
func (templateReader) OpenDialogsOfClient(string) ([]*inbox.Dialog, error) { return nil, nil }
func (templateReader) SnoozedDue(time.Time) ([]*inbox.Dialog, error)       { return nil, nil }
