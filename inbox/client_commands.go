package inbox

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

func init() {
	register(func() Command { return new(DescribeClient) })
	register(func() Command { return new(SaveContact) })
	register(func() Command { return new(CreateTask) })
	register(func() Command { return new(CompleteTask) })
	register(func() Command { return new(DeleteTask) })
}

// Limits of what the client card keeps.
const (
	MaxDescriptionRunes = 2000
	MaxTaskRunes        = 1000
	MaxContacts         = 50
)

// DescribeClient sets the team's description of a client (empty clears it).
type DescribeClient struct {
	ClientRef
	Description string `json:"description"`
}

func (*DescribeClient) Type() string { return "client.describe" }
func (c *DescribeClient) validate() error {
	if c.ClientID == "" {
		return missing(c.Type(), "clientId")
	}
	if utf8.RuneCountInString(c.Description) > MaxDescriptionRunes {
		return &Refusal{Code: "client.description_too_long", Message: "The description is longer than 2000 characters.",
			Args: map[string]string{"field": "description", "max": itoa(MaxDescriptionRunes)}}
	}
	return nil
}

func (c *DescribeClient) Execute(r Reader, env Env) (*Outcome, error) {
	if _, _, err := actor(r, env); err != nil {
		return nil, err
	}
	cl, err := c.load(r)
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(c.Description)
	if cl.Description == text {
		return &Outcome{}, nil
	}
	cl.Description, cl.ModifiedAt = text, env.Now
	return &Outcome{Clients: []*Client{cl}}, nil
}

// SaveContact adds a phone number or an e-mail address to a client, or
// (ExternalID set) changes one an operator added before. The channel's own
// identities are not edited: the channel routes the customer by them.
type SaveContact struct {
	ClientRef
	ChannelID string `json:"channelId"`
	// ExternalID names the contact to change; empty adds a new one.
	ExternalID string `json:"externalId,omitempty"`
	// Value is what the operator typed.
	Value string `json:"value"`
}

func (*SaveContact) Type() string { return "client.contact.save" }
func (c *SaveContact) validate() error {
	switch {
	case c.ClientID == "":
		return missing(c.Type(), "clientId")
	case c.ChannelID == "":
		return missing(c.Type(), "channelId")
	case strings.TrimSpace(c.Value) == "":
		return &Refusal{Code: "contact.empty", Message: "Write the phone number or the e-mail address.", Args: map[string]string{"field": "value"}}
	}
	return nil
}

func (c *SaveContact) Execute(r Reader, env Env) (*Outcome, error) {
	org, _, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	ch := org.Channels[c.ChannelID]
	if ch == nil {
		return nil, &Refusal{Code: "channel.not_found", Message: "There is no such channel.", Args: map[string]string{"channel": c.ChannelID}}
	}
	k, err := ContactOf(ch, c.Value)
	if err != nil {
		return nil, err
	}
	cl, err := c.load(r)
	if err != nil {
		return nil, err
	}
	at := -1 // the contact being changed
	for i, x := range cl.Contacts {
		if c.ExternalID != "" && x.ChannelID == c.ChannelID && x.ExternalID == c.ExternalID {
			at = i
		}
	}
	switch {
	case c.ExternalID != "" && at < 0:
		return nil, Refuse("contact.not_found", "The client has no such contact (any more).")
	case at >= 0 && !cl.Contacts[at].Manual:
		return nil, Refuse("contact.from_channel", "This contact came from the channel; it cannot be edited.")
	}
	for i, x := range cl.Contacts {
		if i != at && x.ChannelID == k.ChannelID && x.ExternalID == k.ExternalID {
			if at >= 0 {
				return nil, Refuse("contact.duplicate", "The client has this contact already.")
			}
			return &Outcome{}, nil // added already: a repeat
		}
	}
	if at >= 0 && cl.Contacts[at] == k {
		return &Outcome{}, nil
	}
	other, err := r.ClientByContact(k.ChannelID, k.ExternalID)
	if err != nil {
		return nil, err
	}
	if other != nil && other.ID != cl.ID {
		return nil, &Refusal{Code: "contact.taken", Message: k.Handle + " is already a contact of " + other.Name() + ".",
			Args: map[string]string{"contact": k.Handle, "client": other.Name()}}
	}
	if at >= 0 {
		cl.Contacts[at] = k
	} else {
		if len(cl.Contacts) >= MaxContacts {
			return nil, &Refusal{Code: "contact.too_many", Message: "A client has at most 50 contacts.", Args: map[string]string{"max": itoa(MaxContacts)}}
		}
		cl.Contacts = append(cl.Contacts, k)
	}
	cl.ModifiedAt = env.Now
	return &Outcome{Clients: []*Client{cl}}, nil
}

// CreateTask sets a to-do with a due date on a client, for the actor or
// a colleague who shares a line or group with the actor (anyone, for
// those who manage dialogs or clients).
type CreateTask struct {
	ClientRef
	TaskID string `json:"taskId"`
	// AssigneeID is whose task it is; empty means the actor's own.
	AssigneeID string    `json:"assigneeId,omitempty"`
	Text       string    `json:"text"`
	DueAt      time.Time `json:"dueAt"`
}

