package relay

import (
	"testing"
	"time"
)

// TestTypingIsPassedOnAtMostOncePerIntervalPerDialog walks a clock through
// an operator's typing: the first word goes out, the rest of the interval
// is quiet, the next interval goes out again, and dialogs do not hold each
// other back.
func TestTypingIsPassedOnAtMostOncePerIntervalPerDialog(t *testing.T) {
	o := newOutward()
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	every := 4 * time.Second
	for _, step := range []struct {
		dialog string
		at     time.Duration
		want   bool
	}{
		{"d1", 0, true},
		{"d1", time.Second, false},
		{"d2", time.Second, true},
		{"d1", every - time.Millisecond, false},
		{"d1", every, true},
		{"d1", every + time.Second, false},
		{"d1", 3 * every, true},
		{"d1", 2 * every, true}, // the clock went back: pass on rather than fall silent
	} {
		if got := o.typingDue(step.dialog, t0.Add(step.at), every); got != step.want {
			t.Errorf("typing in %s at +%v passed on = %v, want %v", step.dialog, step.at, got, step.want)
		}
	}
}
