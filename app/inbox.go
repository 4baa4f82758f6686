package app

import (
	"context"
	"slices"
	"strings"

	"switchboard/app/replica"
)

// Inbox serves the dialog lists and their counters.
type Inbox struct{ c *core }

// Tabs returns the tabs the operator may open, in order: All and Blacklist
// only with dialogs.manage or dialogs.view_all.
func (s *Inbox) Tabs() ([]string, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return nil, toUI(err)
	}
	tabs := []string{string(replica.TabUnassigned), string(replica.TabMine), string(replica.TabSnoozed), string(replica.TabClosed)}
	if org.SeesAll(me) {
		tabs = append(tabs, string(replica.TabAll), string(replica.TabBlacklist))
	}
	return tabs, nil
}

// ListDialogs returns rows offset..offset+limit of a tab, narrowed to a
// line and a client-name filter when given.
func (s *Inbox) ListDialogs(tab, lineID, query string, offset, limit int) (DialogPage, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return DialogPage{}, err
	}
	t := replica.Tab(tab)
	if !slices.Contains(replica.Tabs, t) {
		return DialogPage{}, uiError(CodeBadInput, "unknown tab", nil)
	}
	items, total, err := rp.ListDialogs(ctx, me, replica.ListQuery{Tab: t, LineID: lineID, Query: query, Offset: offset, Limit: limit})
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

// Counts returns every tab's counter.
func (s *Inbox) Counts() (map[string]int, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := rp.Counts(ctx, me)
	if err != nil {
		return nil, toUI(err)
	}
	out := make(map[string]int, len(counts))
	for t, n := range counts {
		out[string(t)] = n
	}
	return out, nil
}

// Lines returns the lines the operator works or supervises (every line for
// those who see all), sorted by name.
func (s *Inbox) Lines() ([]LineView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return nil, toUI(err)
	}
	out := []LineView{}
	for id, l := range org.Lines {
		if l.Archived || !(org.SeesAll(me) || org.WorksLine(me, id) || org.SupervisesLine(me, id)) {
			continue
		}
		out = append(out, LineView{ID: id, Name: l.Name})
	}
	slices.SortFunc(out, func(a, b LineView) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Operators returns the colleagues the operator may assign a dialog to:
// active people who share a line or group, or everyone for those who manage
// dialogs.
func (s *Inbox) Operators() ([]OperatorView, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	org, err := s.c.orgOf(ctx, rp)
	if err != nil {
		return nil, toUI(err)
	}
	out := []OperatorView{}
	for id, op := range org.Operators {
		if !op.Active || id == me {
			continue
		}
		if !org.SeesAll(me) && !org.SharesLineOrGroup(me, id) {
			continue
		}
		out = append(out, OperatorView{ID: id, Name: op.Name, Online: s.c.isOnline(id)})
	}
	slices.SortFunc(out, func(a, b OperatorView) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
