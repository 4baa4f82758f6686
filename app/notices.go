package app

import (
	"context"
	"slices"
	"time"

	"switchboard/app/notify"
	"switchboard/app/replica"
	"switchboard/inbox"
)

// NoticesChanged is the number of unread entries after the change.
type NoticesChanged struct {
	Unread int `json:"unread"`
}

// NoticeView is one entry of the notification centre. A mention is named
// by its author and text (the UI words the title); an alert carries the
// title and body it was raised with, in the language of that moment.
type NoticeView struct {
	ID         string `json:"id"`
	Kind       string `json:"kind"`
	DialogID   string `json:"dialogId"`
	ActorName  string `json:"actorName"`
	ClientName string `json:"clientName"`
	Title      string `json:"title"`
	Body       string `json:"body"`
	Count      int    `json:"count"`
	At         int64  `json:"at"`
	Read       bool   `json:"read"`
}

// NoticeList is the newest entries and the count of unread ones.
type NoticeList struct {
	Items  []NoticeView `json:"items"`
	Unread int          `json:"unread"`
}

// Notices is the in-app notification centre: every mention of the
// operator, and every native alert the app raised, each with a link to its
// dialog, read or unread. It lives in the replica: it survives restarts and
// goes with signing out.
type Notices struct{ c *core }

// List returns the 100 newest entries.
func (s *Notices) List() (NoticeList, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return NoticeList{}, err
	}
	list, unread, err := rp.Notices(ctx, 100)
	if err != nil {
		return NoticeList{}, toUI(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return NoticeList{}, toUI(err)
	}
	out := NoticeList{Items: make([]NoticeView, 0, len(list)), Unread: unread}
	names := map[string]string{}
	for _, n := range list {
		v := NoticeView{ID: n.ID, Kind: n.Kind, DialogID: n.DialogID, Title: n.Title, Body: n.Body,
			Count: n.Count, At: ms(n.At), Read: n.Read}
		if n.ActorID != "" {
			v.ActorName = operatorName(org, n.ActorID)
		}
		if n.DialogID != "" {
			name, ok := names[n.DialogID]
			if !ok {
				if d, err := rp.Dialog(ctx, n.DialogID); err == nil {
					name, _ = rp.ClientName(ctx, d.ClientID)
				}
				names[n.DialogID] = name
			}
			v.ClientName = name
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// MarkRead marks the given entries read.
func (s *Notices) MarkRead(ids []string) error {
	return s.mark(ids)
}

// MarkAllRead marks every entry read.
func (s *Notices) MarkAllRead() error {
	return s.mark(nil)
}

func (s *Notices) mark(ids []string) error {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	if ids != nil && len(ids) == 0 {
		return nil
	}
	n, err := rp.MarkNoticesRead(ctx, ids...)
	if err != nil {
		return toUI(err)
	}
	if n > 0 {
		s.c.noticesChanged(ctx)
	}
	return nil
}

// noticesChanged tells the UI how many entries are unread now.
func (c *core) noticesChanged(ctx context.Context) {
	c.mu.Lock()
	rp := c.rp
	c.mu.Unlock()
	if rp == nil {
		return
	}
	if n, err := rp.UnreadNotices(ctx); err == nil {
		c.emit(EventNoticesChanged, NoticesChanged{Unread: n})
	}
}

// raisedAlert is the Alerter's OnAlert hook: every alert raised goes into
// the centre, except mentions, which the centre lists one comment at a
// time from the messages themselves (recordMentions), so a mention neither
// goes missing under Do Not Disturb nor appears twice. The hook runs under
// the Alerter's lock, so the write happens on a goroutine of its own.
func (c *core) raisedAlert(a notify.Alert) {
	at := time.Now().UTC()
	c.mu.Lock()
	c.raised = append(c.raised, RaisedAlert{Kind: string(a.Kind), Title: a.Title, Body: a.Body, DialogID: a.DialogID, Count: a.Count, At: ms(at)})
	if len(c.raised) > maxRaised {
		c.raised = slices.Delete(c.raised, 0, len(c.raised)-maxRaised)
	}
	c.mu.Unlock()
	if a.Kind == notify.KindMention {
		return
	}
	go func() {
		ctx := context.Background()
		c.mu.Lock()
		rp := c.rp
		c.mu.Unlock()
		if rp == nil {
			return
		}
		n := replica.Notice{ID: "alert:" + newID(), Kind: string(a.Kind), DialogID: a.DialogID,
			Title: a.Title, Body: a.Body, Count: a.Count, At: at}
		if added, err := rp.AddNotice(ctx, n); err == nil && added {
			c.noticesChanged(ctx)
		}
	}()
}

// RaisedAlert is an alert the Alerter raised, as the dev build's test hook
// reports it.
type RaisedAlert struct {
	Kind     string `json:"kind"`
	Title    string `json:"title"`
	Body     string `json:"body"`
	DialogID string `json:"dialogId"`
	Count    int    `json:"count"`
	At       int64  `json:"at"`
}

// maxRaised bounds the raised alerts kept in memory.
const maxRaised = 100

// recordMentions lists in the centre each new comment of a batch that
// mentions the operator. A replica filling from empty brings history, not
// news: its mentions are listed as read. One in the dialog on screen is
// read as it arrives.
func (c *core) recordMentions(ctx context.Context, a replica.Applied) {
	c.mu.Lock()
	rp, me, filling, viewing := c.rp, c.session.OperatorID, c.filling, c.viewing
	c.mu.Unlock()
	if rp == nil || me == "" {
		return
	}
	added := false
	for _, mc := range a.Messages {
		m := mc.Message
		if !mc.New || m.Kind != inbox.MsgComment || m.AuthorID == me || !slices.Contains(m.Mentions, me) || !m.DeletedAt.IsZero() {
			continue
		}
		n := replica.Notice{ID: "mention:" + m.ID, Kind: replica.NoticeMention, DialogID: m.DialogID, MessageID: m.ID,
			ActorID: m.AuthorID, Body: m.Text, At: m.CreatedAt, Read: filling || m.DialogID == viewing}
		if ok, err := rp.AddNotice(ctx, n); err == nil && ok {
			added = true
		}
	}
	if added {
		c.noticesChanged(ctx)
	}
}
