package notify

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// event is one thing worth telling the operator, before gating and
// coalescing.
type event struct {
	kind     Kind
	dialogID string
	lineID   string
	client   string // the client's name
	author   string // who mentioned the operator
	text     string
	pinned   bool // a new dialog routed straight to the operator
	at       time.Time
}

// key groups events that coalesce: new dialogs per line, the rest per
// kind.
func (e event) key() string {
	if e.kind == KindNewDialog {
		return string(e.kind) + "/" + e.lineID
	}
	return string(e.kind)
}

// judge applies the rules to one batch:
//
//   - a dialog that entered the Unassigned queue of a line the operator
//     works or supervises (created, transferred in, returned, reopened);
//   - a dialog that became the operator's: routed straight to it as the
//     client's pinned operator, or assigned by a colleague;
//   - a comment that mentions the operator;
//   - a client's message in an open dialog assigned to the operator.
//
// Blacklisted clients and spam never alert; neither does what the operator
// did itself (its own log entries in the batch, or its optimistic change
// already in the replica). One dialog gives at most one event per batch
// besides mentions: a new dialog's first message is not also a reply.
func (p *Policy) judge(ctx context.Context, a replica.Applied) []event {
	byMe := map[string]bool{}   // dialogs the operator acted on in this batch
	pinned := map[string]bool{} // dialogs auto-assigned in this batch
	for _, ev := range a.Events {
		if ev.ActorID == p.me && p.me != "" {
			byMe[ev.DialogID] = true
		}
		if ev.Type == inbox.EvAutoAssigned {
			pinned[ev.DialogID] = true
		}
	}
	after := map[string]*inbox.Dialog{}
	claimed := map[string]bool{}
	var out []event
	for _, dc := range a.Dialogs {
		d, b := dc.After, dc.Before
		after[d.ID] = d
		if d.ClientBlacklisted || d.Status == inbox.StatusSpam || byMe[d.ID] {
			continue
		}
		switch {
		case d.Status == inbox.StatusUnassigned && p.myLine(d.LineID) &&
			!(b.Exists && b.Status == inbox.StatusUnassigned && b.LineID == d.LineID):
			out = append(out, event{kind: KindNewDialog, dialogID: d.ID, lineID: d.LineID,
				text: d.LastMessageText, at: first(d.QueuedAt, d.ModifiedAt)})
		case d.Status == inbox.StatusInProgress && d.AssigneeID == p.me && p.me != "" &&
			!(b.Exists && b.AssigneeID == p.me):
			out = append(out, event{kind: KindAssigned, dialogID: d.ID, lineID: d.LineID,
				text: d.LastMessageText, pinned: pinned[d.ID], at: d.ModifiedAt})
		default:
			continue
		}
		claimed[d.ID] = true
	}
	for _, mc := range a.Messages {
		m := mc.Message
		if !mc.New || !m.DeletedAt.IsZero() {
			continue
		}
		switch {
		case m.Kind == inbox.MsgComment && m.AuthorID != p.me && slices.Contains(m.Mentions, p.me):
			out = append(out, event{kind: KindMention, dialogID: m.DialogID, author: p.operatorName(m.AuthorID),
				text: m.Text, at: m.CreatedAt})
		case m.Kind == inbox.MsgInbound && !claimed[m.DialogID]:
			d := after[m.DialogID]
			if d == nil && p.look != nil {
				d, _ = p.look.Dialog(ctx, m.DialogID)
			}
			if d == nil || d.AssigneeID != p.me || d.Status != inbox.StatusInProgress || d.ClientBlacklisted {
				continue
			}
			out = append(out, event{kind: KindReply, dialogID: d.ID, lineID: d.LineID, text: m.Text, at: m.CreatedAt})
		}
	}
	for i := range out {
		out[i].client = p.clientName(ctx, out[i].dialogID, after)
	}
	return out
}

// myLine reports whether the operator works or supervises the line.
func (p *Policy) myLine(lineID string) bool {
	return p.org.WorksLine(p.me, lineID) || p.org.SupervisesLine(p.me, lineID)
}

func (p *Policy) operatorName(id string) string {
	if op := p.org.Operators[id]; op != nil && op.Name != "" {
		return op.Name
	}
	return id
}

func (p *Policy) lineName(id string) string {
	if l := p.org.Lines[id]; l != nil && l.Name != "" {
		return l.Name
	}
	return id
}

func (p *Policy) clientName(ctx context.Context, dialogID string, after map[string]*inbox.Dialog) string {
	if p.look == nil {
		return ""
	}
	d := after[dialogID]
	if d == nil {
		d, _ = p.look.Dialog(ctx, dialogID)
	}
	if d == nil {
		return ""
	}
	name, _ := p.look.ClientName(ctx, d.ClientID)
	return name
}

