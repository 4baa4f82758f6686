package replica

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"switchboard/inbox"
	"switchboard/wire"
)

func TestMarksShowWhereTheSearchMatchedInTheOriginalText(t *testing.T) {
	// marked returns the marked pieces of text.
	marked := func(text, query string) []string {
		var out []string
		for _, m := range Marks(text, query) {
			out = append(out, text[m[0]:m[1]])
		}
		return out
	}
	tests := []struct {
		name, text, query string
		want              []string
	}{
		{"a word start, case folded", "Оплата не прошла", "опла", []string{"Опла"}},
		{"ё typed as е marks the ё", "Спасибо, ёлки-палки!", "елки", []string{"ёлки"}},
		{"й typed as и", "Йогурт закончился", "иогу", []string{"Йогу"}},
		{"Ukrainian letters", "Не можу увійти в особистий кабінет", "увійт кабін", []string{"увійт", "кабін"}},
		{"every word that a query word starts", "счёт, счета и счетчик", "счет", []string{"счёт", "счет", "счет"}},
		{"the longest query word wins", "оплата", "опл оплат", []string{"оплат"}},
		{"only word starts", "переоплата", "опла", nil},
		{"Latin diacritics folded", "Café crème", "cafe creme", []string{"Café", "crème"}},
		{"decomposed й keeps its mark", "и\u0306огурт", "иог", []string{"и\u0306ог"}},
		{"a mark after the last letter matched stays with it", "cafe\u0301 noir", "cafe", []string{"cafe\u0301"}},
		{"markup is just text", `<b>bold</b> and <script>`, "bold scri", []string{"bold", "scri"}},
		{"too short to search", "Оплата", "оп", nil},
		{"nothing to search", "Оплата", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := marked(tt.text, tt.query); !slices.Equal(got, tt.want) {
				t.Errorf("Marks(%q, %q) marks %q, want %q", tt.text, tt.query, got, tt.want)
			}
		})
	}
}

