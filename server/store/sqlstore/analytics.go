package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"switchboard/server/store"
	"switchboard/wire"
)

// The charted reports (store.Analytics). Every one aggregates the dialogs'
// metric columns (migration 8), which inbox.MetricsOn filled on the line's
// business hours when the dialog was written; none reads a message. The
// same SQL runs on SQLite and PostgreSQL: sums and counts only (averages
// are divided by the client); percentiles are ranked in Go over one read.

// analyticsKeys are the groupings of Volume and Percentiles.
var analyticsKeys = map[string]string{wire.ReportByLine: "line_id", wire.ReportByChannel: "channel_id"}

// filter is the WHERE of q's dialogs (columns prefixed by p), time on col.
func filter(q store.AnalyticsQuery, p, col string) (string, []any) {
	w := p + col + ` >= ? AND ` + p + col + ` < ?`
	args := []any{q.From.UnixMilli(), q.To.UnixMilli()}
	for _, f := range []struct{ col, v string }{{"line_id", q.LineID}, {"channel_id", q.ChannelID}, {"assignee_id", q.OperatorID}} {
		if f.v != "" {
			w += ` AND ` + p + f.col + ` = ?`
			args = append(args, f.v)
		}
	}
	return w, args
}

// quarter is the bucket the per-day reports count in: every time zone's
// midnight falls on a quarter hour of UTC, so a bucket lies within one
// local day and the days are cut exactly, DST or not, by one index range
// read with no join (a join with a list of days planned badly on
// PostgreSQL without fresh statistics).
const quarter = 15 * 60 * 1000

// dayOf maps the start of a quarter-hour bucket to its day in days (the
// bucket's first moment in the period decides).
func dayOf(days []store.Day, from, bucket int64) int {
	at := max(bucket*quarter, from)
	i, _ := slices.BinarySearchFunc(days, at, func(d store.Day, t int64) int {
		switch {
		case d.Hi <= t:
			return -1
		case d.Lo > t:
			return 1
		}
		return 0
	})
	return min(i, len(days)-1)
}

