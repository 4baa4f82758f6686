package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// Clients serves the client card: who the client is, its contacts, dialogs
// and unified history on every channel, notes and tasks, and the
// Important tab. Reads come from the replica; every change is an inbox
// command run here first with the same rules the server runs (so a bad
// phone number is refused at once, in words) and then queued.
type Clients struct{ c *core }

// Card returns a client's card; dialogID ("" for none) is the dialog it
// is opened from, which decides the blacklist and pin controls.
func (s *Clients) Card(clientID, dialogID string) (ClientView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return ClientView{}, err
	}
	card, err := rp.Client(ctx, clientID)
	if err != nil {
		return ClientView{}, notFound(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return ClientView{}, toUI(err)
	}
	tasks, err := rp.ClientTasks(ctx, clientID)
	if err != nil {
		return ClientView{}, toUI(err)
	}
	cl := card.Client
	v := ClientView{ID: cl.ID, Name: cl.Name(), OriginalName: cl.OriginalName, Renamed: cl.DisplayName != "",
		Description: cl.Description, AvatarURL: cl.AvatarURL, Blacklisted: cl.Blacklisted,
		Contacts: []ContactView{}, Notes: []NoteView{}, Tasks: []TaskView{}, ContactChannels: []ChannelView{}}
	for _, k := range cl.Contacts {
		h := k.Handle
		if h == "" {
			h = k.ExternalID
		}
		cv := ContactView{ChannelID: k.ChannelID, Kind: string(k.Kind), ExternalID: k.ExternalID, Handle: h, Manual: k.Manual}
		if ch := org.Channels[k.ChannelID]; ch != nil {
			cv.ChannelName = ch.Name
		}
		v.Contacts = append(v.Contacts, cv)
	}
	for _, n := range card.Notes {
		v.Notes = append(v.Notes, NoteView{AuthorName: operatorName(org, n.AuthorID), Text: n.Text, At: ms(n.CreatedAt)})
	}
	today := startOfDay(time.Now())
	for _, k := range tasks {
		v.Tasks = append(v.Tasks, TaskView{ID: k.ID, Text: k.Text, DueAt: ms(k.DueAt), Done: k.Done,
			Overdue: !k.Done && k.DueAt.Before(today), AssigneeID: k.AssigneeID, AssigneeName: operatorName(org, k.AssigneeID),
			CreatedByName: operatorName(org, k.CreatedByID),
			MayChange:     k.AssigneeID == me || k.CreatedByID == me || org.Can(me, inbox.PermClientsManage) || org.Can(me, inbox.PermDialogsManage)})
	}
	for _, ch := range org.Channels {
		if ch.Kind.AddableByHand() {
			v.ContactChannels = append(v.ContactChannels, ChannelView{ID: ch.ID, Name: ch.Name, Kind: string(ch.Kind)})
		}
	}
	slices.SortFunc(v.ContactChannels, func(a, b ChannelView) int { return strings.Compare(a.Name, b.Name) })
	from := &inbox.Dialog{}
	if dialogID != "" {
		d, err := rp.Dialog(ctx, dialogID)
		if err != nil {
			return ClientView{}, notFound(err)
		}
		if d.ClientID == clientID {
			from = d
		}
	}
	clientControls(&v, org, me, from, &cl)
	return v, nil
}

// Dialogs returns a page of the client's dialogs on every channel, the
// most recently active first (the card shows three, then more).
func (s *Clients) Dialogs(clientID string, offset, limit int) (ClientDialogPage, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return ClientDialogPage{}, err
	}
	ds, total, err := rp.ClientDialogs(ctx, clientID, offset, limit)
	if err != nil {
		return ClientDialogPage{}, toUI(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return ClientDialogPage{}, toUI(err)
	}
	page := ClientDialogPage{Rows: []ClientDialogView{}, Total: total}
	for _, d := range ds {
		r := ClientDialogView{ID: d.ID, Number: d.Number, Status: string(d.Status), LastText: d.LastMessageText,
			At: ms(d.LastMessageAt)}
		if r.At == 0 {
			r.At = ms(d.CreatedAt)
		}
		if ch := org.Channels[d.ChannelID]; ch != nil {
			r.ChannelKind, r.ChannelName = string(ch.Kind), ch.Name
		}
		if d.AssigneeID != "" {
			r.AssigneeName = operatorName(org, d.AssigneeID)
		}
		page.Rows = append(page.Rows, r)
	}
	return page, nil
}