func first(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// render words the alert for evs, the newest events of burst b (which
// counts them already).
func (p *Policy) render(evs []event, b *burst) Alert {
	lang, e := p.lang(), evs[len(evs)-1]
	a := Alert{Kind: e.kind, Urgency: UrgencyNormal, Count: b.total}
	if len(b.dialogs) == 1 {
		a.DialogID = e.dialogID
	}
	if e.kind == KindMention {
		a.Urgency = UrgencyCritical
	}
	if b.total == 1 {
		switch e.kind {
		case KindNewDialog:
			a.Title, a.Body = text(lang, "new_dialog", 1, "line", p.lineName(e.lineID)), p.clientLine(e)
		case KindAssigned:
			a.Title, a.Body = text(lang, "assigned", 1), p.clientLine(e)
			if e.pinned {
				a.Title = text(lang, "pinned", 1)
			}
		case KindMention:
			a.Title = text(lang, "mention", 1, "author", e.author)
			a.Body = text(lang, "dialog_with", 1, "client", e.client)
			if !p.settings.HideText && e.text != "" {
				a.Body = clip(e.text) + "\n" + a.Body
			}
		case KindReply:
			a.Title, a.Body = text(lang, "reply", 1, "client", e.client), p.messageText(e)
		}
		return a
	}
	n := b.total
	switch e.kind {
	case KindNewDialog:
		a.Title, a.Body = text(lang, "new_dialogs", n, "line", p.lineName(e.lineID)), names(evs, func(e event) string { return e.client })
	case KindAssigned:
		a.Title, a.Body = text(lang, "assigned_many", n), names(evs, func(e event) string { return e.client })
	case KindMention:
		a.Title, a.Body = text(lang, "mentions", n), names(evs, func(e event) string { return e.author })
	case KindReply:
		if len(b.dialogs) == 1 {
			a.Title, a.Body = text(lang, "replies", n, "client", e.client), p.messageText(e)
		} else {
			a.Title, a.Body = text(lang, "replies_dialogs", n), names(evs, func(e event) string { return e.client })
		}
	}
	return a
}

// clientLine is "Client: text", or the client alone when text is hidden.
func (p *Policy) clientLine(e event) string {
	if p.settings.HideText || strings.TrimSpace(e.text) == "" {
		return e.client
	}
	if e.client == "" {
		return clip(e.text)
	}
	return e.client + ": " + clip(e.text)
}

func (p *Policy) messageText(e event) string {
	if p.settings.HideText {
		return text(p.lang(), "hidden", 1)
	}
	return clip(e.text)
}

// clip makes message text fit an alert: one line of spaces, at most 160
// characters.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= 160 {
		return s
	}
	return string([]rune(s)[:159]) + "…"
}

// names lists up to three distinct names, newest first.
func names(evs []event, name func(event) string) string {
	var out []string
	for i := len(evs) - 1; i >= 0; i-- {
		n := name(evs[i])
		if n == "" || slices.Contains(out, n) {
			continue
		}
		if len(out) == 3 {
			return strings.Join(out, ", ") + "…"
		}
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}

// tally counts what a catch-up brought, for its one summary.
type tally struct {
	fresh    bool
	newD     map[string]bool
	assigned map[string]bool
	replies  map[string]bool // dialogs with new messages
	mentions int
}

func newTally(fresh bool) *tally {
	return &tally{fresh: fresh, newD: map[string]bool{}, assigned: map[string]bool{}, replies: map[string]bool{}}
}

func (t *tally) add(e event) {
	switch e.kind {
	case KindNewDialog:
		t.newD[e.dialogID] = true
	case KindAssigned:
		t.assigned[e.dialogID] = true
	case KindMention:
		t.mentions++
	case KindReply:
		t.replies[e.dialogID] = true
	}
}

func (t *tally) summary(lang string) (Alert, bool) {
	var lines []string
	add := func(key string, n int) {
		if n > 0 {
			lines = append(lines, text(lang, key, n))
		}
	}
	add("summary_new", len(t.newD))
	add("summary_assigned", len(t.assigned))
	add("summary_mentions", t.mentions)
	add("summary_replies", len(t.replies))
	if len(lines) == 0 {
		return Alert{}, false
	}
	n := len(t.newD) + len(t.assigned) + t.mentions + len(t.replies)
	return Alert{Kind: KindSummary, Title: text(lang, "summary", n), Body: strings.Join(lines, "\n"),
		Urgency: UrgencyNormal, Count: n}, true
}
