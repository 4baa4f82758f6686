package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// reportDialogs is a hand-worked day: minutes after t0.
//
//	dl-1 sales, anna:   created 0, started 5, answered 7, closed 30  -> first response 7, handling 25, duration 30
//	dl-2 sales, anna:   created 10, started 11, answered 13          -> first response 3
//	dl-3 sales, nobody: created 20, waiting
//	dl-4 support, taras, outgoing: created 40, started 40, answered 40, closed 50 -> no first response, handling 10
//	dl-5 support, nobody, spam: created 60, closed 61                -> duration 1
//	dl-6 sales, anna:   created the next day (outside the range)
func reportDialogs() []*inbox.Dialog {
	m := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }
	d := func(n int, line, op string, st inbox.Status, created, started, answered, closed int, outgoing bool) *inbox.Dialog {
		dl := newDialog(n, line).Dialogs[0]
		dl.AssigneeID, dl.Status, dl.Outgoing, dl.CreatedAt = op, st, outgoing, m(created)
		if started >= 0 {
			dl.StartedAt = m(started)
		}
		if answered >= 0 {
			dl.FirstAnswerAt = m(answered)
		}
		if closed >= 0 {
			dl.ClosedAt = m(closed)
		}
		return dl
	}
	return []*inbox.Dialog{
		d(1, lineA, opAnna, inbox.StatusClosed, 0, 5, 7, 30, false),
		d(2, lineA, opAnna, inbox.StatusInProgress, 10, 11, 13, -1, false),
		d(3, lineA, "", inbox.StatusUnassigned, 20, -1, -1, -1, false),
		d(4, lineB, opTaras, inbox.StatusClosed, 40, 40, 40, 50, true),
		d(5, lineB, "", inbox.StatusSpam, 60, -1, -1, 61, false),
		d(6, lineA, opAnna, inbox.StatusUnassigned, 24*60+1, -1, -1, -1, false),
	}
}

func testReports(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	for _, dl := range reportDialogs() {
		o := newDialog(int(dl.Number), dl.LineID)
		o.Dialogs[0] = dl
		apply(t, s, o)
	}
	ctx := context.Background()
	min := int64(time.Minute / time.Millisecond)
	day := store.ReportQuery{From: t0, To: t0.Add(24 * time.Hour)}
	tests := []struct {
		name string
		q    store.ReportQuery
		want []wire.ReportRow
	}{
		{"by operator", with(day, wire.ReportByOperator, ""), []wire.ReportRow{
			{Key: "", Dialogs: 2, Spam: 1, DurationAvgMs: 1 * min},
			{Key: opAnna, Dialogs: 2, Closed: 1, Answered: 2, FirstResponseAvgMs: 5 * min, FirstResponseMaxMs: 7 * min,
				Handled: 1, HandlingAvgMs: 25 * min, DurationAvgMs: 30 * min},
			{Key: opTaras, Dialogs: 1, Closed: 1, Handled: 1, HandlingAvgMs: 10 * min, DurationAvgMs: 10 * min},
		}},
		{"by line", with(day, wire.ReportByLine, ""), []wire.ReportRow{
			{Key: lineA, Dialogs: 3, Closed: 1, Answered: 2, FirstResponseAvgMs: 5 * min, FirstResponseMaxMs: 7 * min,
				Handled: 1, HandlingAvgMs: 25 * min, DurationAvgMs: 30 * min},
			{Key: lineB, Dialogs: 2, Closed: 1, Spam: 1, Handled: 1, HandlingAvgMs: 10 * min, DurationAvgMs: (10*min + 1*min) / 2},
		}},
		{"by channel within one line", with(day, wire.ReportByChannel, lineB), []wire.ReportRow{
			{Key: chTg, Dialogs: 2, Closed: 1, Spam: 1, Handled: 1, HandlingAvgMs: 10 * min, DurationAvgMs: (10*min + 1*min) / 2},
		}},
		{"an empty range", store.ReportQuery{From: t0.Add(-48 * time.Hour), To: t0.Add(-24 * time.Hour), By: wire.ReportByLine}, []wire.ReportRow{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.DialogReport(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("DialogReport(%s)\n got %+v\nwant %+v", tt.q.By, got, tt.want)
			}
		})
	}
	if _, err := s.DialogReport(ctx, with(day, "client; DROP TABLE dialogs", "")); !errors.Is(err, store.ErrBadReport) {
		t.Errorf("DialogReport(bad grouping) err = %v, want ErrBadReport", err)
	}
}

// The report's averages are inbox.MetricsOf's spans, whatever the data.
func testReportsFollowMetricsOf(t *testing.T, open Opener) {
	s, _ := open(t)
	seedOrg(t, s)
	var fr, ho time.Duration
	var frN, hoN int64
	for _, dl := range reportDialogs()[:5] {
		if dl.AssigneeID != opAnna && dl.AssigneeID != opTaras {
			continue
		}
		o := newDialog(int(dl.Number), dl.LineID)
		o.Dialogs[0] = dl
		apply(t, s, o)
		m := inbox.MetricsOf(dl)
		if m.HasFirstResponse {
			fr, frN = fr+m.FirstResponse, frN+1
		}
		if m.HasHandling {
			ho, hoN = ho+m.Handling, hoN+1
		}
	}
	rows, err := s.DialogReport(context.Background(), store.ReportQuery{From: t0, To: t0.Add(time.Hour), By: wire.ReportByLine})
	if err != nil {
		t.Fatal(err)
	}
	var gotFr, gotHo, n1, n2 int64
	for _, r := range rows {
		gotFr += r.FirstResponseAvgMs * r.Answered
		gotHo += r.HandlingAvgMs * r.Handled
		n1, n2 = n1+r.Answered, n2+r.Handled
	}
	if n1 != frN || n2 != hoN || gotFr != fr.Milliseconds() || gotHo != ho.Milliseconds() {
		t.Errorf("report sums first response %d over %d, handling %d over %d; MetricsOf: %d over %d, %d over %d",
			gotFr, n1, gotHo, n2, fr.Milliseconds(), frN, ho.Milliseconds(), hoN)
	}
}

func with(q store.ReportQuery, by, line string) store.ReportQuery {
	q.By, q.LineID = by, line
	return q
}
