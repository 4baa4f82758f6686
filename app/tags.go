package app

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"switchboard/app/replica"
	"switchboard/inbox"
	"switchboard/wire"
)

// Error codes of tagging; the UI uses each as an i18n key.
const (
	CodeTagName      = "tag.name_invalid"    // empty, or more than one line
	CodeTagTooLong   = "tag.name_too_long"   // over inbox.MaxTagRunes
	CodeTagUnknown   = "tag.not_found"       // the tag is not in the list
	CodeNoMessages   = "tag.no_messages"     // tagging with no message picked
	CodeTagMessages  = "message.not_found"   // a picked message is not in the dialog
	CodeFilterName   = "filter.name_invalid" // a saved filter needs a name
	CodeFilterDates  = "filter.dates"        // the end date is before the start
	CodeFilterStatus = "filter.status"       // not a status the inbox knows
)

// TagView is a tag as chips and pickers show it.
type TagView struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color"`
}

// SavedFilterView is one of the operator's saved filters.
type SavedFilterView struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Filter replica.Filter `json:"filter"`
}

// tagViews resolves tag ids by the org, in order; tags the workspace no
// longer has are left out.
func tagViews(org *inbox.Org, ids []string) []TagView {
	out := []TagView{}
	for _, id := range ids {
		if t := org.Tags[id]; t != nil {
			out = append(out, TagView{ID: t.ID, Name: t.Name, Color: t.Color})
		}
	}
	return out
}

// Tags returns the workspace's tags by name, for the pickers.
func (s *Inbox) Tags() ([]TagView, error) {
	ctx := context.Background()
	_, org, _, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(org.Tags))
	for id := range org.Tags {
		ids = append(ids, id)
	}
	out := tagViews(org, ids)
	slices.SortFunc(out, func(a, b TagView) int { return strings.Compare(inbox.TagKey(a.Name), inbox.TagKey(b.Name)) })
	return out, nil
}

// Channels returns the workspace's channels by name, for the filter.
func (s *Inbox) Channels() ([]ChannelView, error) {
	ctx := context.Background()
	_, org, _, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
	}
	out := []ChannelView{}
	for _, ch := range org.Channels {
		out = append(out, ChannelView{ID: ch.ID, Name: ch.Name, Kind: string(ch.Kind)})
	}
	slices.SortFunc(out, func(a, b ChannelView) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out, nil
}

// checkFilter refuses a filter the list cannot mean.
func checkFilter(f replica.Filter) error {
	if f.Status != "" && !slices.Contains([]inbox.Status{inbox.StatusUnassigned, inbox.StatusInProgress, inbox.StatusSnoozed,
		inbox.StatusClosed, inbox.StatusSpam}, inbox.Status(f.Status)) {
		return uiError(CodeFilterStatus, "", nil)
	}
	if f.From < 0 || f.To < 0 || (f.From > 0 && f.To > 0 && f.To <= f.From) {
		return uiError(CodeFilterDates, "", nil)
	}
	return nil
}

// ListFiltered returns rows offset..offset+limit of a tab narrowed by a
// filter (line, operator, status, channel, tag, dates; every field set
// must match) and a client-name or number query.
func (s *Inbox) ListFiltered(tab string, f replica.Filter, query string, offset, limit int) (DialogPage, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return DialogPage{}, err
	}
	t := replica.Tab(tab)
	if !slices.Contains(replica.Tabs, t) {
		return DialogPage{}, uiError(CodeBadInput, "unknown tab", nil)
	}
	if err := checkFilter(f); err != nil {
		return DialogPage{}, err
	}
	items, total, err := rp.ListDialogs(ctx, me, replica.ListQuery{Tab: t, Filter: f, Query: query, Offset: offset, Limit: limit})
	if err != nil {
		return DialogPage{}, toUI(err)
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return DialogPage{}, toUI(err)
	}
	page := DialogPage{Rows: make([]DialogRow, 0, len(items)), Offset: offset, Total: total}
	for _, it := range items {
		page.Rows = append(page.Rows, s.c.rowOf(org, it, t))
	}
	return page, nil
}

// SavedFilters returns the operator's saved filters by name. They are kept
// in this desktop's replica, per operator: signing out keeps them, another
// desktop has its own.
func (s *Inbox) SavedFilters() ([]SavedFilterView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	list, err := rp.SavedFilters(ctx, me)
	if err != nil {
		return nil, toUI(err)
	}
	out := make([]SavedFilterView, 0, len(list))
	for _, f := range list {
		out = append(out, SavedFilterView{ID: f.ID, Name: f.Name, Filter: f.Filter})
	}
	return out, nil
}

// maxFilterName bounds a saved filter's name.
const maxFilterName = 60

// SaveFilter keeps a filter under a name (replacing the operator's filter
// of that name, if any) and returns it.
func (s *Inbox) SaveFilter(name string, f replica.Filter) (SavedFilterView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return SavedFilterView{}, err
	}
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > maxFilterName {
		return SavedFilterView{}, uiError(CodeFilterName, "", nil)
	}
	if err := checkFilter(f); err != nil {
		return SavedFilterView{}, err
	}
	saved, err := rp.SaveFilter(ctx, me, newID(), name, f, time.Now())
	if err != nil {
		return SavedFilterView{}, toUI(err)
	}
	return SavedFilterView{ID: saved.ID, Name: saved.Name, Filter: saved.Filter}, nil
}