func (s *Store) Volume(ctx context.Context, q store.AnalyticsQuery) ([]wire.VolumeRow, error) {
	key, ok := analyticsKeys[q.By]
	if !ok {
		return nil, fmt.Errorf("volume by %q: %w", q.By, store.ErrBadReport)
	}
	days := q.Days()
	sums := map[wire.VolumeRow]int64{} // Dialogs 0: day and key
	w, args := filter(q, "", "created_at")
	err := s.each(ctx, "volume", `SELECT created_at / `+strconv.Itoa(quarter)+`, `+key+`, count(*) FROM dialogs
		WHERE `+w+` GROUP BY created_at / `+strconv.Itoa(quarter)+`, `+key, args, func(rows *sql.Rows) error {
		var b, n int64
		var k string
		if err := rows.Scan(&b, &k, &n); err != nil {
			return err
		}
		sums[wire.VolumeRow{Day: dayOf(days, q.From.UnixMilli(), b), Key: k}] += n
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]wire.VolumeRow, 0, len(sums))
	for r, n := range sums {
		r.Dialogs = n
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b wire.VolumeRow) int {
		if a.Day != b.Day {
			return a.Day - b.Day
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, nil
}

func (s *Store) Percentiles(ctx context.Context, q store.AnalyticsQuery) ([]wire.PercentileRow, error) {
	key, ok := analyticsKeys[q.By]
	if !ok {
		return nil, fmt.Errorf("percentiles by %q: %w", q.By, store.ErrBadReport)
	}
	// One read of the period's measured values, ranked here: exact, the
	// same on both databases, and cheaper than a window sort per group and
	// metric (the values are two integers a dialog).
	w, args := filter(q, "", "created_at")
	type vals struct{ frt, res []int64 }
	all, by := &vals{}, map[string]*vals{}
	err := s.each(ctx, "percentiles", `SELECT `+key+`, frt_ms, resolution_ms FROM dialogs
		WHERE `+w+` AND (frt_ms >= 0 OR resolution_ms >= 0)`, args, func(rows *sql.Rows) error {
		var k string
		var frt, res int64
		if err := rows.Scan(&k, &frt, &res); err != nil {
			return err
		}
		g := by[k]
		if g == nil {
			g = &vals{}
			by[k] = g
		}
		if frt >= 0 {
			all.frt, g.frt = append(all.frt, frt), append(g.frt, frt)
		}
		if res >= 0 {
			all.res, g.res = append(all.res, res), append(g.res, res)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	row := func(k string, v *vals) wire.PercentileRow {
		r := wire.PercentileRow{Key: k, Answered: int64(len(v.frt)), Resolved: int64(len(v.res))}
		r.FrtP50Ms, r.FrtP90Ms, r.FrtP95Ms = ranks(v.frt)
		r.ResP50Ms, r.ResP90Ms, r.ResP95Ms = ranks(v.res)
		return r
	}
	out := []wire.PercentileRow{row("", all)}
	for k, v := range by {
		out = append(out, row(k, v))
	}
	sortRows(out[1:], func(r wire.PercentileRow) string { return r.Key })
	return out, nil
}

// ranks sorts v and returns its 50th, 90th and 95th percentiles by nearest
// rank: the ceil(p·n)-th smallest value; zeros for no values.
func ranks(v []int64) (p50, p90, p95 int64) {
	n := len(v)
	if n == 0 {
		return 0, 0, 0
	}
	slices.Sort(v)
	at := func(p int) int64 { return v[(p*n+99)/100-1] }
	return at(50), at(90), at(95)
}

func (s *Store) CSAT(ctx context.Context, q store.AnalyticsQuery) ([]wire.CSATRow, error) {
	days := q.Days()
	byDay := map[int]*wire.CSATRow{}
	w, args := filter(q, "", "rated_at")
	err := s.each(ctx, "csat", `SELECT rated_at / `+strconv.Itoa(quarter)+`, count(*), sum(client_rating),
		sum(CASE WHEN client_rating >= 4 THEN 1 ELSE 0 END) FROM dialogs
		WHERE `+w+` AND client_rating > 0 GROUP BY rated_at / `+strconv.Itoa(quarter), args, func(rows *sql.Rows) error {
		var b, n, sum, good int64
		if err := rows.Scan(&b, &n, &sum, &good); err != nil {
			return err
		}
		d := dayOf(days, q.From.UnixMilli(), b)
		r := byDay[d]
		if r == nil {
			r = &wire.CSATRow{Day: d}
			byDay[d] = r
		}
		r.Ratings, r.Sum, r.Good = r.Ratings+n, r.Sum+sum, r.Good+good
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]wire.CSATRow, 0, len(byDay))
	for _, r := range byDay {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b wire.CSATRow) int { return a.Day - b.Day })
	return out, nil
}

func (s *Store) OperatorLoad(ctx context.Context, q store.AnalyticsQuery) ([]wire.OperatorLoadRow, error) {
	w, args := filter(q, "", "created_at")
	query := `SELECT assignee_id, count(*),
		sum(CASE WHEN status = 'closed' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'in_progress' THEN 1 ELSE 0 END),
		sum(CASE WHEN frt_ms >= 0 THEN 1 ELSE 0 END), sum(CASE WHEN frt_ms >= 0 THEN frt_ms ELSE 0 END),
		sum(resp_count), sum(resp_total_ms), max(resp_max_ms),
		sum(CASE WHEN client_rating > 0 THEN 1 ELSE 0 END), sum(client_rating)
		FROM dialogs WHERE ` + w + ` AND assignee_id <> '' GROUP BY assignee_id ORDER BY assignee_id`
	out := []wire.OperatorLoadRow{}
	err := s.each(ctx, "operator load", query, args, func(rows *sql.Rows) error {
		var r wire.OperatorLoadRow
		err := rows.Scan(&r.Key, &r.Dialogs, &r.Closed, &r.InProgress, &r.Answered, &r.FrtSumMs,
			&r.Responses, &r.ResponseTotalMs, &r.ResponseMaxMs, &r.Ratings, &r.RatingSum)
		out = append(out, r)
		return err
	})
	sortRows(out, func(r wire.OperatorLoadRow) string { return r.Key })
	return out, err
}

func (s *Store) TagReport(ctx context.Context, q store.AnalyticsQuery) ([]wire.TagRow, error) {
	w, args := filter(q, "d.", "created_at")
	// Driven from the period's dialogs (the report index covers them) into
	// dialog_tags by its key: SQLite keeps a CROSS JOIN's order, PostgreSQL
	// plans it as it likes.
	query := `SELECT t.tag_id, count(*),
		sum(CASE WHEN d.frt_ms >= 0 THEN 1 ELSE 0 END), sum(CASE WHEN d.frt_ms >= 0 THEN d.frt_ms ELSE 0 END),
		sum(CASE WHEN d.resolution_ms >= 0 THEN 1 ELSE 0 END), sum(CASE WHEN d.resolution_ms >= 0 THEN d.resolution_ms ELSE 0 END)
		FROM dialogs d CROSS JOIN dialog_tags t
		WHERE t.dialog_id = d.id AND ` + w + ` GROUP BY t.tag_id`
	out := []wire.TagRow{}
	err := s.each(ctx, "tags", query, args, func(rows *sql.Rows) error {
		var r wire.TagRow
		err := rows.Scan(&r.Key, &r.Dialogs, &r.Answered, &r.FrtSumMs, &r.Resolved, &r.ResolutionSumMs)
		out = append(out, r)
		return err
	})
	sortRows(out, func(r wire.TagRow) string { return r.Key })
	return out, err
}

// ParallelReads is true on PostgreSQL: see store.ParallelReads.
func (s *Store) ParallelReads() bool { return s.d.dollar }

// each runs a report query and hands each row to fn.
func (s *Store) each(ctx context.Context, what, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return fmt.Errorf("%s report: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("%s report: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s report: %w", what, err)
	}
	return nil
}

// sortRows sorts rows by key, byte-wise: the databases' ORDER BY may
// collate text differently, and both must give the same report.
func sortRows[T any](rows []T, key func(T) string) {
	slices.SortStableFunc(rows, func(a, b T) int { return strings.Compare(key(a), key(b)) })
}
