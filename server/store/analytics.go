package store

import (
	"context"
	"sync"

	"switchboard/wire"
)

// ParallelReads is implemented by a store whose reads gain from running
// side by side (PostgreSQL's server processes; SQLite's in-process reads
// only contend for the same cores).
type ParallelReads interface{ ParallelReads() bool }

// RunAnalytics makes the five charted reports of q, side by side where the
// store gains from it, and fills their part of a wire.Analytics: Days,
// Volume, Percentiles, CSAT, Operators and Tags.
func RunAnalytics(ctx context.Context, a Analytics, q AnalyticsQuery) (wire.Analytics, error) {
	parallel := false
	if p, ok := a.(ParallelReads); ok {
		parallel = p.ParallelReads()
	}
	out := wire.Analytics{From: q.From.UnixMilli(), To: q.To.UnixMilli(), By: q.By, Days: []string{}}
	for _, d := range q.Days() {
		out.Days = append(out.Days, d.Label)
	}
	var wg sync.WaitGroup
	errs := make([]error, 5)
	run := func(i int, f func() error) {
		if !parallel {
			errs[i] = f()
			return
		}
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f() }()
	}
	run(0, func() (err error) { out.Volume, err = a.Volume(ctx, q); return })
	run(1, func() (err error) { out.Percentiles, err = a.Percentiles(ctx, q); return })
	run(2, func() (err error) { out.CSAT, err = a.CSAT(ctx, q); return })
	run(3, func() (err error) { out.Operators, err = a.OperatorLoad(ctx, q); return })
	run(4, func() (err error) { out.Tags, err = a.TagReport(ctx, q); return })
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return wire.Analytics{}, err
		}
	}
	return out, nil
}