// DeleteFilter removes one of the operator's saved filters.
func (s *Inbox) DeleteFilter(id string) error {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	return toUI(rp.DeleteFilter(ctx, me, id))
}

// tagColors are the colours a tag made on the spot gets, picked by its
// name so one name always looks the same.
var tagColors = []string{"#d9534f", "#f0ad4e", "#5cb85c", "#5bc0de", "#337ab7", "#9b59b6", "#e67e22", "#16a085"}

// CreateTag makes a tag on the spot, as the seeds describe: it joins the
// team's list at once (and for good) and is returned to be put on
// messages or the dialog. A name the list has already (regardless of case
// and spacing) returns that tag instead of a second one.
func (s *Conversation) CreateTag(name string) (TagView, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return TagView{}, err
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "" || strings.ContainsFunc(name, unicode.IsControl) || !utf8.ValidString(name):
		return TagView{}, uiError(CodeTagName, "", nil)
	case utf8.RuneCountInString(name) > inbox.MaxTagRunes:
		return TagView{}, uiError(CodeTagTooLong, "", nil)
	}
	name = strings.Join(strings.Fields(name), " ")
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return TagView{}, toUI(err)
	}
	for _, t := range org.Tags {
		if inbox.TagKey(t.Name) == inbox.TagKey(name) {
			return TagView{ID: t.ID, Name: t.Name, Color: t.Color}, nil
		}
	}
	h := fnv.New32a()
	h.Write([]byte(inbox.TagKey(name)))
	tag := &inbox.Tag{ID: "tag-" + newID(), Name: name, Color: tagColors[h.Sum32()%uint32(len(tagColors))]}
	payload := map[string]string{"tagId": tag.ID, "name": tag.Name, "color": tag.Color}
	data, err := json.Marshal(tag)
	if err != nil {
		return TagView{}, toUI(err)
	}
	opt := replica.Optimistic{Entity: &replica.EntityChange{Kind: wire.KindTag, ID: tag.ID, Data: data}}
	if err := s.c.enqueue(ctx, rp, "tag.create", payload, "", opt); err != nil {
		return TagView{}, err
	}
	return TagView{ID: tag.ID, Name: tag.Name, Color: tag.Color}, nil
}

// knownTag checks that the workspace has the tag.
func (s *Conversation) knownTag(ctx context.Context, rp *replica.Replica, tagID string) error {
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return toUI(err)
	}
	if org.Tags[tagID] == nil {
		return uiError(CodeTagUnknown, "", nil)
	}
	return nil
}

// TagMessages puts a tag on the messages the operator selected in a
// dialog. A message's tags are never taken off (the seeds say so); a
// message that has the tag already is left as it is.
func (s *Conversation) TagMessages(dialogID string, messageIDs []string, tagID string) error {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	if len(messageIDs) == 0 {
		return uiError(CodeNoMessages, "", nil)
	}
	if len(messageIDs) > inbox.MaxTaggedMessages {
		return uiError(CodeBadInput, "too many messages", nil)
	}
	if _, err := rp.Dialog(ctx, dialogID); err != nil {
		return notFound(err)
	}
	if err := s.knownTag(ctx, rp, tagID); err != nil {
		return err
	}
	msgs, err := rp.DialogMessagesByID(ctx, dialogID, messageIDs)
	if err != nil {
		return toUI(err)
	}
	if len(msgs) != len(slices.Compact(slices.Sorted(slices.Values(messageIDs)))) {
		return uiError(CodeTagMessages, "", nil)
	}
	var changed []*inbox.Message
	for i := range msgs {
		m := &msgs[i]
		if !m.DeletedAt.IsZero() {
			return uiError(CodeTagMessages, "", nil)
		}
		if !slices.Contains(m.Tags, tagID) {
			m.Tags = append(m.Tags, tagID)
			changed = append(changed, m)
		}
	}
	if len(changed) == 0 {
		return nil
	}
	payload := struct {
		DialogID   string   `json:"dialogId"`
		MessageIDs []string `json:"messageIds"`
		TagID      string   `json:"tagId"`
	}{dialogID, messageIDs, tagID}
	return s.c.enqueue(ctx, rp, "message.tag", payload, dialogID, replica.Optimistic{Messages: changed})
}

// TagDialog puts a tag on a dialog.
func (s *Conversation) TagDialog(dialogID, tagID string) error {
	return s.tagDialog(dialogID, tagID, true)
}

// UntagDialog takes a tag off a dialog.
func (s *Conversation) UntagDialog(dialogID, tagID string) error {
	return s.tagDialog(dialogID, tagID, false)
}

func (s *Conversation) tagDialog(dialogID, tagID string, on bool) error {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return err
	}
	if on {
		if err := s.knownTag(ctx, rp, tagID); err != nil {
			return err
		}
	}
	typ := "dialog.untag"
	if on {
		typ = "dialog.tag"
	}
	return s.act(typ, dialogID, map[string]string{"tagId": tagID}, func(d *inbox.Dialog, me string, now time.Time) {
		if on && !slices.Contains(d.Tags, tagID) {
			d.Tags = append(d.Tags, tagID)
		} else if !on {
			d.Tags = slices.DeleteFunc(d.Tags, func(t string) bool { return t == tagID })
		}
		d.ModifiedAt = now
	})
}
