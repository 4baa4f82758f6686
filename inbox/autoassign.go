package inbox

import (
	"slices"
	"time"
)

// Auto-assignment gives a line's unassigned dialogs to its operators
// without anyone pressing Take, when the line's AutoAssign mode says so.
// Only the team server runs it (it alone knows who is online and holds the
// write lock that keeps capacities honest); these are its rules, pure so
// they can be tested by table.

// Board is what auto-assignment decides by: who is online, how loaded each
// operator is, and the history that makes round-robin and least-loaded
// fair. The server fills it inside its write transaction and Record keeps
// it current while one pass gives out several dialogs.
type Board struct {
	// Online holds the operators with a live connection to any server
	// instance.
	Online map[string]bool
	// InProgress counts the in-progress dialogs each operator holds (every
	// line, however they got them).
	InProgress map[string]int
	// LastChosen is, per line, the operator auto-assignment chose last.
	LastChosen map[string]string
	// LastOrder orders operators by their latest auto-assignment in any
	// line: a higher number is more recent, 0 is never.
	LastOrder map[string]int64
	// Avoid names, per dialog, the operator who just returned it to the
	// queue: it goes to someone else, not straight back.
	Avoid map[string]string
}

// NewBoard returns an empty board.
func NewBoard() *Board {
	return &Board{Online: map[string]bool{}, InProgress: map[string]int{}, LastChosen: map[string]string{}, LastOrder: map[string]int64{}, Avoid: map[string]string{}}
}

// Record notes that opID was given a dialog of lineID; it returns the
// order number the assignment takes (for the server to store).
func (b *Board) Record(lineID, opID string) int64 {
	var top int64
	for _, n := range b.LastOrder {
		top = max(top, n)
	}
	b.InProgress[opID]++
	b.LastChosen[lineID] = opID
	b.LastOrder[opID] = top + 1
	return top + 1
}

// AutoAssigns reports whether the line gives out its dialogs by itself.
func (o *Org) AutoAssigns(lineID string) bool {
	l := o.Lines[lineID]
	return l != nil && !l.Archived && (l.AutoAssign == AutoAssignRoundRobin || l.AutoAssign == AutoAssignLeastLoaded)
}

// LineOperators returns the operators of the line's operator groups, by id.
func (o *Org) LineOperators(lineID string) []string {
	l := o.Lines[lineID]
	if l == nil {
		return nil
	}
	var ids []string
	for _, g := range l.OperatorGroupIDs {
		if gr := o.Groups[g]; gr != nil {
			ids = append(ids, gr.MemberIDs...)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Eligible reports whether auto-assignment may give opID one more dialog:
// active, online, and below a capacity above zero (capacity 0 means the
// operator takes dialogs only by hand).
func (b *Board) Eligible(org *Org, opID string) bool {
	op := org.Operators[opID]
	return op != nil && op.Active && b.Online[opID] && op.Capacity > 0 && b.InProgress[opID] < op.Capacity
}

// Choose picks the operator for the next dialog of a line, or "" when the
// line does not auto-assign or nobody eligible has room.
//
// Round-robin takes the next eligible operator after the one chosen last
// in this line, in the order of their ids. Least-loaded takes the one with
// the fewest dialogs in progress, ties going to whoever was auto-assigned
// least recently (never counts as longest ago), then by id.
func (b *Board) Choose(org *Org, lineID string) string { return b.choose(org, lineID, "") }

func (b *Board) choose(org *Org, lineID, avoid string) string {
	if !org.AutoAssigns(lineID) {
		return ""
	}
	ops := org.LineOperators(lineID)
	var ok []string
	for _, id := range ops {
		if id != avoid && b.Eligible(org, id) {
			ok = append(ok, id)
		}
	}
	if len(ok) == 0 {
		return ""
	}
	switch org.Lines[lineID].AutoAssign {
	case AutoAssignRoundRobin:
		last := b.LastChosen[lineID]
		for _, id := range ok {
			if id > last {
				return id
			}
		}
		return ok[0]
	default: // least loaded
		best := ok[0]
		for _, id := range ok[1:] {
			if l, bl := b.InProgress[id], b.InProgress[best]; l < bl || (l == bl && b.LastOrder[id] < b.LastOrder[best]) {
				best = id
			}
		}
		return best
	}
}

// AutoAssignable reports whether a dialog waits for auto-assignment: an
// unassigned dialog of an auto-assigning line whose client is neither
// blacklisted (their dialogs reach no one) nor pinned to an active
// operator (those go to that operator, never to the next in turn). cl may
// be nil when the client is unknown.
func AutoAssignable(org *Org, d *Dialog, cl *Client) bool {
	if d.Status != StatusUnassigned || d.ClientBlacklisted || !org.AutoAssigns(d.LineID) {
		return false
	}
	if cl != nil && (cl.Blacklisted || pinnedTo(org, cl) != "") {
		return false
	}
	return true
}

// GiveOut gives an unassigned dialog to the operator the board chooses
// and records it on the board. It returns nil when the dialog does not wait
// for auto-assignment or nobody has room. The dialog's log gets an
// auto_assigned entry from the system (no actor), to the operator.
func GiveOut(org *Org, b *Board, d *Dialog, cl *Client, env Env) *Outcome {
	if !AutoAssignable(org, d, cl) {
		return nil
	}
	op := b.choose(org, d.LineID, b.Avoid[d.ID])
	if op == "" {
		return nil
	}
	b.Record(d.LineID, op)
	d = d.Clone()
	assignTo(d, op, env.Now)
	d.ModifiedAt = env.Now
	o := &Outcome{Dialogs: []*Dialog{d}}
	env.ActorID = ""
	logEvent(o, env, d, EvAutoAssigned, "", op)
	return o
}

// WaitingOrder sorts waiting dialogs for giving out: the longest waiting
// (queued earliest) first, then by number.
func WaitingOrder(a, b *Dialog) int {
	qa, qb := queuedAt(a), queuedAt(b)
	if c := qa.Compare(qb); c != 0 {
		return c
	}
	switch {
	case a.Number < b.Number:
		return -1
	case a.Number > b.Number:
		return 1
	}
	return 0
}

func queuedAt(d *Dialog) time.Time {
	if !d.QueuedAt.IsZero() {
		return d.QueuedAt
	}
	return d.CreatedAt
}
