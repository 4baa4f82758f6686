package app

import (
	"slices"
	"strings"
	"sync"
	"time"

	"switchboard/app/syncclient"
	"switchboard/inbox"
)

// How long a colleague's typing or viewing holds without a fresh frame.
// The server relays frames and remembers nothing, so each desktop repeats
// its own (typing while keys are pressed, viewing every viewingEvery) and
// forgets others' that stop coming: a colleague whose app died stops
// showing within these times.
const (
	typingTTL    = 6 * time.Second
	viewingTTL   = 40 * time.Second
	viewingEvery = 15 * time.Second
)

// Colleague is a teammate as the collision line and the mention picker
// name them.
type Colleague struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Online bool   `json:"online"`
}

// DialogActivity is who else is typing in or viewing a dialog now, for
// the line above the composer.
type DialogActivity struct {
	DialogID string      `json:"dialogId"`
	Typing   []Colleague `json:"typing"`
	Viewing  []Colleague `json:"viewing"`
	// ClientTyping says the customer is typing, where its channel tells.
	ClientTyping bool `json:"clientTyping"`
}

// customer is the key of the dialog's customer among the operators'
// marks: no operator id is empty.
const customer = ""

// activity keeps colleagues' typing and viewing, per dialog, until each
// expires. Names are resolved when an event is built.
type activity struct {
	now func() time.Time

	// mu guards the fields below.
	mu    sync.Mutex
	marks map[string]map[string]*mark // dialog -> operator -> mark
}

type mark struct{ typingUntil, viewingUntil time.Time }

func newActivity() *activity {
	return &activity{now: time.Now, marks: map[string]map[string]*mark{}}
}

// hear records a relayed frame and reports whether the dialog's picture
// changed.
func (ac *activity) hear(a syncclient.Activity) bool {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ops := ac.marks[a.DialogID]
	if ops == nil {
		if !a.On {
			return false
		}
		ops = map[string]*mark{}
		ac.marks[a.DialogID] = ops
	}
	m := ops[a.OperatorID]
	if m == nil {
		m = &mark{}
		ops[a.OperatorID] = m
	}
	now := ac.now()
	was := *m
	switch {
	case a.Kind == syncclient.ActivityClientTyping:
		m.typingUntil = time.Time{}
		if a.On {
			m.typingUntil = now.Add(typingTTL)
		}
	case a.Kind == syncclient.ActivityTyping && a.On:
		m.typingUntil = now.Add(typingTTL)
		m.viewingUntil = later(m.viewingUntil, now.Add(typingTTL)) // typing in it is viewing it
	case a.Kind == syncclient.ActivityTyping:
		m.typingUntil = time.Time{}
	case a.On:
		m.viewingUntil = now.Add(viewingTTL)
	default:
		m.viewingUntil, m.typingUntil = time.Time{}, time.Time{}
	}
	changed := was.typingUntil.After(now) != m.typingUntil.After(now) || was.viewingUntil.After(now) != m.viewingUntil.After(now)
	ac.dropIdle(a.DialogID, now)
	return changed
}

// forget drops an operator everywhere (it went offline) and returns the
// dialogs whose picture changed.
func (ac *activity) forget(operatorID string) []string {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	now := ac.now()
	var changed []string
	for d, ops := range ac.marks {
		if m := ops[operatorID]; m != nil {
			if m.typingUntil.After(now) || m.viewingUntil.After(now) {
				changed = append(changed, d)
			}
			delete(ops, operatorID)
			ac.dropIdle(d, now)
		}
	}
	return changed
}

// reset forgets everything (signed out).
func (ac *activity) reset() {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	clear(ac.marks)
}

// sweep drops what expired by now and returns the dialogs whose picture
// changed.
func (ac *activity) sweep() []string {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	now := ac.now()
	var changed []string
	for d, ops := range ac.marks {
		hit := false
		for _, m := range ops {
			if !m.typingUntil.IsZero() && !m.typingUntil.After(now) {
				m.typingUntil, hit = time.Time{}, true
			}
			if !m.viewingUntil.IsZero() && !m.viewingUntil.After(now) {
				m.viewingUntil, hit = time.Time{}, true
			}
		}
		if hit {
			changed = append(changed, d)
		}
		ac.dropIdle(d, now)
	}
	slices.Sort(changed)
	return changed
}

// dropIdle removes the dialog's operators that do nothing. ac.mu is held.
func (ac *activity) dropIdle(dialogID string, now time.Time) {
	ops := ac.marks[dialogID]
	for id, m := range ops {
		if !m.typingUntil.After(now) && !m.viewingUntil.After(now) {
			delete(ops, id)
		}
	}
	if len(ops) == 0 {
		delete(ac.marks, dialogID)
	}
}

// of returns who types in and views a dialog, by name, leaving me out.
func (ac *activity) of(dialogID, me string, org *inbox.Org, online func(string) bool) DialogActivity {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	now := ac.now()
	out := DialogActivity{DialogID: dialogID, Typing: []Colleague{}, Viewing: []Colleague{}}
	for id, m := range ac.marks[dialogID] {
		if id == customer {
			out.ClientTyping = m.typingUntil.After(now)
			continue
		}
		if id == me {
			continue
		}
		c := Colleague{ID: id, Name: operatorName(org, id), Online: online(id)}
		if m.typingUntil.After(now) {
			out.Typing = append(out.Typing, c)
		}
		if m.viewingUntil.After(now) {
			out.Viewing = append(out.Viewing, c)
		}
	}
	byName := func(a, b Colleague) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(out.Typing, byName)
	slices.SortFunc(out.Viewing, byName)
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
