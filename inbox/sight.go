package inbox

import "slices"

// Org is the workspace's structure: people, roles, groups, lines, channels
// and tags. It is
// small (hundreds of rows at most), so both sides keep it whole in memory and
// answer every "who may" question from it.
type Org struct {
	Workspace *Workspace
	Operators map[string]*Operator
	Roles     map[string]*Role
	Groups    map[string]*Group
	Lines     map[string]*Line
	Channels  map[string]*Channel
	Tags      map[string]*Tag
}

// NewOrg indexes the given rows by id.
func NewOrg(ws *Workspace, ops []*Operator, roles []*Role, groups []*Group, lines []*Line, channels []*Channel, tags []*Tag) *Org {
	o := &Org{
		Workspace: ws,
		Operators: make(map[string]*Operator, len(ops)),
		Roles:     make(map[string]*Role, len(roles)),
		Groups:    make(map[string]*Group, len(groups)),
		Lines:     make(map[string]*Line, len(lines)),
		Channels:  make(map[string]*Channel, len(channels)),
		Tags:      make(map[string]*Tag, len(tags)),
	}
	for _, x := range ops {
		o.Operators[x.ID] = x
	}
	for _, x := range roles {
		o.Roles[x.ID] = x
	}
	for _, x := range groups {
		o.Groups[x.ID] = x
	}
	for _, x := range lines {
		o.Lines[x.ID] = x
	}
	for _, x := range channels {
		o.Channels[x.ID] = x
	}
	for _, x := range tags {
		o.Tags[x.ID] = x
	}
	return o
}

// Can reports whether the operator is active and its role grants p.
func (o *Org) Can(operatorID string, p Permission) bool {
	op := o.Operators[operatorID]
	if op == nil || !op.Active {
		return false
	}
	return o.Roles[op.Role].Has(p)
}

// SeesAll reports whether the operator sees every dialog of the workspace.
func (o *Org) SeesAll(operatorID string) bool {
	return o.Can(operatorID, PermDialogsViewAll) || o.Can(operatorID, PermDialogsManage)
}

func (o *Org) inAnyGroup(operatorID string, groupIDs []string) bool {
	for _, gid := range groupIDs {
		if g := o.Groups[gid]; g != nil && slices.Contains(g.MemberIDs, operatorID) {
			return true
		}
	}
	return false
}

// WorksLine reports whether the operator is in one of the line's operator
// groups: it may take the line's dialogs.
func (o *Org) WorksLine(operatorID, lineID string) bool {
	l := o.Lines[lineID]
	return l != nil && o.inAnyGroup(operatorID, l.OperatorGroupIDs)
}

// SupervisesLine reports whether the operator is in one of the line's
// supervisor groups.
func (o *Org) SupervisesLine(operatorID, lineID string) bool {
	l := o.Lines[lineID]
	return l != nil && o.inAnyGroup(operatorID, l.SupervisorGroupIDs)
}

// LinesOf returns the ids of the lines the operator works or supervises,
// sorted.
func (o *Org) LinesOf(operatorID string) []string {
	var ids []string
	for id := range o.Lines {
		if o.WorksLine(operatorID, id) || o.SupervisesLine(operatorID, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// SharesLineOrGroup reports whether two operators share a line (either side
// of it) or a group: the condition for assigning a dialog to a colleague
// without dialogs.manage.
func (o *Org) SharesLineOrGroup(a, b string) bool {
	for _, g := range o.Groups {
		if slices.Contains(g.MemberIDs, a) && slices.Contains(g.MemberIDs, b) {
			return true
		}
	}
	for id := range o.Lines {
		aIn := o.WorksLine(a, id) || o.SupervisesLine(a, id)
		bIn := o.WorksLine(b, id) || o.SupervisesLine(b, id)
		if aIn && bIn {
			return true
		}
	}
	return false
}

// SeesDialog reports whether the operator may see the dialog: it sees all,
// or the dialog is in one of its lines, or it is the assignee or a
// participant. This is the one definition of sight that the server's reads,
// pulls and live feed, and the desktop's queries all follow.
func (o *Org) SeesDialog(operatorID string, d *Dialog) bool {
	if o.SeesAll(operatorID) {
		return true
	}
	if op := o.Operators[operatorID]; op == nil || !op.Active {
		return false
	}
	if d.AssigneeID == operatorID || d.IsParticipant(operatorID) {
		return true
	}
	return o.WorksLine(operatorID, d.LineID) || o.SupervisesLine(operatorID, d.LineID)
}

// SeesMessage reports whether the operator may read the message of a dialog
// it sees: a private note only by its author.
func (o *Org) SeesMessage(operatorID string, m *Message) bool {
	return m.Kind != MsgNote || m.AuthorID == operatorID
}

// ReopenWindowHours returns how long after closing a client message reopens
// a dialog of the line on a channel of the given kind.
func (o *Org) ReopenWindowHours(lineID string, kind ChannelKind) int {
	if l := o.Lines[lineID]; l != nil && l.ReopenHours > 0 {
		return l.ReopenHours
	}
	ws := o.Workspace
	if kind.IsEmail() {
		if ws != nil && ws.ReopenEmailHours > 0 {
			return ws.ReopenEmailHours
		}
		return DefaultReopenEmailHours
	}
	if ws != nil && ws.ReopenMessengerHours > 0 {
		return ws.ReopenMessengerHours
	}
	return DefaultReopenMessengerHours
}
