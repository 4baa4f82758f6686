package app

import (
	"testing"

	"switchboard/inbox"
)

// The client card offers what the rules allow, labelled as the seeds do.
func TestClientControls(t *testing.T) {
	org := inbox.NewOrg(&inbox.Workspace{ID: "ws"},
		[]*inbox.Operator{
			{ID: "anna", Name: "Anna", Role: inbox.RoleOperator, Active: true},
			{ID: "oleg", Name: "Oleg", Role: inbox.RoleOperator, Active: true},
			{ID: "boss", Name: "Boss", Role: inbox.RoleAdmin, Active: true},
		},
		inbox.DefaultRoles(),
		[]*inbox.Group{{ID: "g", MemberIDs: []string{"anna", "oleg"}}},
		[]*inbox.Line{{ID: "l", Name: "Sales", OperatorGroupIDs: []string{"g"}}}, nil, nil)
	mine := &inbox.Dialog{ID: "d", LineID: "l", Status: inbox.StatusInProgress, AssigneeID: "anna"}
	queued := &inbox.Dialog{ID: "d", LineID: "l", Status: inbox.StatusUnassigned}
	tests := []struct {
		name         string
		me           string
		d            *inbox.Dialog
		pinned       string
		blacklisted  bool
		pin, pinName string
		canBlacklist bool
		canUnblock   bool
	}{
		{"my dialog's client: Pin (me)", "anna", mine, "", false, "pin", "Anna", true, false},
		{"pinned to me: Unpin (me)", "anna", mine, "anna", false, "unpin", "Anna", true, false},
		{"a colleague's client: Pinned (colleague), nothing to press", "oleg", mine, "anna", false, "pinned", "Anna", false, false},
		{"an admin sees Unpin (pinned to colleague)", "boss", mine, "anna", false, "unpin_other", "Anna", true, false},
		{"a colleague's dialog, client not pinned: nothing to pin", "oleg", mine, "", false, "", "", false, false},
		{"a queued dialog's client may be blacklisted by the line", "oleg", queued, "", false, "", "", true, false},
		{"a blacklisted client: only those with the Blacklist tab unblock", "anna", mine, "", true, "", "", false, false},
		{"an admin unblocks (and is offered no pin for a blacklisted client)", "boss", mine, "", true, "", "", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v ClientView
			cl := &inbox.Client{ID: "c", PinnedOperatorID: tc.pinned, Blacklisted: tc.blacklisted}
			clientControls(&v, org, tc.me, tc.d, cl)
			if v.Pin != tc.pin || v.PinName != tc.pinName || v.CanBlacklist != tc.canBlacklist || v.CanUnblock != tc.canUnblock {
				t.Errorf("clientControls = pin %q (%q), blacklist %v, unblock %v; want %q (%q), %v, %v",
					v.Pin, v.PinName, v.CanBlacklist, v.CanUnblock, tc.pin, tc.pinName, tc.canBlacklist, tc.canUnblock)
			}
		})
	}
}