func TestSearchStartsAtThreeLettersAndChecksShorterWordsOnTheRowsFound(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusInProgress)).
		put(wire.KindMessage, "pay", message("pay", "d1", "Оплата не прошла", t0)).
		put(wire.KindMessage, "pay2", message("pay2", "d1", "Оплата в пятницу", t0)).list)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"оп", nil},
		{"о п", nil},
		{"опл", []string{"pay2", "pay"}},
		{"опл пр", []string{"pay"}},
		{"пр опл", []string{"pay"}},
		{"опл в", []string{"pay2"}},
	} {
		hits, err := rp.Search(ctx, tt.query, 10)
		if err != nil {
			t.Fatalf("Search(%q): %v", tt.query, err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Message.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
	if hits, _ := rp.SearchClients(ctx, "ив", 10); hits != nil {
		t.Errorf("SearchClients(ив) = %v, want nothing under three letters", hits)
	}
}

func TestClientsAreFoundByTheirContacts(t *testing.T) {
	ctx := context.Background()
	rp := openTemp(t)
	client := func(id, name string, handles ...string) *inbox.Client {
		c := &inbox.Client{ID: id, OriginalName: name}
		for _, h := range handles {
			c.Contacts = append(c.Contacts, inbox.Contact{ChannelID: "ch1", Kind: inbox.KindTelegram, ExternalID: "x-" + h, Handle: h})
		}
		return c
	}
	mustApply(t, rp, newChanges(t, 1).
		put(wire.KindClient, "maria", client("maria", "Мария Иванова", "@maria_iv", "maria@example.com")).
		put(wire.KindClient, "oleksii", client("oleksii", "Олексій Бондар", "+380 67 123-45-67")).
		put(wire.KindClient, "anon", &inbox.Client{ID: "anon", OriginalName: "Гость",
			Contacts: []inbox.Contact{{ChannelID: "ch2", Kind: inbox.KindWebchat, ExternalID: "visitor-7f3a"}}}).
		put(wire.KindDialog, "d1", dialog("d1", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientID = "maria" })).
		put(wire.KindDialog, "d2", dialog("d2", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientID = "oleksii" })).
		put(wire.KindDialog, "d3", dialog("d3", inbox.StatusUnassigned, func(d *inbox.Dialog) { d.ClientID = "anon" })).list)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"maria", []string{"maria"}},
		{"@maria_iv", []string{"maria"}},
		{"example.com", []string{"maria"}},
		{"мари exam", []string{"maria"}}, // a name word and a contact word
		{"380671", []string{"oleksii"}},
		{"0671234567", []string{"oleksii"}},
		{"067 123", []string{"oleksii"}},
		{"visitor-7f", []string{"anon"}}, // no handle: the channel's id
		{"1234567", nil},                 // digits inside a number are no word start
	} {
		hits, err := rp.SearchClients(ctx, tt.query, 10)
		if err != nil {
			t.Fatalf("SearchClients(%q): %v", tt.query, err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.ClientID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("SearchClients(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
	hits, _ := rp.SearchClients(ctx, "maria@", 10)
	if len(hits) != 1 || len(hits[0].Contacts) != 2 || hits[0].Contacts[0].Handle != "@maria_iv" {
		t.Errorf("SearchClients(maria@) = %+v, want Мария with her two contacts", hits)
	}
}

func TestMigrationSixIndexesTheContactsAnOlderReplicaHolds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "v5.db")
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateWith(ctx, db, migrations[:5]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO clients (id, name, name_folded, data) VALUES ('c1', 'Фёдор', 'федор',
			'{"id":"c1","originalName":"Фёдор","contacts":[{"channelId":"ch1","kind":"telegram","externalId":"42","handle":"@fedor_k"}]}');
		INSERT INTO clients_fts (rowid, name) SELECT rowid, name_folded FROM clients;
		INSERT INTO dialogs (id, client_id, line_id, status, data) VALUES ('d1', 'c1', 'l1', 'unassigned', '{}');`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a version 5 replica: %v", err)
	}
	defer rp.Close()
	for _, q := range []string{"федо", "fedor_k"} {
		hits, err := rp.SearchClients(ctx, q, 10)
		if err != nil || len(hits) != 1 || hits[0].DialogID != "d1" {
			t.Errorf("SearchClients(%s) after migrating = %+v, %v; want c1's dialog", q, hits, err)
		}
	}
}

func TestMigrationTenKeepsAnOlderReplicaSearchable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(tempDir(t), "v9.db")
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrateWith(ctx, db, migrations[:9]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO clients (id, name, name_folded, data) VALUES ('c1', 'Фёдор', 'федор',
			'{"id":"c1","originalName":"Фёдор","contacts":[{"channelId":"ch1","kind":"telegram","externalId":"42","handle":"@fedor_k"}]}');
		INSERT INTO clients_fts (rowid, name, contacts) SELECT rowid, name_folded, sb_contact_terms(data) FROM clients;
		INSERT INTO dialogs (id, client_id, line_id, status, data) VALUES ('d1', 'c1', 'l1', 'unassigned', '{}');
		INSERT INTO messages (id, dialog_id, kind, created_at, data) VALUES
			('m1', 'd1', 'inbound', 1, '{"id":"m1","dialogId":"d1","kind":"inbound","text":"Ваш СЧЁТ готов"}'),
			('m2', 'd1', 'inbound', 2, '{"id":"m2","dialogId":"d1","kind":"inbound","text":"удалённый счёт","deletedAt":"2026-01-01T00:00:00Z"}');
		INSERT INTO messages_fts (rowid, text) SELECT rowid, sb_fold(json_extract(data, '$.text')) FROM messages;`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	rp, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a version 9 replica: %v", err)
	}
	defer rp.Close()
	hits, err := rp.Search(ctx, "счет", 10)
	if err != nil || len(hits) != 1 || hits[0].Message.ID != "m1" {
		t.Errorf("Search(счет) after migrating = %+v, %v; want m1 alone (m2 is deleted)", hits, err)
	}
	for _, q := range []string{"федо", "fedor_k"} {
		hits, err := rp.SearchClients(ctx, q, 10)
		if err != nil || len(hits) != 1 || hits[0].DialogID != "d1" {
			t.Errorf("SearchClients(%s) after migrating = %+v, %v; want c1's dialog", q, hits, err)
		}
	}
	// The indexes keep no copy of the texts any more, and a row's entry
	// still goes by its rowid.
	var n int
	if err := rp.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name IN ('messages_fts_content', 'clients_fts_content')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("content tables left: %d, %v", n, err)
	}
	if _, err := rp.Apply(ctx, []wire.Change{{Seq: 1, Kind: wire.KindMessage, ID: "m1", Op: wire.OpDel}}); err != nil {
		t.Fatal(err)
	}
	if hits, err := rp.Search(ctx, "счет", 10); err != nil || len(hits) != 0 {
		t.Errorf("Search(счет) after m1's delete = %+v, %v; want nothing", hits, err)
	}
}
