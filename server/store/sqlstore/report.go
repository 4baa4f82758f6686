package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// dialogCols are the dialogs table's columns a dialog write sets (data
// follows): the keys the queues and the reports filter and group on.
var dialogCols = []string{"id", "client_id", "channel_id", "line_id", "status", "snoozed_until", "number", "created_at",
	"assignee_id", "outgoing", "started_at", "first_answer_at", "closed_at",
	"frt_ms", "resolution_ms", "resp_count", "resp_total_ms", "resp_max_ms", "client_rating", "rated_at"}

// unixMs is t as unix milliseconds, 0 for the zero time.
func unixMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// dialogValues are the values of dialogCols after id, every integer an
// int64 so two rows compare with slices.Equal.
func dialogValues(org *inbox.Org, d *inbox.Dialog) []any {
	var snoozed int64
	if d.Status == inbox.StatusSnoozed && !d.SnoozedUntil.IsZero() {
		snoozed = d.SnoozedUntil.UnixMilli()
	}
	vals := append([]any{d.ClientID, d.ChannelID, d.LineID, string(d.Status), snoozed, d.Number, d.CreatedAt.UnixMilli()},
		append(reportValues(d), metricValues(org, d)...)...)
	for i, v := range vals {
		if n, ok := v.(int); ok {
			vals[i] = int64(n)
		}
	}
	return vals
}

// storedDialogSQL selects a dialog's JSON and then its dialogCols after id,
// for scanDialog.
var storedDialogSQL = "data, " + strings.Join(dialogCols[1:], ", ")

// scanDialog reads a row selected with storedDialogSQL: the dialog and
// its columns as stored (the form dialogValues gives).
func scanDialog(scan func(dest ...any) error) (*inbox.Dialog, []any, error) {
	var data string
	vals := make([]any, len(dialogCols)-1)
	dest := make([]any, len(dialogCols))
	dest[0] = &data
	strs := make([]string, len(vals))
	ints := make([]int64, len(vals))
	for i, c := range dialogCols[1:] {
		if textDialogCols[c] {
			dest[i+1] = &strs[i]
		} else {
			dest[i+1] = &ints[i]
		}
	}
	if err := scan(dest...); err != nil {
		return nil, nil, err
	}
	for i, c := range dialogCols[1:] {
		if textDialogCols[c] {
			vals[i] = strs[i]
		} else {
			vals[i] = ints[i]
		}
	}
	d := new(inbox.Dialog)
	if err := json.Unmarshal([]byte(data), d); err != nil {
		return nil, nil, fmt.Errorf("decode dialog: %w", err)
	}
	return d, vals, nil
}

// textDialogCols are the dialogCols of type TEXT; the rest are integers.
var textDialogCols = map[string]bool{"id": true, "client_id": true, "channel_id": true, "line_id": true, "status": true, "assignee_id": true}

// reportValues are the values of dialogCols after created_at.
func reportValues(d *inbox.Dialog) []any {
	outgoing := 0
	if d.Outgoing {
		outgoing = 1
	}
	return []any{d.AssigneeID, outgoing, unixMs(d.StartedAt), unixMs(d.FirstAnswerAt), unixMs(d.ClosedAt)}
}

// metricValues are the values of dialogCols after closed_at (migration 8):
// d's metrics counted on its line's business hours, the one definition
// (inbox.MetricsOn) the desktop's table uses too. Resolution is the life of
// a closed dialog; a spam dialog has none.
func metricValues(org *inbox.Org, d *inbox.Dialog) []any {
	m := inbox.MetricsOn(d, org.Hours(d.LineID))
	frt, res := int64(-1), int64(-1)
	if m.HasFirstResponse {
		frt = m.FirstResponse.Milliseconds()
	}
	if m.HasDuration && d.Status == inbox.StatusClosed {
		res = m.Duration.Milliseconds()
	}
	return []any{frt, res, m.Responses, m.ResponseTotal.Milliseconds(), m.ResponseMax.Milliseconds(), d.ClientRating, unixMs(d.ClientRatedAt)}
}

