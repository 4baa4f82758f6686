package inbox

import (
	"fmt"
	"slices"
	"time"
)

// Hours is the schedule the line's metrics are counted on: nil (around the
// clock) for no line, no schedule or a schedule without one open interval.
func (o *Org) Hours(lineID string) *Schedule {
	if o == nil {
		return nil
	}
	l := o.Lines[lineID]
	if l == nil || l.BusinessHours == nil || !l.BusinessHours.open() {
		return nil
	}
	return l.BusinessHours
}

// open reports whether the schedule has at least one open interval.
func (s *Schedule) open() bool {
	for _, day := range s.Days {
		for _, iv := range day {
			if lo, hi := clampMinutes(iv); hi > lo {
				return true
			}
		}
	}
	return false
}

// clampMinutes is an interval kept within one day (0..1440).
func clampMinutes(iv [2]int) (int, int) {
	return min(max(iv[0], 0), 1440), min(max(iv[1], 0), 1440)
}

// location is the schedule's time zone; UTC when it names none we know.
func (s *Schedule) location() *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// day is the open intervals of one weekday, clamped to the day, sorted
// and merged, so overlapping intervals count once.
func (s *Schedule) day(wd time.Weekday) [][2]int {
	var ivs [][2]int
	for _, iv := range s.Days[wd] {
		if lo, hi := clampMinutes(iv); hi > lo {
			ivs = append(ivs, [2]int{lo, hi})
		}
	}
	slices.SortFunc(ivs, func(a, b [2]int) int { return a[0] - b[0] })
	var out [][2]int
	for _, iv := range ivs {
		if n := len(out); n > 0 && iv[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], iv[1])
			continue
		}
		out = append(out, iv)
	}
	return out
}

// Between is how much of [from, to) falls in the schedule's open hours.
// Intervals are wall-clock times in the schedule's zone, so 09:00–18:00 is
// nine hours every day and a day that a DST change shortens loses the
// skipped hour only where it was open (00:00–24:00 on that day is 23 h).
func (s *Schedule) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	loc := s.location()
	var week [7][][2]int
	for wd := range week {
		week[wd] = s.day(time.Weekday(wd))
	}
	var total time.Duration
	f := from.In(loc)
	y, m, d := f.Date()
	for {
		midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
		if !midnight.Before(to) {
			break
		}
		for _, iv := range week[midnight.Weekday()] {
			lo := time.Date(y, m, d, iv[0]/60, iv[0]%60, 0, 0, loc)
			hi := time.Date(y, m, d, iv[1]/60, iv[1]%60, 0, 0, loc)
			if lo.Before(from) {
				lo = from
			}
			if hi.After(to) {
				hi = to
			}
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
		d++ // time.Date normalises the 32nd into the next month
	}
	return total
}

// Elapsed is the time from from to to counted on s: wall time when s is
// nil. It is the one clock every metric uses.
func Elapsed(s *Schedule, from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if s == nil {
		return to.Sub(from)
	}
	return s.Between(from, to)
}

// Problem says in words what is wrong with a schedule an admin gives (a
// time zone Go does not know, an interval that is not part of one day);
// "" when nothing is.
func (s *Schedule) Problem() string {
	if s.TimeZone == "" || s.TimeZone == "Local" {
		return "Choose the time zone of the business hours, such as Europe/Kyiv."
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return fmt.Sprintf("The time zone %q is not known.", s.TimeZone)
	}
	for wd, day := range s.Days {
		for _, iv := range day {
			if iv[0] < 0 || iv[1] > 1440 || iv[0] >= iv[1] {
				return fmt.Sprintf("On %s, hours must start before they end, within the day (%d–%d minutes).", time.Weekday(wd), iv[0], iv[1])
			}
		}
	}
	return ""
}