// History returns a page of the client's messages on every channel,
// oldest first, before the cursor ("" for the newest page).
func (s *Clients) History(clientID, cursor string) (ClientHistoryView, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return ClientHistoryView{}, err
	}
	var before replica.HistoryCursor
	if cursor != "" {
		if err := json.Unmarshal([]byte(cursor), &before); err != nil {
			return ClientHistoryView{}, uiError(CodeBadInput, "bad cursor", err)
		}
	}
	h, err := rp.ClientHistory(ctx, clientID, before, 50)
	if err != nil {
		return ClientHistoryView{}, toUI(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return ClientHistoryView{}, toUI(err)
	}
	v := ClientHistoryView{Items: []HistoryItem{}, More: h.More}
	if h.More {
		next, _ := json.Marshal(h.Next)
		v.Next = string(next)
	}
	numbers := map[string]int64{}
	for i := range h.Messages {
		m := &h.Messages[i]
		it := HistoryItem{Message: messageView(org, m), DialogID: m.DialogID, Attachments: []AttachmentView{}}
		if ch := org.Channels[m.ChannelID]; ch != nil {
			it.ChannelKind, it.ChannelName = string(ch.Kind), ch.Name
		}
		n, ok := numbers[m.DialogID]
		if !ok {
			if d, err := rp.Dialog(ctx, m.DialogID); err == nil {
				n = d.Number
			}
			numbers[m.DialogID] = n
		}
		it.DialogNumber = n
		if m.DeletedAt.IsZero() {
			for _, a := range m.Attachments {
				it.Attachments = append(it.Attachments, AttachmentView{ID: a.ID, Name: a.Name, MIME: a.MIME, Size: a.Size})
			}
		}
		v.Items = append(v.Items, it)
	}
	return v, nil
}

// Important lists the clients with the operator's open tasks due today
// or overdue, the longest overdue first.
func (s *Clients) Important() ([]ImportantRow, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	list, err := rp.ImportantClients(ctx, me, startOfDay(now).AddDate(0, 0, 1))
	if err != nil {
		return nil, toUI(err)
	}
	today := startOfDay(now)
	out := []ImportantRow{}
	for _, c := range list {
		out = append(out, ImportantRow{ClientID: c.ClientID, Name: c.Name, AvatarURL: c.AvatarURL, Tasks: c.Tasks,
			FirstDue: ms(c.FirstDue), FirstTask: c.FirstTask, Overdue: c.FirstDue.Before(today), DialogID: c.LastDialogID})
	}
	return out, nil
}

// importantCount is the Important tab's counter.
func (c *core) importantCount(ctx context.Context, rp *replica.Replica, me string) (int, error) {
	return rp.ImportantCount(ctx, me, startOfDay(time.Now()).AddDate(0, 0, 1))
}

// startOfDay is midnight of t's day where the operator is.
func startOfDay(t time.Time) time.Time {
	t = t.Local()
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.Local)
}

// Rename sets the name the team sees; the channel's name stays as the
// original. An empty name shows the original again.
func (s *Clients) Rename(clientID, name string) error {
	return s.run("client.rename", map[string]string{"clientId": clientID, "name": name})
}

// Describe sets the team's description of the client.
func (s *Clients) Describe(clientID, description string) error {
	return s.run("client.describe", map[string]string{"clientId": clientID, "description": description})
}

// SaveContact adds a phone number or e-mail address on a channel
// (externalID empty), or changes one added by hand before.
func (s *Clients) SaveContact(clientID, channelID, externalID, value string) error {
	return s.run("client.contact.save", map[string]string{"clientId": clientID, "channelId": channelID, "externalId": externalID, "value": value})
}

// AddNote keeps a note on the client for the team.
func (s *Clients) AddNote(clientID, text string) error {
	return s.run("client.note.add", map[string]string{"clientId": clientID, "noteId": newID(), "text": text})
}