// putDialogTags keeps dialog_tags in step with d's tags when they changed.
func (t *tx) putDialogTags(prev, d *inbox.Dialog) error {
	if prev == nil && len(d.Tags) == 0 || prev != nil && slices.Equal(prev.Tags, d.Tags) {
		return nil
	}
	if prev != nil {
		if err := t.exec(`DELETE FROM dialog_tags WHERE dialog_id = ?`, d.ID); err != nil {
			return err
		}
	}
	for _, tag := range d.Tags {
		if err := t.exec(`INSERT INTO dialog_tags (dialog_id, tag_id, created_at) VALUES (?, ?, ?) ON CONFLICT (dialog_id, tag_id) DO NOTHING`,
			d.ID, tag, d.CreatedAt.UnixMilli()); err != nil {
			return err
		}
	}
	return nil
}

// backfillDialogMetrics fills migration 8's columns and dialog_tags for the
// dialogs written before it, from their JSON.
func backfillDialogMetrics(ctx context.Context, tx *sql.Tx, d dialect) error {
	org, err := loadOrg(ctx, tx, d)
	if err != nil {
		return err
	}
	all, err := allDialogs(ctx, tx)
	if err != nil {
		return err
	}
	q := d.rebind(`UPDATE dialogs SET frt_ms = ?, resolution_ms = ?, resp_count = ?, resp_total_ms = ?, resp_max_ms = ?,
		client_rating = ?, rated_at = ? WHERE id = ?`)
	tq := d.rebind(`INSERT INTO dialog_tags (dialog_id, tag_id, created_at) VALUES (?, ?, ?) ON CONFLICT (dialog_id, tag_id) DO NOTHING`)
	for _, dl := range all {
		if _, err := tx.ExecContext(ctx, q, append(metricValues(org, dl), dl.ID)...); err != nil {
			return fmt.Errorf("fill metrics of dialog %s: %w", dl.ID, err)
		}
		for _, tag := range dl.Tags {
			if _, err := tx.ExecContext(ctx, tq, dl.ID, tag, dl.CreatedAt.UnixMilli()); err != nil {
				return fmt.Errorf("fill tags of dialog %s: %w", dl.ID, err)
			}
		}
	}
	return nil
}

// allDialogs reads every dialog's JSON (for a backfill).
func allDialogs(ctx context.Context, tx *sql.Tx) ([]*inbox.Dialog, error) {
	rows, err := tx.QueryContext(ctx, `SELECT data FROM dialogs`)
	if err != nil {
		return nil, fmt.Errorf("read dialogs: %w", err)
	}
	defer rows.Close()
	var all []*inbox.Dialog
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("read dialogs: %w", err)
		}
		dl := new(inbox.Dialog)
		if err := json.Unmarshal([]byte(data), dl); err != nil {
			return nil, fmt.Errorf("decode dialog: %w", err)
		}
		all = append(all, dl)
	}
	return all, rows.Err()
}

// backfillDialogReportColumns fills migration 3's columns of the dialogs
// written before it, from their JSON.
func backfillDialogReportColumns(ctx context.Context, tx *sql.Tx, d dialect) error {
	rows, err := tx.QueryContext(ctx, `SELECT data FROM dialogs`)
	if err != nil {
		return fmt.Errorf("read dialogs: %w", err)
	}
	var all []*inbox.Dialog
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return fmt.Errorf("read dialogs: %w", err)
		}
		dl := new(inbox.Dialog)
		if err := json.Unmarshal([]byte(data), dl); err != nil {
			rows.Close()
			return fmt.Errorf("decode dialog: %w", err)
		}
		all = append(all, dl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read dialogs: %w", err)
	}
	q := d.rebind(`UPDATE dialogs SET assignee_id = ?, outgoing = ?, started_at = ?, first_answer_at = ?, closed_at = ? WHERE id = ?`)
	for _, dl := range all {
		if _, err := tx.ExecContext(ctx, q, append(reportValues(dl), dl.ID)...); err != nil {
			return fmt.Errorf("fill report columns of dialog %s: %w", dl.ID, err)
		}
	}
	return nil
}

