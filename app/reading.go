package app

import (
	"context"
	"slices"

	"switchboard/app/replica"
)

// When a client's messages count as read by the operator.
const (
	// ReadOnOpen: opening one's own dialog marks its messages read.
	ReadOnOpen = "open"
	// ReadOnMark: only the operator's mark does (Shift+Enter, the button).
	ReadOnMark = "mark"
)

// PreferencesView are the operator's choices for how this desktop
// behaves, kept in the data dir; they survive signing out.
type PreferencesView struct {
	// ReadOn is ReadOnOpen (the default) or ReadOnMark.
	ReadOn string `json:"readOn"`
	// HostChannels: this computer competes with the team server and the
	// other desktops to run channels whose plugin it has (an operator who
	// manages channels only).
	HostChannels bool `json:"hostChannels"`
}

// Preferences lets the UI read and change the operator's preferences.
type Preferences struct{ c *core }

const preferencesFile = "preferences.json"

// Get returns the preferences, the defaults where none were saved.
func (s *Preferences) Get() (PreferencesView, error) {
	p, err := s.c.loadPreferences()
	return p, toUI(err)
}

// loadPreferences reads the preferences, the defaults where none were
// saved or the file is unreadable.
func (c *core) loadPreferences() (PreferencesView, error) {
	p := PreferencesView{ReadOn: ReadOnOpen}
	if err := loadSettings(c.cfg.DataDir, preferencesFile, &p); err != nil {
		return PreferencesView{ReadOn: ReadOnOpen}, err
	}
	if p.ReadOn != ReadOnMark {
		p.ReadOn = ReadOnOpen
	}
	return p, nil
}

func (c *core) preferences() PreferencesView {
	p, _ := c.loadPreferences()
	return p
}

// Hosting says whether this computer hosts channels and which it runs.
func (s *Preferences) Hosting() (HostingView, error) {
	return s.c.hosting.view(context.Background(), s.c.preferences().HostChannels), nil
}

// Set stores new preferences and returns them.
func (s *Preferences) Set(p PreferencesView) (PreferencesView, error) {
	if !slices.Contains([]string{ReadOnOpen, ReadOnMark}, p.ReadOn) {
		return PreferencesView{}, uiError(CodeBadInput, "unknown reading mode", nil)
	}
	before := s.c.preferences()
	if err := saveSettings(s.c.cfg.DataDir, preferencesFile, p); err != nil {
		return PreferencesView{}, toUI(err)
	}
	if before.HostChannels != p.HostChannels {
		go s.c.hosting.apply(p.HostChannels)
	}
	return p, nil
}

// MarkAllRead marks every dialog of a tab that has unread messages as
// read, and returns how many. It cannot be undone: the UI asks first.
// Each dialog is its own dialog.read command, as when the operator marks
// one, all queued in one transaction.
func (s *Inbox) MarkAllRead(tab string) (int, error) {
	ctx := context.Background()
	rp, me, err := s.c.signedIn(ctx)
	if err != nil {
		return 0, err
	}
	t := replica.Tab(tab)
	if !slices.Contains(replica.Tabs, t) {
		return 0, uiError(CodeBadInput, "unknown tab", nil)
	}
	ds, err := rp.UnreadDialogs(ctx, me, t)
	if err != nil {
		return 0, toUI(err)
	}
	if len(ds) == 0 {
		return 0, nil
	}
	cmds := make([]replica.Queued, 0, len(ds))
	ids := make([]string, 0, len(ds))
	for i := range ds {
		nd := ds[i].Clone()
		nd.Unread = 0
		q, err := queued("dialog.read", map[string]string{"dialogId": nd.ID}, replica.Optimistic{Dialog: nd})
		if err != nil {
			return 0, toUI(err)
		}
		cmds = append(cmds, q)
		ids = append(ids, nd.ID)
	}
	if err := rp.EnqueueAll(ctx, cmds); err != nil {
		return 0, toUI(err)
	}
	s.c.queuedFor(ids)
	return len(ds), nil
}
