package inbox

import (
	"fmt"
	"testing"
	"time"
)

// weekdays9to18 is Monday to Friday, 09:00–18:00 in zone.
func weekdays9to18(zone string) *Schedule {
	s := &Schedule{TimeZone: zone}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		s.Days[wd] = [][2]int{{540, 1080}}
	}
	return s
}

func TestScheduleBetween(t *testing.T) {
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-02 is a Monday. Kyiv is UTC+2 in winter, +3 from 2026-03-29 03:00.
	at := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, kyiv) }
	office := weekdays9to18("Europe/Kyiv")
	lunch := weekdays9to18("Europe/Kyiv")
	lunch.Days[time.Monday] = [][2]int{{540, 780}, {840, 1080}, {600, 700}} // 09–13, 14–18, and an overlap inside
	allDay := &Schedule{TimeZone: "Europe/Kyiv"}
	for wd := range allDay.Days {
		allDay.Days[wd] = [][2]int{{0, 1440}}
	}
	h := func(n float64) time.Duration { return time.Duration(n * float64(time.Hour)) }
	tests := []struct {
		name     string
		s        *Schedule
		from, to time.Time
		want     time.Duration
	}{
		{"within the day", office, at(3, 2, 10, 0), at(3, 2, 10, 30), 30 * time.Minute},
		{"before opening counts from 09:00", office, at(3, 2, 7, 0), at(3, 2, 9, 15), 15 * time.Minute},
		{"overnight: 17:50 to 09:10 next morning is 20 minutes", office, at(3, 2, 17, 50), at(3, 3, 9, 10), 20 * time.Minute},
		{"a weekend is skipped: Friday 17:00 to Monday 10:00 is 2 h", office, at(3, 6, 17, 0), at(3, 9, 10, 0), 2 * time.Hour},
		{"wholly on a Saturday: nothing", office, at(3, 7, 10, 0), at(3, 7, 16, 0), 0},
		{"a whole week: 5 × 9 h", office, at(3, 2, 0, 0), at(3, 9, 0, 0), 45 * time.Hour},
		{"lunch is not counted and overlaps count once", lunch, at(3, 2, 12, 0), at(3, 2, 15, 0), 2 * time.Hour},
		{"the zone decides: 07:00 UTC is 09:00 in Kyiv", office, time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), 1 * time.Hour},
		{"office hours are wall-clock across spring DST: Fri 17:00 to Mon 10:00", office, at(3, 27, 17, 0), at(3, 30, 10, 0), 2 * time.Hour},
		{"around the clock on the spring DST day is 23 h", allDay, at(3, 29, 0, 0), at(3, 30, 0, 0), 23 * time.Hour},
		{"around the clock on the autumn DST day is 25 h", allDay, at(10, 25, 0, 0), at(10, 26, 0, 0), 25 * time.Hour},
		{"a backwards span is nothing", office, at(3, 2, 11, 0), at(3, 2, 10, 0), 0},
		{"a month-end crossing: Tue 31 Mar 17:00 to Wed 1 Apr 10:00", office, at(3, 31, 17, 0), at(4, 1, 10, 0), h(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("Between(%v, %v) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
	// An unknown zone counts in UTC rather than failing.
	utc := weekdays9to18("Mars/Olympus")
	if got := utc.Between(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)); got != time.Hour {
		t.Errorf("unknown zone: Between = %v, want 1h (UTC)", got)
	}
}

func TestOrgHours(t *testing.T) {
	office := weekdays9to18("UTC")
	closed := &Schedule{TimeZone: "UTC"}
	closed.Days[time.Monday] = [][2]int{{600, 600}, {1200, 900}}
	org := NewOrg(&Workspace{ID: "ws"}, nil, DefaultRoles(), nil, []*Line{
		{ID: "a", BusinessHours: office}, {ID: "b"}, {ID: "c", BusinessHours: closed},
	}, nil, nil)
	for line, want := range map[string]*Schedule{"a": office, "b": nil, "c": nil, "missing": nil} {
		if got := org.Hours(line); got != want {
			t.Errorf("Hours(%q) = %v, want %v", line, got, want)
		}
	}
}

// Response times are summed as messages are applied, per the definition:
// each wait runs from the first unanswered client message to the next
// operator answer; client messages while a wait runs do not restart it.
func TestResponseTimesAccumulate(t *testing.T) {
	type step struct {
		min    int
		client bool // else an operator answers
	}
	at := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) } // t0 is a Monday, 10:00 UTC
	tests := []struct {
		name           string
		hours          *Schedule
		steps          []step
		count          int
		total, maxWait time.Duration // wall
		bizTotal, bMax time.Duration
		awaiting       bool
	}{
		{"client at 0, answer at 4", nil, []step{{0, true}, {4, false}}, 1, 4 * time.Minute, 4 * time.Minute, 4 * time.Minute, 4 * time.Minute, false},
		{"three client messages then one answer: one wait from the first", nil,
			[]step{{0, true}, {1, true}, {2, true}, {10, false}}, 1, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute, 10 * time.Minute, false},
		{"two answers in a row: the second answers nobody", nil,
			[]step{{0, true}, {3, false}, {5, false}}, 1, 3 * time.Minute, 3 * time.Minute, 3 * time.Minute, 3 * time.Minute, false},
		{"two waits: 3 and 7 minutes", nil,
			[]step{{0, true}, {3, false}, {10, true}, {12, true}, {17, false}}, 2, 10 * time.Minute, 7 * time.Minute, 10 * time.Minute, 7 * time.Minute, false},
		{"an unanswered client message waits", nil,
			[]step{{0, true}, {3, false}, {10, true}}, 1, 3 * time.Minute, 3 * time.Minute, 3 * time.Minute, 3 * time.Minute, true},
		// 10:00 client, 10:05 answer (5 min); 17:55 client, next day 09:05 answer: 15h10m wall, 10 business minutes.
		{"business hours skip the night", weekdays9to18("UTC"),
			[]step{{0, true}, {5, false}, {475, true}, {1385, false}}, 2, 5*time.Minute + 910*time.Minute, 910 * time.Minute,
			15 * time.Minute, 10 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMem()
			m.org.Lines["sales"].BusinessHours = tt.hours
			var d *Dialog
			for i, s := range tt.steps {
				if s.client {
					d = m.inbound(t, "tg", "c1", fmt.Sprint("e", i), at(s.min))
					continue
				}
				m.must(t, "anna", at(s.min), "message.send", fmt.Sprintf(`{"messageId":"m%d","dialogId":%q,"kind":"outbound","text":"hi"}`, i, d.ID))
			}
			d = m.dialogs[d.ID]
			r := d.Responses
			ms := func(d time.Duration) int64 { return d.Milliseconds() }
			if r.Count != tt.count || r.TotalMs != ms(tt.total) || r.MaxMs != ms(tt.maxWait) || r.BusinessTotalMs != ms(tt.bizTotal) || r.BusinessMaxMs != ms(tt.bMax) {
				t.Errorf("responses = %+v, want count %d total %v max %v business %v / %v", r, tt.count, tt.total, tt.maxWait, tt.bizTotal, tt.bMax)
			}
			if got := !d.AwaitingSince.IsZero(); got != tt.awaiting {
				t.Errorf("awaiting = %v, want %v", got, tt.awaiting)
			}
			got := MetricsOn(d, m.org.Hours(d.LineID))
			wantTotal, wantMax := tt.total, tt.maxWait
			if tt.hours != nil {
				wantTotal, wantMax = tt.bizTotal, tt.bMax
			}
			if got.Responses != tt.count || got.ResponseTotal != wantTotal || got.ResponseMax != wantMax {
				t.Errorf("MetricsOn responses = %d, %v, %v; want %d, %v, %v", got.Responses, got.ResponseTotal, got.ResponseMax, tt.count, wantTotal, wantMax)
			}
			// The first response is the first wait: both from the dialog's first message.
			if fr := MetricsOn(d, m.org.Hours(d.LineID)); tt.count > 0 && fr.FirstResponse > got.ResponseMax {
				t.Errorf("first response %v exceeds the longest response %v", fr.FirstResponse, got.ResponseMax)
			}
		})
	}
}

