package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

const chWeb = "ch-web"

// analyticsOrg adds a second channel to the fixture org and gives the
// support line business hours: Monday to Friday 09:00–18:00 UTC.
func analyticsOrg(t *testing.T, s store.Store) {
	t.Helper()
	seedOrg(t, s)
	office := &inbox.Schedule{TimeZone: "UTC"}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		office.Days[wd] = [][2]int{{540, 1080}}
	}
	err := s.Write(context.Background(), func(tx store.Tx) error {
		if _, err := tx.PutOrg(wire.KindChannel, chWeb, &inbox.Channel{ID: chWeb, Name: "Site", Kind: inbox.KindWebchat, LineID: lineA, State: inbox.ChannelActive}); err != nil {
			return err
		}
		_, err := tx.PutOrg(wire.KindLine, lineB, &inbox.Line{ID: lineB, Name: "Support", OperatorGroupIDs: []string{"g-support"}, BusinessHours: office})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// analyticsDialogs is a hand-worked week; t0 is Monday 09:00 UTC and times
// are minutes after it. Support (line B) counts on office hours.
//
//	a1 sales tg  anna  created 0, answered 2, closed 20; rated 5 Mon 10:00; billing; responses 2 (3+2 min)
//	a2 sales web anna  created 10, answered 14, closed 70; rated 3 Tue 10:00; billing, bug; responses 1 (4)
//	a3 sales tg  anna  created 30, answered 40, in progress; bug; responses 1 (10)
//	a4 sales tg  nobody created Tue 09:00, waiting
//	b1 support tg taras created Mon 22:30, answered Tue 09:10, closed Tue 09:30; rated 4 Tue 11:00;
//	   on office hours: first response 10 min, resolution 30 min, response 10 min (wall 640)
//	b2 support tg nobody created Wed 10:00, spam at 10:01: no resolution
//	a5 sales tg anna   created Thu 09:00 (outside the range), rated 1
func analyticsDialogs() []*inbox.Dialog {
	m := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	type dl struct {
		n                         int
		line, ch, op              string
		st                        inbox.Status
		created, answered, closed int
		rating, ratedAt           int
		tags                      []string
		resp                      inbox.ResponseStats
	}
	min := int64(time.Minute / time.Millisecond)
	var out []*inbox.Dialog
	for _, x := range []dl{
		{1, lineA, chTg, opAnna, inbox.StatusClosed, 0, 2, 20, 5, 60, []string{"t-billing"}, inbox.ResponseStats{Count: 2, TotalMs: 5 * min, MaxMs: 3 * min}},
		{2, lineA, chWeb, opAnna, inbox.StatusClosed, 10, 14, 70, 3, 1500, []string{"t-billing", "t-bug"}, inbox.ResponseStats{Count: 1, TotalMs: 4 * min, MaxMs: 4 * min}},
		{3, lineA, chTg, opAnna, inbox.StatusInProgress, 30, 40, -1, 0, 0, []string{"t-bug"}, inbox.ResponseStats{Count: 1, TotalMs: 10 * min, MaxMs: 10 * min}},
		{4, lineA, chTg, "", inbox.StatusUnassigned, 1440, -1, -1, 0, 0, nil, inbox.ResponseStats{}},
		{5, lineB, chTg, opTaras, inbox.StatusClosed, 810, 1450, 1470, 4, 1560, nil,
			inbox.ResponseStats{Count: 1, TotalMs: 640 * min, MaxMs: 640 * min, BusinessTotalMs: 10 * min, BusinessMaxMs: 10 * min}},
		{6, lineB, chTg, "", inbox.StatusSpam, 2940, -1, 2941, 0, 0, nil, inbox.ResponseStats{}},
		{7, lineA, chTg, opAnna, inbox.StatusClosed, 4320, 4321, 4322, 1, 4330, nil, inbox.ResponseStats{}},
	} {
		d := newDialog(x.n, x.line).Dialogs[0]
		d.ChannelID, d.AssigneeID, d.Status, d.CreatedAt, d.Tags, d.Responses = x.ch, x.op, x.st, m(x.created), x.tags, x.resp
		if x.op != "" {
			d.StartedAt = d.CreatedAt
		}
		if x.answered >= 0 {
			d.FirstAnswerAt = m(x.answered)
		}
		if x.closed >= 0 {
			d.ClosedAt = m(x.closed)
		}
		if x.rating > 0 {
			d.ClientRating, d.ClientRatedAt = x.rating, m(x.ratedAt)
		}
		out = append(out, d)
	}
	return out
}

func putDialogs(t *testing.T, s store.Store, ds []*inbox.Dialog) {
	t.Helper()
	for _, d := range ds {
		o := newDialog(int(d.Number), d.LineID)
		o.Dialogs[0] = d
		apply(t, s, o)
	}
}

func testAnalytics(t *testing.T, open Opener) {
	s, _ := open(t)
	analyticsOrg(t, s)
	putDialogs(t, s, analyticsDialogs())
	ctx := context.Background()
	min := int64(time.Minute / time.Millisecond)
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	if err != nil {
		t.Fatal(err)
	}
	week := store.AnalyticsQuery{From: t0.Add(-9 * time.Hour), To: t0.Add(63 * time.Hour), Loc: time.UTC, By: wire.ReportByLine} // Mon–Wed
	q := func(f func(*store.AnalyticsQuery)) store.AnalyticsQuery { c := week; f(&c); return c }
	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Errorf("%s\n got %+v\nwant %+v", name, got, want)
		}
	}

	if days := week.Days(); len(days) != 3 || days[0].Label != "2026-11-02" || days[2].Label != "2026-11-04" {
		t.Errorf("Days() = %+v, want Mon 2 to Wed 4 November", days)
	}
	v, err := s.Volume(ctx, week)
	check("volume by line", v, []wire.VolumeRow{{Day: 0, Key: lineA, Dialogs: 3}, {Day: 0, Key: lineB, Dialogs: 1}, {Day: 1, Key: lineA, Dialogs: 1}, {Day: 2, Key: lineB, Dialogs: 1}}, err)
	// In Kyiv (UTC+2) b1, created 22:30 UTC on Monday, is Tuesday's.
	v, err = s.Volume(ctx, q(func(q *store.AnalyticsQuery) { q.Loc = kyiv }))
	check("volume by line in Kyiv", v, []wire.VolumeRow{{Day: 0, Key: lineA, Dialogs: 3}, {Day: 1, Key: lineA, Dialogs: 1}, {Day: 1, Key: lineB, Dialogs: 1}, {Day: 2, Key: lineB, Dialogs: 1}}, err)
	v, err = s.Volume(ctx, q(func(q *store.AnalyticsQuery) { q.By = wire.ReportByChannel; q.OperatorID = opAnna }))
	check("volume by channel of anna", v, []wire.VolumeRow{{Day: 0, Key: chTg, Dialogs: 2}, {Day: 0, Key: chWeb, Dialogs: 1}}, err)

	p, err := s.Percentiles(ctx, week)
	check("percentiles by line", p, []wire.PercentileRow{
		{Key: "", Answered: 4, FrtP50Ms: 4 * min, FrtP90Ms: 10 * min, FrtP95Ms: 10 * min, Resolved: 3, ResP50Ms: 30 * min, ResP90Ms: 60 * min, ResP95Ms: 60 * min},
		{Key: lineA, Answered: 3, FrtP50Ms: 4 * min, FrtP90Ms: 10 * min, FrtP95Ms: 10 * min, Resolved: 2, ResP50Ms: 20 * min, ResP90Ms: 60 * min, ResP95Ms: 60 * min},
		{Key: lineB, Answered: 1, FrtP50Ms: 10 * min, FrtP90Ms: 10 * min, FrtP95Ms: 10 * min, Resolved: 1, ResP50Ms: 30 * min, ResP90Ms: 30 * min, ResP95Ms: 30 * min},
	}, err)
	p, err = s.Percentiles(ctx, q(func(q *store.AnalyticsQuery) { q.By = wire.ReportByChannel; q.LineID = lineA }))
	check("percentiles by channel in sales", p, []wire.PercentileRow{
		{Key: "", Answered: 3, FrtP50Ms: 4 * min, FrtP90Ms: 10 * min, FrtP95Ms: 10 * min, Resolved: 2, ResP50Ms: 20 * min, ResP90Ms: 60 * min, ResP95Ms: 60 * min},
		{Key: chTg, Answered: 2, FrtP50Ms: 2 * min, FrtP90Ms: 10 * min, FrtP95Ms: 10 * min, Resolved: 1, ResP50Ms: 20 * min, ResP90Ms: 20 * min, ResP95Ms: 20 * min},
		{Key: chWeb, Answered: 1, FrtP50Ms: 4 * min, FrtP90Ms: 4 * min, FrtP95Ms: 4 * min, Resolved: 1, ResP50Ms: 60 * min, ResP90Ms: 60 * min, ResP95Ms: 60 * min},
	}, err)

	c, err := s.CSAT(ctx, week)
	check("csat", c, []wire.CSATRow{{Day: 0, Ratings: 1, Sum: 5, Good: 1}, {Day: 1, Ratings: 2, Sum: 7, Good: 1}}, err)
	c, err = s.CSAT(ctx, q(func(q *store.AnalyticsQuery) { q.LineID = lineB }))
	check("csat of support", c, []wire.CSATRow{{Day: 1, Ratings: 1, Sum: 4, Good: 1}}, err)

	ol, err := s.OperatorLoad(ctx, week)
	check("operator load", ol, []wire.OperatorLoadRow{
		{Key: opAnna, Dialogs: 3, Closed: 2, InProgress: 1, Answered: 3, FrtSumMs: 16 * min, Responses: 4, ResponseTotalMs: 19 * min, ResponseMaxMs: 10 * min, Ratings: 2, RatingSum: 8},
		{Key: opTaras, Dialogs: 1, Closed: 1, Answered: 1, FrtSumMs: 10 * min, Responses: 1, ResponseTotalMs: 10 * min, ResponseMaxMs: 10 * min, Ratings: 1, RatingSum: 4},
	}, err)

	tg, err := s.TagReport(ctx, week)
	check("tags", tg, []wire.TagRow{
		{Key: "t-billing", Dialogs: 2, Answered: 2, FrtSumMs: 6 * min, Resolved: 2, ResolutionSumMs: 80 * min},
		{Key: "t-bug", Dialogs: 2, Answered: 2, FrtSumMs: 14 * min, Resolved: 1, ResolutionSumMs: 60 * min},
	}, err)
	tg, err = s.TagReport(ctx, q(func(q *store.AnalyticsQuery) { q.ChannelID = chWeb }))
	check("tags on the site channel", tg, []wire.TagRow{
		{Key: "t-billing", Dialogs: 1, Answered: 1, FrtSumMs: 4 * min, Resolved: 1, ResolutionSumMs: 60 * min},
		{Key: "t-bug", Dialogs: 1, Answered: 1, FrtSumMs: 4 * min, Resolved: 1, ResolutionSumMs: 60 * min},
	}, err)
	// A tag taken off leaves the tag report.
	a3 := analyticsDialogs()[2]
	a3.Tags = nil
	putDialogs(t, s, []*inbox.Dialog{a3})
	tg, err = s.TagReport(ctx, week)
	check("tags after a3 lost its tag", tg, []wire.TagRow{
		{Key: "t-billing", Dialogs: 2, Answered: 2, FrtSumMs: 6 * min, Resolved: 2, ResolutionSumMs: 80 * min},
		{Key: "t-bug", Dialogs: 1, Answered: 1, FrtSumMs: 4 * min, Resolved: 1, ResolutionSumMs: 60 * min},
	}, err)

	if _, err := s.Volume(ctx, q(func(q *store.AnalyticsQuery) { q.By = "status; DROP TABLE dialogs" })); err == nil {
		t.Error("Volume(bad grouping) succeeded")
	}
}

