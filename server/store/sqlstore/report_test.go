package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/server/store/pgtest"
)

// Dialogs written before migration 3 get their report columns from their
// JSON, on both databases.
func TestMigration3FillsReportColumns(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.FixedZone("MSK", 3*3600))
	d := &inbox.Dialog{ID: "dl-old", ClientID: "c", ChannelID: "ch", LineID: "l", Status: inbox.StatusClosed,
		AssigneeID: "op-anna", Outgoing: true, CreatedAt: t0, StartedAt: t0.Add(time.Minute),
		FirstAnswerAt: t0.Add(2 * time.Minute), ClosedAt: t0.Add(9 * time.Minute)}
	data, _ := json.Marshal(d)
	for _, b := range []struct {
		name string
		d    dialect
		open func(t *testing.T) *sql.DB
		lock string
	}{
		{"sqlite", sqliteDialect, func(t *testing.T) *sql.DB {
			db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "old.db"))
			if err != nil {
				t.Fatal(err)
			}
			return db
		}, ""},
		{"postgres", postgresDialect, func(t *testing.T) *sql.DB {
			db, err := sql.Open("pgx", pgtest.Schema(t))
			if err != nil {
				t.Fatal(err)
			}
			return db
		}, ""},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			defer db.Close()
			all := migrations
			migrations = all[:2]
			err := migrate(ctx, db, b.d, b.lock)
			migrations = all
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.ExecContext(ctx, b.d.rebind(`INSERT INTO dialogs (id, client_id, channel_id, line_id, status, snoozed_until, number, created_at, data)
				VALUES (?, 'c', 'ch', 'l', 'closed', 0, 1, ?, ?)`), d.ID, t0.UnixMilli(), string(data))
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, db, b.d, b.lock); err != nil {
				t.Fatal(err)
			}
			var who string
			var out, st, fa, cl int64
			err = db.QueryRowContext(ctx, `SELECT assignee_id, outgoing, started_at, first_answer_at, closed_at FROM dialogs`).Scan(&who, &out, &st, &fa, &cl)
			if err != nil {
				t.Fatal(err)
			}
			ms := t0.UnixMilli()
			if who != "op-anna" || out != 1 || st != ms+60_000 || fa != ms+120_000 || cl != ms+540_000 {
				t.Errorf("after migration 3: %q %d %d %d %d, want op-anna 1 %d %d %d", who, out, st, fa, cl, ms+60_000, ms+120_000, ms+540_000)
			}
		})
	}
}