// CreateTask sets a task on the client due on a day ("2006-01-02", the
// operator's calendar) for the operator or a colleague (assigneeID).
func (s *Clients) CreateTask(clientID, text, due, assigneeID string) error {
	day, err := time.ParseInLocation(time.DateOnly, due, time.Local)
	if err != nil {
		return uiError("task.no_due", "Choose when the task is due.", err)
	}
	if day.Before(startOfDay(time.Now())) {
		return uiError("task.due_in_past", "The due date has passed; choose today or later.", nil)
	}
	return s.run("task.create", map[string]any{"clientId": clientID, "taskId": newID(), "assigneeId": assigneeID,
		"text": text, "dueAt": day.UTC()})
}

// CompleteTask marks a task done, or (done false) open again.
func (s *Clients) CompleteTask(taskID string, done bool) error {
	return s.run("task.complete", map[string]any{"taskId": taskID, "done": done})
}

// DeleteTask removes a task.
func (s *Clients) DeleteTask(taskID string) error {
	return s.run("task.delete", map[string]string{"taskId": taskID})
}

// run executes a client command on the replica with the domain's rules
// and queues it with what it changed as the optimistic change. A refusal
// comes back at once with its code (the UI's words); a command that
// changes nothing is not sent.
func (s *Clients) run(typ string, payload any) error {
	ctx := context.Background()
	rp, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return err
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return toUI(err)
	}
	cmd, err := inbox.DecodeCommand(typ, body)
	if err != nil {
		return refusalError(err)
	}
	o, err := cmd.Execute(&cardReader{ctx: ctx, rp: rp, org: org}, inbox.Env{Now: time.Now().UTC(), ActorID: me, NewID: newID})
	if err != nil {
		return refusalError(err)
	}
	if o.Empty() {
		return nil
	}
	var opt replica.Optimistic
	if len(o.Clients) > 0 {
		opt.Client = o.Clients[0]
	}
	if len(o.Notes) > 0 {
		opt.Note = o.Notes[0]
	}
	if len(o.Tasks) > 0 {
		opt.Task = o.Tasks[0]
	}
	for _, d := range o.Deleted {
		if d.Kind == "task" {
			opt.DeleteTask = d.ID
		}
	}
	return s.c.enqueue(ctx, rp, typ, json.RawMessage(body), "", opt)
}

// refusalError passes a rule's refusal to the UI with its code, which the
// UI translates; anything else is internal.
func refusalError(err error) error {
	r, ok := inbox.AsRefusal(err)
	if !ok {
		return toUI(err)
	}
	ue := uiError(r.Code, r.Message, err)
	if f := r.Args["field"]; f != "" {
		ue.Fields = map[string]string{f: r.Code}
	}
	return ue
}

// errNotLocal answers the lookups the client card's commands never make.
var errNotLocal = errors.New("not answered from the replica")

// cardReader is the inbox.Reader the client card's commands run on here:
// the replica's clients, tasks and dialogs. Whether another client holds
// a contact is left to the server, which sees every client.
type cardReader struct {
	ctx context.Context
	rp  *replica.Replica
	org *inbox.Org
}

func (r *cardReader) Org() *inbox.Org { return r.org }
func (r *cardReader) Dialog(id string) (*inbox.Dialog, error) {
	return r.rp.Dialog(r.ctx, id)
}
func (r *cardReader) Client(id string) (*inbox.Client, error) {
	card, err := r.rp.Client(r.ctx, id)
	if err != nil {
		return nil, err
	}
	return &card.Client, nil
}
func (r *cardReader) Task(id string) (*inbox.ClientTask, error) { return r.rp.Task(r.ctx, id) }
func (r *cardReader) ClientByContact(string, string) (*inbox.Client, error) {
	return nil, nil
}
func (r *cardReader) Message(string) (*inbox.Message, error) { return nil, errNotLocal }
func (r *cardReader) LatestDialog(string, string) (*inbox.Dialog, error) {
	return nil, errNotLocal
}
func (r *cardReader) MessageByExternalID(string, string) (*inbox.Message, error) {
	return nil, errNotLocal
}
func (r *cardReader) OpenDialogsOfClient(string) ([]*inbox.Dialog, error) { return nil, errNotLocal }
func (r *cardReader) Template(string) (*inbox.Template, error)            { return nil, errNotLocal }
func (r *cardReader) SnoozedDue(time.Time) ([]*inbox.Dialog, error)       { return nil, errNotLocal }

var _ inbox.Reader = (*cardReader)(nil)
