package app

import (
	"context"
	"slices"
	"strings"
	"sync"

	"switchboard/app/replica"
	"switchboard/app/syncclient"
	"switchboard/inbox"
)

// Supervisor serves the supervisor's console: the dialog table and the live
// floor from the replica, the reports from the team server.
type Supervisor struct {
	c *core
	// settingsMu serialises saving the table settings: the UI may save
	// twice in quick succession, and Wails runs bound calls concurrently.
	settingsMu sync.Mutex
}

// ConsoleAccess says which parts of the console and the administration the
// signed-in person may open. The server checks again on every call.
type ConsoleAccess struct {
	Table    bool `json:"table"`   // sees all dialogs, or supervises a line
	Reports  bool `json:"reports"` // reports.view
	Users    bool `json:"users"`   // users.manage: operators and roles
	Lines    bool `json:"lines"`   // lines.manage: lines and groups
	Channels bool `json:"channels"`
}

// Any reports whether the console has anything to show.
func (a ConsoleAccess) Any() bool { return a.Table || a.Reports || a.Users || a.Lines || a.Channels }

func accessOf(org *inbox.Org, me string) ConsoleAccess {
	a := ConsoleAccess{
		Reports:  org.Can(me, inbox.PermReportsView),
		Users:    org.Can(me, inbox.PermUsersManage),
		Lines:    org.Can(me, inbox.PermLinesManage),
		Channels: org.Can(me, inbox.PermChannelsManage),
	}
	a.Table = org.SeesAll(me)
	for id := range org.Lines {
		if org.SupervisesLine(me, id) {
			a.Table = true
		}
	}
	return a
}

// console returns the replica, the org and the caller's access.
func (c *core) console(ctx context.Context) (*replica.Replica, *inbox.Org, string, ConsoleAccess, error) {
	rp, org, me, err := c.signedInOrg(ctx)
	if err != nil {
		return nil, nil, "", ConsoleAccess{}, err
	}
	return rp, org, me, accessOf(org, me), nil
}

// CodeForbidden is returned for a console part the person may not open.
const CodeForbidden = "auth.forbidden"

func forbidden() error { return uiError(CodeForbidden, "", nil) }

// Access returns what the console may show.
func (s *Supervisor) Access() (ConsoleAccess, error) {
	_, _, _, a, err := s.c.console(context.Background())
	return a, err
}

// Table returns a window of the dialog table.
func (s *Supervisor) Table(q TableRequest) (TablePage, error) {
	ctx := context.Background()
	rp, org, _, a, err := s.c.console(ctx)
	if err != nil {
		return TablePage{}, err
	}
	if !a.Table {
		return TablePage{}, forbidden()
	}
	return QueryTable(ctx, rp, org, q)
}

// TableSettings returns the remembered columns and sort.
func (s *Supervisor) TableSettings() (TableSettings, error) {
	if err := s.c.wait(context.Background()); err != nil {
		return TableSettings{}, toUI(err)
	}
	set, _ := loadTableSettings(s.c.cfg.DataDir)
	return set, nil
}

// SaveTableSettings remembers the columns and sort.
func (s *Supervisor) SaveTableSettings(set TableSettings) (TableSettings, error) {
	if err := s.c.wait(context.Background()); err != nil {
		return TableSettings{}, toUI(err)
	}
	if err := set.valid(); err != nil {
		return TableSettings{}, uiError(CodeBadInput, err.Error(), err)
	}
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	if err := saveTableSettings(s.c.cfg.DataDir, set); err != nil {
		return TableSettings{}, toUI(err)
	}
	return set, nil
}

// NamedItem is an id and the name people read, for filters and pickers.
type NamedItem struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// TableOptions are the choices of the table's filters.
type TableOptions struct {
	Lines     []NamedItem `json:"lines"`
	Operators []NamedItem `json:"operators"`
	Channels  []NamedItem `json:"channels"`
	Columns   []string    `json:"columns"`  // every column, default order
	Sortable  []string    `json:"sortable"` // the columns a click sorts
	Tags      []NamedItem `json:"tags"`
	// Filters says how each filterable column is filtered: "text",
	// "choice" or "range" (replica.TableFilterKind).
	Filters map[string]string `json:"filters"`
}