// Dialogs written before migration 8 get their metric columns (on their
// line's business hours) and their tags rows from their JSON, on both
// databases.
func TestMigration8FillsMetricColumns(t *testing.T) {
	// Friday 17:00 UTC created, answered Monday 09:30, closed Monday 10:00;
	// the line is open Monday to Friday 09:00–18:00 UTC.
	fri := time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC)
	mon := func(h, m int) time.Time { return time.Date(2026, 3, 9, h, m, 0, 0, time.UTC) }
	d := &inbox.Dialog{ID: "dl-old", ClientID: "c", ChannelID: "ch", LineID: "l", Status: inbox.StatusClosed,
		AssigneeID: "op-anna", CreatedAt: fri, StartedAt: mon(9, 0), FirstAnswerAt: mon(9, 30), ClosedAt: mon(10, 0),
		ClientRating: 4, ClientRatedAt: mon(11, 0), Tags: []string{"t1", "t2"},
		Responses: inbox.ResponseStats{Count: 2, TotalMs: 9, MaxMs: 8, BusinessTotalMs: 7, BusinessMaxMs: 6}}
	office := &inbox.Schedule{TimeZone: "UTC"}
	for wd := time.Monday; wd <= time.Friday; wd++ {
		office.Days[wd] = [][2]int{{540, 1080}}
	}
	data, _ := json.Marshal(d)
	line, _ := json.Marshal(&inbox.Line{ID: "l", Name: "Line", BusinessHours: office})
	for _, b := range []struct {
		name string
		d    dialect
		open func(t *testing.T) *sql.DB
	}{
		{"sqlite", sqliteDialect, func(t *testing.T) *sql.DB {
			db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "old.db"))
			if err != nil {
				t.Fatal(err)
			}
			return db
		}},
		{"postgres", postgresDialect, func(t *testing.T) *sql.DB {
			db, err := sql.Open("pgx", pgtest.Schema(t))
			if err != nil {
				t.Fatal(err)
			}
			return db
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			db := b.open(t)
			defer db.Close()
			all := migrations
			migrations = all[:7]
			err := migrate(ctx, db, b.d, "")
			migrations = all
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO org (kind, id, data) VALUES ('line', 'l', ?)`, []any{string(line)}},
				{`INSERT INTO dialogs (id, client_id, channel_id, line_id, status, snoozed_until, number, created_at, data)
					VALUES (?, 'c', 'ch', 'l', 'closed', 0, 1, ?, ?)`, []any{d.ID, fri.UnixMilli(), string(data)}},
			} {
				if _, err := db.ExecContext(ctx, b.d.rebind(q.sql), q.args...); err != nil {
					t.Fatal(err)
				}
			}
			if err := migrate(ctx, db, b.d, ""); err != nil {
				t.Fatal(err)
			}
			var frt, res, rc, rt, rm, rating, rated int64
			err = db.QueryRowContext(ctx, `SELECT frt_ms, resolution_ms, resp_count, resp_total_ms, resp_max_ms, client_rating, rated_at FROM dialogs`).
				Scan(&frt, &res, &rc, &rt, &rm, &rating, &rated)
			if err != nil {
				t.Fatal(err)
			}
			// On office hours: Friday 17:00–18:00 and Monday from 09:00.
			if frt != 90*60_000 || res != 2*3600_000 || rc != 2 || rt != 7 || rm != 6 || rating != 4 || rated != mon(11, 0).UnixMilli() {
				t.Errorf("after migration 8: frt %d res %d responses %d/%d/%d rating %d at %d", frt, res, rc, rt, rm, rating, rated)
			}
			var tags int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM dialog_tags WHERE dialog_id = 'dl-old'`).Scan(&tags); err != nil || tags != 2 {
				t.Errorf("dialog_tags rows = %d (%v), want 2", tags, err)
			}
		})
	}
}

// SQLite's change log, written before migration 10 with seq beside the
// rowid, keeps every entry when it is rebuilt keyed by seq, and a pull then
// reads it in seq order without a second index.
func TestMigration10KeysTheSQLiteLogBySeq(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all := migrations
	migrations = all[:9]
	err = migrate(ctx, db, sqliteDialect, "")
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	// Entries whose rowids do not follow their seqs, as a log whose
	// entries were replaced leaves them.
	for _, seq := range []int{5, 2, 9, 7} {
		if _, err := db.ExecContext(ctx, `INSERT INTO changes (seq, kind, id, op, everyone, user_id, line_id, members, dialog_id, data)
			VALUES (?, 'message', ?, 'put', 0, '', 'l', ',op,', 'd', '{"n":1}')`, seq, fmt.Sprint("m", seq)); err != nil {
			t.Fatal(err)
		}
	}
	dump := func() []string {
		rows, err := db.QueryContext(ctx, `SELECT seq, kind, id, op, everyone, user_id, line_id, members, dialog_id, data FROM changes ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			v := make([]any, 10)
			p := make([]any, 10)
			for i := range v {
				p[i] = &v[i]
			}
			if err := rows.Scan(p...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(v...))
		}
		return out
	}
	before := dump()
	if err := migrate(ctx, db, sqliteDialect, ""); err != nil {
		t.Fatal(err)
	}
	if after := dump(); !slices.Equal(before, after) {
		t.Errorf("the log after migration 10:\n%q\nbefore:\n%q", after, before)
	}
	var stray int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM changes WHERE rowid <> seq`).Scan(&stray); err != nil || stray != 0 {
		t.Errorf("%d entries whose rowid is not their seq (%v)", stray, err)
	}
	var plan string
	if err := db.QueryRowContext(ctx, `SELECT group_concat(name, '; ') FROM pragma_index_list('changes')`).Scan(&plan); err != nil {
		plan = err.Error()
	}
	if strings.Contains(plan, "autoindex") {
		t.Errorf("the log still has an index on seq: %s", plan)
	}
}
