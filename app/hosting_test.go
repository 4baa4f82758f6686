package app

import (
	"testing"

	"switchboard/app/syncclient/synctest"
)

// The toggle is kept with the preferences and tells an operator who may
// not host channels why nothing runs; the real hosting is tested against
// the real server in internal/integration.
func TestHostingChannelsNeedsAnOperatorWhoManagesThem(t *testing.T) {
	ts := synctest.New(t)
	seed(ts)
	a, ev := startApp(t)
	signIn(t, a, ts)
	if v, err := a.Preferences.Hosting(); err != nil || v.Enabled || len(v.Channels) != 0 {
		t.Fatalf("Hosting() before the toggle = %+v, %v; want off", v, err)
	}
	p, _ := a.Preferences.Get()
	p.HostChannels = true
	if _, err := a.Preferences.Set(p); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the refusal shown", func() bool {
		v, _ := a.Preferences.Hosting()
		return v.Enabled && v.ErrorCode == "auth.forbidden"
	})
	// The refusal is kept, then announced: the event may follow a moment
	// after the view shows it.
	waitFor(t, "a hosting:changed event telling the UI", func() bool {
		return ev.find(EventHostingChanged, func(d any) bool { return d.(HostingView).ErrorCode == "auth.forbidden" })
	})
	if got, _ := a.Preferences.Get(); !got.HostChannels {
		t.Error("the toggle was not kept")
	}
	p.HostChannels = false
	if _, err := a.Preferences.Set(p); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "hosting off", func() bool {
		v, _ := a.Preferences.Hosting()
		return !v.Enabled && v.ErrorCode == ""
	})
}