func byName(items []NamedItem) []NamedItem {
	slices.SortFunc(items, func(a, b NamedItem) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return items
}

// Options returns the filters' choices.
func (s *Supervisor) Options() (TableOptions, error) {
	_, org, _, a, err := s.c.console(context.Background())
	if err != nil {
		return TableOptions{}, err
	}
	if !a.Any() {
		return TableOptions{}, forbidden()
	}
	o := TableOptions{Lines: []NamedItem{}, Operators: []NamedItem{}, Channels: []NamedItem{}, Columns: TableColumns}
	for id, l := range org.Lines {
		o.Lines = append(o.Lines, NamedItem{ID: id, Name: l.Name})
	}
	for id, op := range org.Operators {
		o.Operators = append(o.Operators, NamedItem{ID: id, Name: op.Name})
	}
	for id, ch := range org.Channels {
		o.Channels = append(o.Channels, NamedItem{ID: id, Name: ch.Name})
	}
	byName(o.Lines)
	byName(o.Operators)
	byName(o.Channels)
	o.Tags = []NamedItem{}
	for id, tg := range org.Tags {
		o.Tags = append(o.Tags, NamedItem{ID: id, Name: tg.Name})
	}
	byName(o.Tags)
	o.Filters = map[string]string{}
	for _, c := range TableColumns {
		if _, ok := replica.TableSorts[c]; ok {
			o.Sortable = append(o.Sortable, c)
		}
		if k := replica.TableFilterKind(c); k != "" {
			o.Filters[c] = k
		}
	}
	return o, nil
}

// FloorLine is one line on the live floor.
type FloorLine struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Unassigned     int    `json:"unassigned"`
	OldestQueuedAt int64  `json:"oldestQueuedAt"` // unix ms, 0 = empty queue
	InProgress     int    `json:"inProgress"`
}

// FloorOperator is one operator on the live floor.
type FloorOperator struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Online     bool   `json:"online"`
	InProgress int    `json:"inProgress"`
	Snoozed    int    `json:"snoozed"`
	Capacity   int    `json:"capacity"` // auto-assignment limit; 0 = by hand only
}

// FloorView is the live floor: counted from the replica, so it follows
// every change the live feed brings.
type FloorView struct {
	Lines     []FloorLine     `json:"lines"`
	Operators []FloorOperator `json:"operators"`
}

// Floor returns each line's queue and each active operator's load.
func (s *Supervisor) Floor() (FloorView, error) {
	ctx := context.Background()
	rp, org, _, a, err := s.c.console(ctx)
	if err != nil {
		return FloorView{}, err
	}
	if !a.Table {
		return FloorView{}, forbidden()
	}
	lines, ops, err := rp.Floor(ctx)
	if err != nil {
		return FloorView{}, toUI(err)
	}
	v := FloorView{Lines: []FloorLine{}, Operators: []FloorOperator{}}
	loadOf := map[string]replica.LineLoad{}
	for _, l := range lines {
		loadOf[l.LineID] = l
	}
	for id, l := range org.Lines {
		if l.Archived {
			continue
		}
		ld := loadOf[id]
		v.Lines = append(v.Lines, FloorLine{ID: id, Name: l.Name, Unassigned: ld.Unassigned, OldestQueuedAt: ld.OldestQueuedAt, InProgress: ld.InProgress})
	}
	slices.SortFunc(v.Lines, func(a, b FloorLine) int { return strings.Compare(a.Name, b.Name) })
	opLoad := map[string]replica.OperatorLoad{}
	for _, o := range ops {
		opLoad[o.OperatorID] = o
	}
	for id, op := range org.Operators {
		if !op.Active {
			continue
		}
		ld := opLoad[id]
		v.Operators = append(v.Operators, FloorOperator{ID: id, Name: op.Name, Online: s.c.isOnline(id),
			InProgress: ld.InProgress, Snoozed: ld.Snoozed, Capacity: op.Capacity})
	}
	slices.SortFunc(v.Operators, func(a, b FloorOperator) int { return strings.Compare(a.Name, b.Name) })
	return v, nil
}

// admin returns the team server's admin API for this session.
func (c *core) admin(ctx context.Context) (*syncclient.Admin, error) {
	if _, _, err := c.signedIn(ctx); err != nil {
		return nil, err
	}
	c.mu.Lock()
	server, token := c.session.Server, c.token
	c.mu.Unlock()
	a, err := syncclient.NewAdmin(c.http, server, token)
	if err != nil {
		return nil, toUI(err)
	}
	return a, nil
}

// prepareTable builds the dialog table's indexes in the background once the
// replica has filled, for someone who may open the table, so its first
// opening is as quick as the rest. Operators' replicas never get them.
func (c *core) prepareTable() {
	ctx := context.Background()
	rp, _, _, a, err := c.console(ctx)
	if err != nil || !a.Table {
		return
	}
	// A failure here shows when the table opens: it builds them again.
	_ = rp.EnsureTableIndexes(ctx)
}
