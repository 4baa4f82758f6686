package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"switchboard/inbox"
	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// report measures the supervisor's dialog report (store.DialogReport, one
// SQL aggregate) over 90 days of d dialogs with per messages each, grouped
// by operator, line and channel, beside a bare count over the same rows:
// what reading the period costs at all.
func report(ctx context.Context, d, per int) {
	st, cleanup := open(ctx)
	defer cleanup()
	must(seed.Demo(ctx, st, time.Now()))
	officeHours(ctx, st, "line-support")
	fillSpread(ctx, st, d, per)
	to := time.Now()
	from := to.Add(-90 * 24 * time.Hour)
	reportRuns(ctx, st, from, to, d, "")
	if *dbKind == "postgres" {
		// What autovacuum does after a bulk insert: statistics, and the
		// visibility map that lets a covering index answer alone.
		for _, t := range []string{"dialogs", "dialog_tags"} {
			_, err := st.RawDB().ExecContext(ctx, "VACUUM ANALYZE "+t)
			must(err)
		}
		reportRuns(ctx, st, from, to, d, "vacuumed")
	}
}

// reportRuns times the dialog report and the charted reports once.
func reportRuns(ctx context.Context, st *sqlstore.Store, from, to time.Time, d int, note string) {
	if note != "" {
		fmt.Printf("report  %-8s after %s:\n", *dbKind, note)
	}
	const runs = 7
	for _, by := range []string{wire.ReportByOperator, wire.ReportByLine, wire.ReportByChannel} {
		var took []time.Duration
		for range runs {
			t := time.Now()
			rows, err := st.DialogReport(ctx, store.ReportQuery{From: from, To: to, By: by})
			must(err)
			took = append(took, time.Since(t))
			if len(rows) == 0 {
				panic("empty report")
			}
		}
		base := countPeriod(ctx, st, from, to, runs)
		slices.Sort(took)
		fmt.Printf("report  %-8s by %-8s 90 days, %d dialogs: median %s (count(*) of the period %s, ratio %.2f; target < 1000 ms)\n",
			*dbKind, by, d, ms(took[runs/2]), ms(base), float64(base)/float64(took[runs/2]))
	}
	analytics(ctx, st, from, to, d, runs)
}

// analytics times each charted report (store.Analytics) over the period,
// days cut in Kyiv, and all five together (what GET
// /api/v1/reports/analytics runs), median of runs, beside the count.
func analytics(ctx context.Context, st *sqlstore.Store, from, to time.Time, d, runs int) {
	kyiv, err := time.LoadLocation("Europe/Kyiv")
	must(err)
	q := store.AnalyticsQuery{From: from, To: to, Loc: kyiv, By: wire.ReportByLine}
	parts := []struct {
		name string
		run  func() (int, error)
	}{
		{"per day", func() (int, error) { r, err := st.Volume(ctx, q); return len(r), err }},
		{"pctiles", func() (int, error) { r, err := st.Percentiles(ctx, q); return len(r), err }},
		{"csat", func() (int, error) { r, err := st.CSAT(ctx, q); return len(r), err }},
		{"load", func() (int, error) { r, err := st.OperatorLoad(ctx, q); return len(r), err }},
		{"tags", func() (int, error) { r, err := st.TagReport(ctx, q); return len(r), err }},
	}
	all := func() (int, error) { // as GET /api/v1/reports/analytics runs them: side by side
		a, err := store.RunAnalytics(ctx, st, q)
		return len(a.Volume) + len(a.Percentiles) + len(a.CSAT) + len(a.Operators) + len(a.Tags), err
	}
	base := countPeriod(ctx, st, from, to, runs)
	for _, p := range append(parts, struct {
		name string
		run  func() (int, error)
	}{"all five", all}) {
		var took []time.Duration
		for range runs {
			t := time.Now()
			n, err := p.run()
			must(err)
			took = append(took, time.Since(t))
			if n == 0 {
				panic("empty report: " + p.name)
			}
		}
		slices.Sort(took)
		fmt.Printf("report  %-8s %-8s 90 days, %d dialogs: median %s (count(*) of the period %s, ratio %.2f; target < 1000 ms)\n",
			*dbKind, p.name, d, ms(took[runs/2]), ms(base), float64(base)/float64(took[runs/2]))
	}
}

