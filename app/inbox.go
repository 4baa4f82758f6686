package app

import (
	"context"
	"slices"
	"strings"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// Inbox serves the dialog lists and their counters.
type Inbox struct{ c *core }

// Tabs returns the tabs the operator may open, in order: All and Blacklist
// only with dialogs.manage or dialogs.view_all.
func (s *Inbox) Tabs() ([]string, error) {
	ctx := context.Background()
	_, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
	}
	tabs := []string{tabImportant, string(replica.TabUnassigned), string(replica.TabMine), string(replica.TabSnoozed), string(replica.TabClosed)}
	if org.SeesAll(me) {
		tabs = append(tabs, string(replica.TabAll), string(replica.TabBlacklist))
	}
	return tabs, nil
}

// ListDialogs returns rows offset..offset+limit of a tab, narrowed to a
// line and a client-name filter when given.
func (s *Inbox) ListDialogs(tab, lineID, query string, offset, limit int) (DialogPage, error) {
	return s.ListFiltered(tab, replica.Filter{LineID: lineID}, query, offset, limit)
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

// Counters returns every counter the inbox shows: per tab, per line, the
// total for the window title and the notification centre's unread count.
func (s *Inbox) Counters() (Counters, error) {
	ctx := context.Background()
	rp, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return Counters{}, err
	}
	tabs, err := rp.Counts(ctx, me)
	if err != nil {
		return Counters{}, toUI(err)
	}
	perLine, err := rp.LineCounts(ctx, me)
	if err != nil {
		return Counters{}, toUI(err)
	}
	notices, err := rp.UnreadNotices(ctx)
	if err != nil {
		return Counters{}, toUI(err)
	}
	important, err := s.c.importantCount(ctx, rp, me)
	if err != nil {
		return Counters{}, toUI(err)
	}
	out := countersOf(org, me, tabs, perLine, notices)
	out.Tabs[tabImportant] = important
	return out, nil
}

// tabImportant lists clients, not dialogs: those with the operator's
// tasks due today or overdue (Clients.Important reads it).
const tabImportant = "important"

// countersOf adds up the replica's counts by the operator's roles.
func countersOf(org *inbox.Org, me string, tabs map[replica.Tab]int, perLine map[string]replica.LineCount, notices int) Counters {
	out := Counters{Tabs: map[string]int{}, TabUnread: map[string]int{}, Lines: []LineCounter{}, Notices: notices}
	for t, n := range tabs {
		out.Tabs[string(t)] = n
	}
	seesAll := org.SeesAll(me)
	for id, lc := range perLine {
		// My own dialogs count wherever they are; a queue counts where I
		// supervise (everywhere, for those who manage all dialogs).
		out.Unread += lc.UnreadMine + lc.UnreadSnoozed
		out.TabUnread[string(replica.TabMine)] += lc.UnreadMine
		out.TabUnread[string(replica.TabSnoozed)] += lc.UnreadSnoozed
		if seesAll || org.SupervisesLine(me, id) {
			out.Unassigned += lc.Unassigned
		}
	}
	out.Total = out.Unread + out.Unassigned
	for id, l := range org.Lines {
		works, supervises := org.WorksLine(me, id), seesAll || org.SupervisesLine(me, id)
		if l.Archived || !(works || supervises) {
			continue
		}
		lc := perLine[id]
		c := LineCounter{ID: id, Name: l.Name, Unassigned: lc.Unassigned, Unread: lc.UnreadMine + lc.UnreadSnoozed}
		c.Badge = c.Unread
		if supervises {
			c.Badge += c.Unassigned
		}
		out.Lines = append(out.Lines, c)
	}
	slices.SortFunc(out.Lines, func(a, b LineCounter) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lines returns the lines the operator works or supervises (every line for
// those who see all), sorted by name.
func (s *Inbox) Lines() ([]LineView, error) {
	ctx := context.Background()
	_, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
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
	_, org, me, err := s.c.signedInOrg(ctx)
	if err != nil {
		return nil, err
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
