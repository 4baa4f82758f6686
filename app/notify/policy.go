package notify

import (
	"context"
	"slices"
	"time"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// Settings are the operator's choices for alerts on this desktop.
type Settings struct {
	// DoNotDisturb silences every alert, summaries included.
	DoNotDisturb bool `json:"doNotDisturb"`
	// HideText keeps message text out of alerts: they name the client and
	// the line, never what was written.
	HideText bool `json:"hideText"`
	// Language is the UI's language ("en", "ru", "uk"); empty means the
	// operator's language in the org, then the workspace's.
	Language string `json:"language"`
}

// Lookup reads what an alert about a message needs when the batch did not
// carry it. *replica.Replica implements it.
type Lookup interface {
	Dialog(ctx context.Context, id string) (*inbox.Dialog, error)
	ClientName(ctx context.Context, id string) (string, error)
}

// Options tune the policy; zero values take the defaults.
type Options struct {
	// Window is how long alerts of one kind (of one line, for new dialogs)
	// are gathered after one went out: what arrives meanwhile goes out as
	// one alert when the window closes. Default 5 s.
	Window time.Duration
	// Stale bounds how old a live change may be and still be news: older
	// ones are history coming into sight (a dialog transferred in with its
	// messages). Default 10 min.
	Stale time.Duration
}

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = 5 * time.Second
	}
	if o.Stale <= 0 {
		o.Stale = 10 * time.Minute
	}
	return o
}

// Policy decides which changes deserve an alert for one operator. It is
// not safe for concurrent use; the Alerter guards it. Every method that
// depends on time takes it as an argument.
type Policy struct {
	opts     Options
	me       string
	org      *inbox.Org
	look     Lookup
	settings Settings
	online   bool
	viewing  string
	catchUp  *tally            // non-nil while catching up
	bursts   map[string]*burst // open coalescing windows by group key
}

// NewPolicy returns the policy of operator me. It starts offline: alerts
// flow once SetOnline(true) is called.
func NewPolicy(me string, org *inbox.Org, look Lookup, opts Options) *Policy {
	if org == nil {
		org = &inbox.Org{}
	}
	return &Policy{opts: opts.withDefaults(), me: me, org: org, look: look, bursts: map[string]*burst{}}
}

// SetOrg replaces the org (lines, names, languages) the rules read.
func (p *Policy) SetOrg(org *inbox.Org) {
	if org != nil {
		p.org = org
	}
}

// SetSettings applies the operator's choices; Do Not Disturb drops what
// was being gathered.
func (p *Policy) SetSettings(s Settings) {
	p.settings = s
	if s.DoNotDisturb {
		clear(p.bursts)
	}
}

// SetOnline says whether the operator is connected and available. Nothing
// alerts while offline; what is being gathered is dropped.
func (p *Policy) SetOnline(online bool) {
	p.online = online
	if !online {
		clear(p.bursts)
	}
}

// SetViewing names the dialog the operator is looking at ("" for none):
// nothing about it alerts.
func (p *Policy) SetViewing(dialogID string) { p.viewing = dialogID }

// BeginCatchUp starts counting instead of alerting: the changes that
// follow happened while the app was closed or offline. fresh says the
// replica was empty, so the changes are the whole history and are not
// summed up at all. A second call while catching up changes nothing.
func (p *Policy) BeginCatchUp(fresh bool) {
	if p.catchUp == nil {
		p.catchUp = newTally(fresh)
	}
}

// Refill says a resync emptied the replica, which fills again from the
// start: what was counted so far and what follows is history, summed up
// by nothing, until EndCatchUp.
func (p *Policy) Refill() { p.catchUp = newTally(true) }

// EndCatchUp ends the catch-up and returns at most one alert summing it
// up.
func (p *Policy) EndCatchUp() []Alert {
	t := p.catchUp
	p.catchUp = nil
	if t == nil || t.fresh || !p.online || p.settings.DoNotDisturb {
		return nil
	}
	if a, ok := t.summary(p.lang()); ok {
		return []Alert{a}
	}
	return nil
}

// Apply judges one applied batch at time now and returns the alerts to
// raise at once.
func (p *Policy) Apply(ctx context.Context, now time.Time, a replica.Applied) []Alert {
	if p.catchUp != nil {
		if !p.catchUp.fresh {
			for _, e := range p.judge(ctx, a) {
				if e.dialogID != p.viewing {
					p.catchUp.add(e)
				}
			}
		}
		return nil
	}
	if !p.online || p.settings.DoNotDisturb {
		return nil
	}
	var out []Alert
	var order []string
	groups := map[string][]event{}
	for _, e := range p.judge(ctx, a) {
		if e.dialogID == p.viewing || now.Sub(e.at) > p.opts.Stale {
			continue
		}
		k := e.key()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], e)
	}
	for _, k := range order {
		evs := groups[k]
		if b := p.bursts[k]; b != nil && now.Before(b.until) {
			b.pending = append(b.pending, evs...)
			continue
		}
		b := &burst{until: now.Add(p.opts.Window), dialogs: map[string]bool{}}
		b.note(evs)
		p.bursts[k] = b
		out = append(out, p.render(evs, b))
	}
	return out
}

// Due closes the coalescing windows that ended by now and returns one
// alert for each that gathered something.
func (p *Policy) Due(now time.Time) []Alert {
	var out []Alert
	keys := make([]string, 0, len(p.bursts))
	for k := range p.bursts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b := p.bursts[k]
		if now.Before(b.until) {
			continue
		}
		pending := slices.DeleteFunc(b.pending, func(e event) bool { return e.dialogID == p.viewing })
		if len(pending) == 0 || !p.online || p.settings.DoNotDisturb {
			delete(p.bursts, k)
			continue
		}
		b.pending = nil
		b.note(pending)
		b.until = now.Add(p.opts.Window)
		out = append(out, p.render(pending, b))
	}
	return out
}

// Next returns when Due has something to close, if ever.
func (p *Policy) Next() (time.Time, bool) {
	var next time.Time
	for _, b := range p.bursts {
		if len(b.pending) > 0 && (next.IsZero() || b.until.Before(next)) {
			next = b.until
		}
	}
	return next, !next.IsZero()
}

// lang is the language alerts speak.
func (p *Policy) lang() string {
	if knownLanguage(p.settings.Language) {
		return p.settings.Language
	}
	if op := p.org.Operators[p.me]; op != nil && knownLanguage(op.Language) {
		return op.Language
	}
	if ws := p.org.Workspace; ws != nil && knownLanguage(ws.DefaultLanguage) {
		return ws.DefaultLanguage
	}
	return "en"
}

// burst is one open coalescing window.
type burst struct {
	until   time.Time
	total   int             // events alerted in this burst so far
	dialogs map[string]bool // the dialogs they were about
	pending []event         // gathered, not alerted yet
}

func (b *burst) note(evs []event) {
	b.total += len(evs)
	for _, e := range evs {
		b.dialogs[e.dialogID] = true
	}
}