// countPeriod is the baseline: the median of a bare count of the period's dialogs.
func countPeriod(ctx context.Context, st *sqlstore.Store, from, to time.Time, runs int) time.Duration {
	var took []time.Duration
	for range runs {
		t := time.Now()
		_, err := st.CountDialogsCreated(ctx, from, to)
		must(err)
		took = append(took, time.Since(t))
	}
	slices.Sort(took)
	return took[runs/2]
}

// officeHours gives a line business hours (Monday to Friday, 09:00–18:00
// in Kyiv), so the fill pays for counting metrics on them.
func officeHours(ctx context.Context, st store.Store, lineID string) {
	org, err := st.Org(ctx)
	must(err)
	l := *org.Lines[lineID]
	l.BusinessHours = &inbox.Schedule{TimeZone: "Europe/Kyiv"}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		l.BusinessHours.Days[wd] = [][2]int{{540, 1080}}
	}
	must(st.Write(ctx, func(tx store.Tx) error { _, err := tx.PutOrg(wire.KindLine, lineID, &l); return err }))
}

// fillSpread writes d closed dialogs spread over the last 90 days, each
// answered and handled by one of the demo's operators, with per messages;
// each carries response times, every second a customer rating and every
// third one of four tags.
func fillSpread(ctx context.Context, st store.Store, d, per int) {
	start := time.Now()
	const chunk = 500
	now := time.Now()
	ops := []string{"op-anna", "op-taras", "op-james", "op-sofia"}
	for from := 0; from < d; from += chunk {
		must(st.Write(ctx, func(tx store.Tx) error {
			o := &inbox.Outcome{}
			for i := from; i < min(from+chunk, d); i++ {
				cid, did := fmt.Sprintf("rc-%d", i), fmt.Sprintf("rd-%d", i)
				ch := []string{"ch-telegram", "ch-whatsapp", "ch-webchat", "ch-email"}[i%4]
				line := map[string]string{"ch-telegram": "line-sales", "ch-whatsapp": "line-support", "ch-webchat": "line-support", "ch-email": "line-intl"}[ch]
				at := now.Add(-time.Duration(i) * 90 * 24 * time.Hour / time.Duration(d))
				o.Clients = append(o.Clients, &inbox.Client{ID: cid, OriginalName: fmt.Sprintf("Клієнт %d", i), Contacts: []inbox.Contact{{ChannelID: ch, ExternalID: cid}}, CreatedAt: at})
				o.Dialogs = append(o.Dialogs, &inbox.Dialog{ID: did, Number: int64(1000 + i), ClientID: cid, ChannelID: ch, LineID: line,
					Status: inbox.StatusClosed, Detailed: inbox.DetClosed, AssigneeID: ops[i%len(ops)], CreatedAt: at,
					StartedAt: at.Add(time.Duration(i%300) * time.Second), FirstAnswerAt: at.Add(time.Duration(i%600) * time.Second),
					ClosedAt: at.Add(time.Duration(600+i%3600) * time.Second), ModifiedAt: at,
					Responses: inbox.ResponseStats{Count: 1 + i%5, TotalMs: int64(i % 900_000), MaxMs: int64(i % 300_000),
						BusinessTotalMs: int64(i % 600_000), BusinessMaxMs: int64(i % 200_000)}})
				if dl := o.Dialogs[len(o.Dialogs)-1]; i%2 == 0 {
					dl.ClientRating, dl.ClientRatedAt = 1+i%5, dl.ClosedAt.Add(time.Minute)
				}
				if i%3 == 0 {
					o.Dialogs[len(o.Dialogs)-1].Tags = []string{fmt.Sprintf("tag-%d", i%4)}
				}
				for j := range per {
					o.Messages = append(o.Messages, &inbox.Message{ID: fmt.Sprintf("rm-%d-%d", i, j), DialogID: did, ClientID: cid, ChannelID: ch, Kind: inbox.MsgInbound,
						Text: fmt.Sprintf("Сообщение %d в диалоге %d", j, i), ExternalID: fmt.Sprintf("rx-%d-%d", i, j), CreatedAt: at.Add(time.Duration(j) * time.Second)})
				}
			}
			_, err := tx.Apply(o)
			return err
		}))
	}
	fmt.Printf("fill    %-8s %d dialogs over 90 days, %d messages written in %s\n", *dbKind, d, d*per, time.Since(start).Round(time.Second))
}
