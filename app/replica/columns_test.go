package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// The dialog and message columns Apply writes (migration 12) hold what
// the JSON-computed columns they replace held: msOf's milliseconds of the
// times (rounded, absent omitzero fields 0), the number, channel, outgoing
// flag and the message's client.
func TestAppliedColumnsMatchWhatTheJSONSays(t *testing.T) {
	rp := openTemp(t)
	r := rand.New(rand.NewPCG(1, 2))
	cs := newChanges(t, 1)
	zone := time.FixedZone("", 3*3600)
	for i := range 300 {
		at := func() time.Time {
			// Nanoseconds around every half millisecond, as the server's
			// clock gives them.
			tt := t0.Add(time.Duration(r.Int64N(int64(400*24*time.Hour))) + time.Duration(r.IntN(1000))*time.Microsecond/2 + time.Duration(r.IntN(3)-1))
			if i%3 == 0 {
				tt = tt.In(zone)
			}
			return tt
		}
		d := dialog(dialogID(i), inbox.StatusSnoozed, func(d *inbox.Dialog) {
			d.Number = int64(1000 + i)
			d.ChannelID = []string{"ch1", "ch2", ""}[i%3]
			d.Outgoing = i%2 == 0
			d.CreatedAt, d.ModifiedAt = at(), at()
			if i%4 != 0 {
				d.FirstAnswerAt, d.StartedAt = at(), at()
			}
			if i == 7 {
				d.CreatedAt = time.Time{} // encoded as year 1
			}
		})
		cs.put(wire.KindDialog, d.ID, d)
		m := message("m"+d.ID, d.ID, "hi", at())
		m.ClientID = []string{"c1", "c2", ""}[i%3]
		cs.put(wire.KindMessage, m.ID, m)
	}
	// Both paths: the bulk path for the page, one by one for a frame.
	mustApply(t, rp, cs.list)
	mustApply(t, rp, newChanges(t, cs.next).put(wire.KindDialog, "dx", dialog("dx", inbox.StatusSnoozed, func(d *inbox.Dialog) {
		d.Number, d.FirstAnswerAt = 5, t0.Add(1500*time.Microsecond)
	})).list)
	checkColumnsMatchJSON(t, rp.w)
}

func dialogID(i int) string { return fmt.Sprintf("d%03d", i) }

// checkColumnsMatchJSON compares every dialog's and message's written
// columns with what migration 12's SQL makes of its JSON.
func checkColumnsMatchJSON(t *testing.T, db *sql.DB) {
	t.Helper()
	var rows, bad int
	q := `SELECT count(*), coalesce(sum(number IS NOT coalesce(json_extract(data, '$.number'), 0)
		OR channel_id IS NOT coalesce(json_extract(data, '$.channelId'), '')
		OR outgoing IS NOT coalesce(json_extract(data, '$.outgoing'), 0)
		OR created_ms IS NOT ` + msOf("createdAt") + `
		OR first_answer_ms IS NOT ` + msOf("firstAnswerAt") + `
		OR started_ms IS NOT ` + msOf("startedAt") + `
		OR modified_ms IS NOT ` + msOf("modifiedAt") + `), 0) FROM dialogs`
	if err := db.QueryRow(q).Scan(&rows, &bad); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || bad != 0 {
		t.Errorf("%d of %d dialogs' columns differ from their JSON", bad, rows)
		r, _ := db.Query(`SELECT id, created_ms, ` + msOf("createdAt") + `, first_answer_ms, ` + msOf("firstAnswerAt") + `, json_extract(data, '$.createdAt') FROM dialogs LIMIT 5`)
		for r != nil && r.Next() {
			var id, raw string
			var a, b, c, d int64
			r.Scan(&id, &a, &b, &c, &d, &raw)
			t.Logf("%s created %d vs %d, first answer %d vs %d (%s)", id, a, b, c, d, raw)
		}
	}
	if err := db.QueryRow(`SELECT count(*), coalesce(sum(client_id IS NOT coalesce(json_extract(data, '$.clientId'), '')), 0) FROM messages`).Scan(&rows, &bad); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || bad != 0 {
		t.Errorf("%d of %d messages' client_id differ from their JSON", bad, rows)
	}
}

// A version-11 replica (JSON-computed columns) upgrades in place: the
// columns hold what they held, the lists and the table still find and sort
// the dialogs, and writes after it keep the columns.
func TestMigrationTwelveMakesTheComputedColumnsReal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "v11.db")
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateWith(ctx, db, migrations[:11]); err != nil {
		t.Fatal(err)
	}
	ins := func(d *inbox.Dialog) {
		data, _ := json.Marshal(d)
		if _, err := db.Exec(`INSERT INTO dialogs (id, client_id, line_id, status, last_message_at, data) VALUES (?, ?, ?, ?, ?, ?)`,
			d.ID, d.ClientID, d.LineID, string(d.Status), d.LastMessageAt.UnixMilli(), string(data)); err != nil {
			t.Fatal(err)
		}
	}
	ins(dialog("d1", inbox.StatusSnoozed, func(d *inbox.Dialog) {
		d.Number, d.ChannelID, d.CreatedAt, d.FirstAnswerAt = 7, "ch2", t0.Add(time.Hour+1500*time.Microsecond), t0.Add(2*time.Hour)
	}))
	ins(dialog("d2", inbox.StatusSnoozed, func(d *inbox.Dialog) { d.Number, d.Outgoing = 8, true }))
	m := message("m1", "d1", "Оплата счёта", t0)
	m.ClientID = "c-d1"
	data, _ := json.Marshal(m)
	if _, err := db.Exec(`INSERT INTO messages (id, dialog_id, kind, created_at, data) VALUES ('m1', 'd1', 'inbound', 1, ?)`, string(data)); err != nil {
		t.Fatal(err)
	}
	var before [][3]int64
	r, err := db.Query(`SELECT number, created_ms, first_answer_ms FROM dialogs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var v [3]int64
		if err := r.Scan(&v[0], &v[1], &v[2]); err != nil {
			t.Fatal(err)
		}
		before = append(before, v)
	}
	r.Close()
	db.Close()

	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a version 11 replica: %v", err)
	}
	defer rp.Close()
	var after [][3]int64
	r, err = rp.w.Query(`SELECT number, created_ms, first_answer_ms FROM dialogs ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var v [3]int64
		if err := r.Scan(&v[0], &v[1], &v[2]); err != nil {
			t.Fatal(err)
		}
		after = append(after, v)
	}
	r.Close()
	if len(after) != 2 || after[0] != before[0] || after[1] != before[1] || after[0][0] != 7 || after[0][2] == 0 {
		t.Errorf("columns after migrating = %v, before %v", after, before)
	}
	var generated int
	if err := rp.w.QueryRow(`SELECT count(*) FROM pragma_table_xinfo('dialogs') WHERE hidden <> 0`).Scan(&generated); err != nil || generated != 0 {
		t.Errorf("dialogs still has %d generated columns (%v)", generated, err)
	}
	checkColumnsMatchJSON(t, rp.w)
	if hist, err := rp.ClientHistory(ctx, "c-d1", HistoryCursor{}, 10); err != nil || len(hist.Messages) != 1 {
		t.Errorf("ClientHistory(c-d1) after migrating = %v, %v; want m1", hist, err)
	}
	if err := rp.EnsureTableIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	mustApply(t, rp, newChanges(t, 1).put(wire.KindDialog, "d3", dialog("d3", inbox.StatusSnoozed, func(d *inbox.Dialog) { d.Number = 9 })).list)
	checkColumnsMatchJSON(t, rp.w)
}