func TestMetricsOnBusinessHours(t *testing.T) {
	// Friday 2026-03-06 17:00 UTC created, answered Monday 09:30, closed Monday 12:00.
	fri := time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC)
	mon := func(h, m int) time.Time { return time.Date(2026, 3, 9, h, m, 0, 0, time.UTC) }
	d := &Dialog{CreatedAt: fri, StartedAt: mon(9, 0), FirstAnswerAt: mon(9, 30), ClosedAt: mon(12, 0),
		Responses: ResponseStats{Count: 1, TotalMs: 1, MaxMs: 1, BusinessTotalMs: 2, BusinessMaxMs: 2}}
	got := MetricsOn(d, weekdays9to18("UTC"))
	want := Metrics{FirstResponse: 90 * time.Minute, HasFirstResponse: true, TimeToStart: time.Hour, HasTimeToStart: true,
		Handling: 3 * time.Hour, HasHandling: true, Duration: 4 * time.Hour, HasDuration: true,
		Responses: 1, ResponseTotal: 2 * time.Millisecond, ResponseMax: 2 * time.Millisecond}
	if got != want {
		t.Errorf("MetricsOn(office) =\n %+v\nwant %+v", got, want)
	}
	wall := MetricsOf(d)
	if wall.FirstResponse != mon(9, 30).Sub(fri) || wall.ResponseTotal != time.Millisecond {
		t.Errorf("MetricsOf = %+v, want wall time", wall)
	}
}

func TestScheduleProblem(t *testing.T) {
	good := weekdays9to18("Europe/Kyiv")
	if p := good.Problem(); p != "" {
		t.Errorf("office hours: %s", p)
	}
	for name, s := range map[string]*Schedule{
		"no zone":          {},
		"unknown zone":     {TimeZone: "Mars/Olympus"},
		"ends before":      {TimeZone: "UTC", Days: [7][][2]int{1: {{600, 540}}}},
		"past midnight":    {TimeZone: "UTC", Days: [7][][2]int{1: {{600, 1500}}}},
		"negative minutes": {TimeZone: "UTC", Days: [7][][2]int{1: {{-10, 100}}}},
	} {
		if s.Problem() == "" {
			t.Errorf("%s: Problem() = \"\", want words", name)
		}
	}
}