// spanSQL is the SQL of a dialog's span from one ms column to another, NULL
// until both are set: inbox.MetricsOf's rule, which the contract suite
// holds this SQL to.
func spanSQL(from, to string) string {
	return `CASE WHEN ` + from + ` > 0 AND ` + to + ` > 0 AND ` + to + ` >= ` + from + ` THEN ` + to + ` - ` + from + ` END`
}

var (
	firstResponseSQL = `CASE WHEN outgoing = 0 THEN ` + spanSQL("created_at", "first_answer_at") + ` END`
	handlingSQL      = spanSQL("started_at", "closed_at")
	durationSQL      = spanSQL("created_at", "closed_at")
)

// reportKeys are the columns a report groups by.
var reportKeys = map[string]string{
	wire.ReportByOperator: "assignee_id",
	wire.ReportByLine:     "line_id",
	wire.ReportByChannel:  "channel_id",
}

// DialogReport aggregates the dialogs created in [q.From, q.To) in one
// query; SQLite and PostgreSQL run the same SQL.
func (s *Store) DialogReport(ctx context.Context, q store.ReportQuery) ([]wire.ReportRow, error) {
	key, ok := reportKeys[q.By]
	if !ok {
		return nil, fmt.Errorf("report by %q: %w", q.By, store.ErrBadReport)
	}
	where := `created_at >= ? AND created_at < ?`
	args := []any{q.From.UnixMilli(), q.To.UnixMilli()}
	if q.LineID != "" {
		where += ` AND line_id = ?`
		args = append(args, q.LineID)
	}
	// avg is numeric on PostgreSQL: cast so both drivers hand back a float.
	query := s.d.rebind(`SELECT ` + key + `, count(*),
		sum(CASE WHEN status = 'closed' THEN 1 ELSE 0 END),
		sum(CASE WHEN status = 'spam' THEN 1 ELSE 0 END),
		count(` + firstResponseSQL + `),
		CAST(avg(` + firstResponseSQL + `) AS DOUBLE PRECISION),
		max(` + firstResponseSQL + `),
		count(` + handlingSQL + `),
		CAST(avg(` + handlingSQL + `) AS DOUBLE PRECISION),
		CAST(avg(` + durationSQL + `) AS DOUBLE PRECISION)
		FROM dialogs WHERE ` + where + ` GROUP BY ` + key + ` ORDER BY ` + key)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("report by %s: %w [sql: %s]", q.By, err, query)
	}
	defer rows.Close()
	out := []wire.ReportRow{}
	for rows.Next() {
		var r wire.ReportRow
		var frAvg, hAvg, dAvg sql.NullFloat64
		var frMax sql.NullInt64
		if err := rows.Scan(&r.Key, &r.Dialogs, &r.Closed, &r.Spam, &r.Answered, &frAvg, &frMax, &r.Handled, &hAvg, &dAvg); err != nil {
			return nil, fmt.Errorf("report by %s: %w", q.By, err)
		}
		r.FirstResponseAvgMs, r.FirstResponseMaxMs = int64(frAvg.Float64+0.5), frMax.Int64
		r.HandlingAvgMs, r.DurationAvgMs = int64(hAvg.Float64+0.5), int64(dAvg.Float64+0.5)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report by %s: %w", q.By, err)
	}
	return out, nil
}

// CountDialogsCreated counts the dialogs created in [from, to): the
// baseline bench/serverbench sets the report's figure beside.
func (s *Store) CountDialogsCreated(ctx context.Context, from, to time.Time) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT count(*) FROM dialogs WHERE created_at >= ? AND created_at < ?`),
		from.UnixMilli(), to.UnixMilli()).Scan(&n)
	return n, err
}