// Percentiles are exact nearest ranks, whatever the count: checked against
// a sort in Go over 1..n values for n around the rank boundaries.
func testPercentilesExact(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	var ds []*inbox.Dialog
	const n = 41
	for i := 1; i <= n; i++ {
		d := newDialog(i, lineA).Dialogs[0]
		d.AssigneeID, d.StartedAt = opAnna, d.CreatedAt
		d.FirstAnswerAt = d.CreatedAt.Add(time.Duration((i*37)%n+1) * time.Second) // a permutation of 1..n s
		ds = append(ds, d)
	}
	putDialogs(t, s, ds)
	for _, count := range []int{1, 2, 10, 19, 20, 21, n} {
		vals := make([]int64, 0, count)
		for _, d := range ds[:count] {
			vals = append(vals, d.FirstAnswerAt.Sub(d.CreatedAt).Milliseconds())
		}
		slices.Sort(vals)
		rank := func(p int) int64 { return vals[(p*count+99)/100-1] }
		to := ds[count-1].CreatedAt.Add(time.Second)
		got, err := s.Percentiles(context.Background(), store.AnalyticsQuery{From: t0, To: to, By: wire.ReportByLine})
		if err != nil {
			t.Fatal(err)
		}
		if g := got[0]; g.Answered != int64(count) || g.FrtP50Ms != rank(50) || g.FrtP90Ms != rank(90) || g.FrtP95Ms != rank(95) {
			t.Errorf("%d values: got %+v, want p50 %d p90 %d p95 %d", count, g, rank(50), rank(90), rank(95))
		}
	}
}
