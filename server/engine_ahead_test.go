package server

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"switchboard/server/seed"
	"switchboard/server/store"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/sqlstore"
	"switchboard/wire"
)

// inboundEnv is a connector's inbound message from a Telegram contact.
func inboundEnv(contact, ext string) wire.CommandEnvelope {
	p, _ := json.Marshal(map[string]any{"channelId": "ch-telegram", "externalId": ext,
		"contact": map[string]any{"externalId": contact, "name": "Customer " + contact}, "text": "hello " + ext})
	return wire.CommandEnvelope{ID: "cmd-" + ext, Type: "inbound.message", Payload: p}
}

// Two server instances over one PostgreSQL database take bursts of
// inbound messages from the same customers at once, each engine running
// batches ahead of its commits: every message is stored once, and each
// customer has one client and one dialog, whichever instance took which
// message first.
func TestEnginesRunningAheadOnTwoInstances(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dsn := pgtest.Schema(t)
	stores := []*sqlstore.Store{openPostgres(t, dsn), openPostgres(t, dsn)}
	if err := seed.Demo(ctx, stores[0], time.Now()); err != nil {
		t.Fatal(err)
	}
	var clients0 int
	if err := stores[0].RawDB().QueryRow(`SELECT count(*) FROM clients`).Scan(&clients0); err != nil {
		t.Fatal(err)
	}
	var engines []*engine
	var running sync.WaitGroup
	for _, s := range stores {
		e := newEngine(s, time.Now, nil)
		engines = append(engines, e)
		running.Go(func() { e.run(ctx) })
	}
	const customers, posters, posts, perPost = 25, 4, 12, 40
	var wg sync.WaitGroup
	for i, e := range engines {
		for p := range posters {
			wg.Go(func() {
				for k := range posts {
					var envs []wire.CommandEnvelope
					for m := range perPost {
						n := (p*posts+k)*perPost + m
						envs = append(envs, inboundEnv(fmt.Sprintf("c-%d", (n*7+i)%customers), fmt.Sprintf("i%d-%d", i, n)))
					}
					res, err := e.submit(ctx, "", envs)
					if err != nil {
						t.Error(err)
						return
					}
					for _, r := range res {
						if !r.OK {
							t.Errorf("inbound message: %+v", r)
							return
						}
					}
				}
			})
		}
	}
	wg.Wait()
	cancel()
	running.Wait()

	db := stores[0].RawDB()
	var msgs, distinct int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT external_id) FROM messages WHERE channel_id = 'ch-telegram' AND external_id LIKE 'i%'`).Scan(&msgs, &distinct); err != nil {
		t.Fatal(err)
	}
	if want := len(engines) * posters * posts * perPost; msgs != want || distinct != want {
		t.Errorf("%d messages stored (%d distinct), want %d", msgs, distinct, want)
	}
	rows, err := db.Query(`SELECT k.external_id, count(DISTINCT k.client_id), count(DISTINCT d.id) FROM contacts k
		LEFT JOIN dialogs d ON d.client_id = k.client_id AND d.channel_id = k.channel_id
		WHERE k.channel_id = 'ch-telegram' AND k.external_id LIKE 'c-%' GROUP BY k.external_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var contact string
		var clients, dialogs int
		if err := rows.Scan(&contact, &clients, &dialogs); err != nil {
			t.Fatal(err)
		}
		seen++
		if clients != 1 || dialogs != 1 {
			t.Errorf("%s: %d clients, %d dialogs; want 1 and 1", contact, clients, dialogs)
		}
	}
	if seen != customers {
		t.Errorf("%d customers stored, want %d", seen, customers)
	}
	// No stray client or dialog beside them (one made on rows read
	// before another write's commit would be).
	var clients, dialogs int
	if err := db.QueryRow(`SELECT count(*) - $1 FROM clients`, clients0).Scan(&clients); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(DISTINCT dialog_id) FROM messages WHERE channel_id = 'ch-telegram' AND external_id LIKE 'i%'`).Scan(&dialogs); err != nil {
		t.Fatal(err)
	}
	if clients != customers || dialogs != customers {
		t.Errorf("%d new clients, messages in %d dialogs; want %d and %d", clients, dialogs, customers, customers)
	}
	// Every message counted once in its dialog: a dialog written on a
	// copy read before another write's commit would lose that write's
	// count.
	var lost int
	if err := db.QueryRow(`SELECT count(*) FROM dialogs d WHERE d.channel_id = 'ch-telegram'
		AND CAST(d.data::json->>'unread' AS INT) <> (SELECT count(*) FROM messages m WHERE m.dialog_id = d.id)
		AND EXISTS (SELECT 1 FROM messages m WHERE m.dialog_id = d.id AND m.external_id LIKE 'i%')`).Scan(&lost); err != nil {
		t.Fatal(err)
	}
	if lost != 0 {
		t.Errorf("%d dialogs count fewer or more unread messages than they hold", lost)
	}
}

// A batch whose rules ran ahead, refused at commit because another
// instance wrote in between, is run again: its commands are stored, not
// answered with an error.
func TestEngineRunsAgainAWriteRefusedForAnotherInstance(t *testing.T) {
	ctx := context.Background()
	e := newEngine(demoPostgres(t), time.Now, nil)
	j := &job{env: inboundEnv("again", "again-1"), done: make(chan wire.CommandResult, 1)}
	e.finish(ctx, []*job{j}, make([]wire.CommandResult, 1), 0, fmt.Errorf("commit: %w", store.ErrWroteBetween))
	if r := <-j.done; !r.OK {
		t.Fatalf("the refused batch's command: %+v, want stored", r)
	}
}