func (*CreateTask) Type() string { return "task.create" }
func (c *CreateTask) validate() error {
	switch {
	case c.ClientID == "":
		return missing(c.Type(), "clientId")
	case c.TaskID == "":
		return missing(c.Type(), "taskId")
	case strings.TrimSpace(c.Text) == "":
		return &Refusal{Code: "task.empty", Message: "Write what is to be done.", Args: map[string]string{"field": "text"}}
	case utf8.RuneCountInString(c.Text) > MaxTaskRunes:
		return &Refusal{Code: "task.too_long", Message: "A task is at most 1000 characters.", Args: map[string]string{"field": "text", "max": itoa(MaxTaskRunes)}}
	case c.DueAt.IsZero():
		return &Refusal{Code: "task.no_due", Message: "Choose when the task is due.", Args: map[string]string{"field": "dueAt"}}
	}
	return nil
}

// dueSlack is how far in the past a due date may lie: the server does not
// know the operator's time zone, and "today" starts up to 14 hours before
// UTC's.
const dueSlack = 26 * time.Hour

func (c *CreateTask) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	if _, err := r.Task(c.TaskID); err == nil {
		return &Outcome{}, nil // created already: a repeat
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if _, err := c.load(r); err != nil {
		return nil, err
	}
	to := op
	if c.AssigneeID != "" && c.AssigneeID != op.ID {
		to = org.Operators[c.AssigneeID]
		switch {
		case to == nil || !to.Active:
			return nil, &Refusal{Code: "operator.not_found", Message: "There is no such active operator.", Args: map[string]string{"operator": c.AssigneeID}}
		case !org.SharesLineOrGroup(op.ID, to.ID) && !mayManageClients(org, op.ID):
			return nil, &Refusal{Code: "task.not_colleague", Message: to.Name + " does not work a line or group with you.",
				Args: map[string]string{"operator": to.Name}}
		}
	}
	if c.DueAt.Before(env.Now.Add(-dueSlack)) {
		return nil, &Refusal{Code: "task.due_in_past", Message: "The due date has passed; choose today or later.", Args: map[string]string{"field": "dueAt"}}
	}
	k := &ClientTask{ID: c.TaskID, ClientID: c.ClientID, AssigneeID: to.ID, CreatedByID: op.ID,
		Text: strings.TrimSpace(c.Text), DueAt: c.DueAt.UTC(), CreatedAt: env.Now}
	return &Outcome{Tasks: []*ClientTask{k}}, nil
}

func mayManageClients(org *Org, id string) bool {
	return org.Can(id, PermClientsManage) || org.Can(id, PermDialogsManage)
}

// TaskRef names a task.
type TaskRef struct {
	TaskID string `json:"taskId"`
}

// loadTask reads a task the actor may change: its assignee's, its
// creator's, or anyone's for those who manage clients or dialogs.
func (c *TaskRef) loadTask(r Reader, org *Org, actorID string) (*ClientTask, error) {
	k, err := r.Task(c.TaskID)
	if errors.Is(err, ErrNotFound) {
		return nil, &Refusal{Code: "task.not_found", Message: "There is no such task (any more).", Args: map[string]string{"task": c.TaskID}}
	}
	if err != nil {
		return nil, err
	}
	if k.AssigneeID != actorID && k.CreatedByID != actorID && !mayManageClients(org, actorID) {
		return nil, &Refusal{Code: "task.not_yours", Message: "This task is " + opName(org, k.AssigneeID) + "'s.",
			Args: map[string]string{"operator": opName(org, k.AssigneeID)}}
	}
	cp := *k
	return &cp, nil
}

// CompleteTask marks a task done (Done false: open again).
type CompleteTask struct {
	TaskRef
	Done bool `json:"done"`
}

func (*CompleteTask) Type() string { return "task.complete" }
func (c *CompleteTask) validate() error {
	if c.TaskID == "" {
		return missing(c.Type(), "taskId")
	}
	return nil
}

func (c *CompleteTask) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	k, err := c.loadTask(r, org, op.ID)
	if err != nil {
		return nil, err
	}
	if k.Done == c.Done {
		return &Outcome{}, nil
	}
	k.Done, k.DoneAt, k.DoneByID = c.Done, env.Now, op.ID
	if !c.Done {
		k.DoneAt, k.DoneByID = time.Time{}, ""
	}
	return &Outcome{Tasks: []*ClientTask{k}}, nil
}

// DeleteTask removes a task.
type DeleteTask struct{ TaskRef }

func (*DeleteTask) Type() string { return "task.delete" }
func (c *DeleteTask) validate() error {
	if c.TaskID == "" {
		return missing(c.Type(), "taskId")
	}
	return nil
}

func (c *DeleteTask) Execute(r Reader, env Env) (*Outcome, error) {
	org, op, err := actor(r, env)
	if err != nil {
		return nil, err
	}
	if _, err := r.Task(c.TaskID); errors.Is(err, ErrNotFound) {
		return &Outcome{}, nil // gone already
	}
	k, err := c.loadTask(r, org, op.ID)
	if err != nil {
		return nil, err
	}
	return &Outcome{Deleted: []Ref{{Kind: "task", ID: k.ID}}}, nil
}
