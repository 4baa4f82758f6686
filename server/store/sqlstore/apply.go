package sqlstore

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// Apply persists a command's outcome and logs each change with the scope
// that decides who receives it. Dialogs go first: when a dialog's line or
// people change, its existing messages and log are re-stamped with the new
// scope (and fresh seqs, so operators who just gained sight receive them),
// and operators who lost sight receive a removal.
func (t *tx) Apply(o *inbox.Outcome) (int64, error) {
	if o.Empty() {
		return 0, nil
	}
	org := t.Org()
	dialogs := make(map[string]*inbox.Dialog, len(o.Dialogs))
	for _, c := range o.Clients {
		if err := t.putClient(c); err != nil {
			return 0, err
		}
	}
	for _, d := range o.Dialogs {
		if err := t.putDialog(org, d); err != nil {
			return 0, err
		}
		dialogs[d.ID] = d
	}
	dialogOf := func(id string) (*inbox.Dialog, error) {
		if d := dialogs[id]; d != nil {
			return d, nil
		}
		d, err := t.Dialog(id)
		if err != nil {
			return nil, err
		}
		dialogs[id] = d
		return d, nil
	}
	for _, m := range o.Messages {
		d, err := dialogOf(m.DialogID)
		if err != nil {
			return 0, fmt.Errorf("message %s: %w", m.ID, err)
		}
		if err := t.putMessage(d, m); err != nil {
			return 0, err
		}
	}
	for _, e := range o.Events {
		d, err := dialogOf(e.DialogID)
		if err != nil {
			return 0, fmt.Errorf("event %s: %w", e.ID, err)
		}
		data, err := t.upsert("events", []string{"id", "dialog_id"}, []any{e.ID, e.DialogID}, e)
		if err != nil {
			return 0, err
		}
		if err := t.log(dialogScope(d, store.Logged{Change: wire.Change{Kind: wire.KindEvent, ID: e.ID, Op: wire.OpPut}}), data); err != nil {
			return 0, err
		}
	}
	for _, n := range o.Notes {
		data, err := t.upsert("notes", []string{"id", "client_id"}, []any{n.ID, n.ClientID}, n)
		if err != nil {
			return 0, err
		}
		if err := t.log(store.Logged{Change: wire.Change{Kind: wire.KindNote, ID: n.ID, Op: wire.OpPut}, Everyone: true}, data); err != nil {
			return 0, err
		}
	}
	for _, k := range o.Tasks {
		data, err := t.upsert("tasks", []string{"id", "client_id"}, []any{k.ID, k.ClientID}, k)
		if err != nil {
			return 0, err
		}
		if err := t.log(store.Logged{Change: wire.Change{Kind: wire.KindTask, ID: k.ID, Op: wire.OpPut}, Everyone: true}, data); err != nil {
			return 0, err
		}
	}
	for _, p := range o.Templates {
		data, err := t.upsert("templates", []string{"id", "owner_id"}, []any{p.ID, p.OwnerID}, p)
		if err != nil {
			return 0, err
		}
		l := store.Logged{Change: wire.Change{Kind: wire.KindTemplate, ID: p.ID, Op: wire.OpPut}, Everyone: p.OwnerID == "", UserID: p.OwnerID}
		if err := t.log(l, data); err != nil {
			return 0, err
		}
	}
	for _, g := range o.Tags {
		if _, err := t.PutOrg(wire.KindTag, g.ID, g); err != nil {
			return 0, err
		}
	}
	for _, r := range o.Deleted {
		if err := t.remove(wire.Kind(r.Kind), r.ID); err != nil {
			return 0, err
		}
	}
	return t.seq, nil
}

func (t *tx) putClient(c *inbox.Client) error {
	if err := t.dropLostContacts(c); err != nil {
		return err
	}
	data, err := t.upsert("clients", []string{"id"}, []any{c.ID}, c)
	if err != nil {
		return err
	}
	t.pend.clients[c.ID] = c
	for _, k := range c.Contacts {
		t.pend.put("contacts", "channel_id, external_id", contactCols, 2, []any{k.ChannelID, k.ExternalID, c.ID})
		t.pend.contacts[k.ChannelID+"\x00"+k.ExternalID] = c.ID
	}
	return t.log(store.Logged{Change: wire.Change{Kind: wire.KindClient, ID: c.ID, Op: wire.OpPut}, Everyone: true}, data)
}

// dropLostContacts deletes the routes of the contacts a client no longer
// has (an operator edited a phone or an address), so a customer writing
// from the old one is not taken for this client. It compares with what
// this write read or put; a client it never read loses nothing.
func (t *tx) dropLostContacts(c *inbox.Client) error {
	prev := t.contactsOf[c.ID]
	t.contactsOf[c.ID] = slices.Clone(c.Contacts)
	var lost []inbox.Contact
	for _, k := range prev {
		if !slices.ContainsFunc(c.Contacts, func(n inbox.Contact) bool { return n.ChannelID == k.ChannelID && n.ExternalID == k.ExternalID }) {
			lost = append(lost, k)
		}
	}
	if len(lost) == 0 {
		return nil
	}
	if err := t.flush(); err != nil {
		return err
	}
	t.noteDeleted()
	for _, k := range lost {
		if err := t.exec(`DELETE FROM contacts WHERE channel_id = ? AND external_id = ? AND client_id = ?`, k.ChannelID, k.ExternalID, c.ID); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) putDialog(org *inbox.Org, d *inbox.Dialog) error {
	var prev *inbox.Dialog
	if t.fresh[d.ID] || (d.Number > t.num0 && d.Number <= t.num) {
		// Minted or numbered by this write: a new dialog, stored before
		// only if an earlier command of this write put it. No query for what cannot
		// be there (every new customer's dialog would cost a round trip).
		prev = t.seen[d.ID]
	} else {
		var err error
		if prev, err = t.dialogBefore(d.ID); err != nil {
			return err
		}
	}
	data, err := t.writeDialog(org, d)
	if err != nil {
		return err
	}
	if err := t.putDialogTags(prev, d); err != nil {
		return err
	}
	if err := t.log(dialogScope(d, store.Logged{Change: wire.Change{Kind: wire.KindDialog, ID: d.ID, Op: wire.OpPut}}), data); err != nil {
		return err
	}
	t.seen[d.ID] = d.Clone()
	pair := d.ClientID + "\x00" + d.ChannelID
	// The same dialog put again replaces its earlier version (it is not
	// newer than itself, and the buffer must not keep the copy before).
	if l := t.pend.latest[pair]; l == nil || l.ID == d.ID || newer(d, l) {
		t.pend.latest[pair] = t.seen[d.ID]
	}
	if prev == nil || (prev.LineID == d.LineID && slices.Equal(members(prev), members(d))) {
		return nil
	}
	if err := t.restamp(d); err != nil {
		return err
	}
	for id := range org.Operators {
		if org.SeesDialog(id, prev) && !org.SeesDialog(id, d) {
			gone := store.Logged{Change: wire.Change{Kind: wire.KindDialog, ID: d.ID, Op: wire.OpDel}, UserID: id}
			if err := t.log(gone, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeDialog buffers d's row and returns its JSON. When this write knows
// the row's columns as stored and none of them changes (a customer's next
// message changes only the JSON), it updates the JSON alone: the dialog's
// nine indexes are not rewritten (SQLite rewrites an index whenever an
// update sets one of its columns, whatever the value; on PostgreSQL an
// update of unindexed columns alone can stay on its page, a HOT update).
func (t *tx) writeDialog(org *inbox.Org, d *inbox.Dialog) (encoded, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("encode dialog %s: %w", d.ID, err)
	}
	data := encoded(b)
	cols := dialogValues(org, d)
	if old, ok := t.stored[d.ID]; ok && slices.Equal(old, cols) && !t.pend.has("dialogs", d.ID) {
		t.pend.put("dialog_data", "id", []string{"id", "data"}, 1, []any{d.ID, string(data)})
	} else {
		t.pend.drop("dialog_data", d.ID)
		t.pend.put("dialogs", "id", append(slices.Clone(dialogCols), "data"), 1, append(append([]any{d.ID}, cols...), string(data)))
	}
	t.stored[d.ID] = cols
	return data, nil
}

// restamp moves a dialog's messages and log entries to the end of the
// change log with the dialog's new scope.
func (t *tx) restamp(d *inbox.Dialog) error {
	if err := t.flush(); err != nil {
		return err
	}
	rows, err := t.tx.QueryContext(t.ctx, t.s.d.rebind(
		`SELECT seq FROM changes WHERE dialog_id = ? AND kind <> 'dialog' AND user_id = '' ORDER BY seq`), d.ID)
	if err != nil {
		return fmt.Errorf("restamp dialog %s: %w", d.ID, err)
	}
	var seqs []int64
	for rows.Next() {
		var s int64
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	m := joinMembers(members(d))
	// These entries move without passing through log: what this write
	// logged is no longer all it appended, so it is not handed over.
	t.logIncomplete = t.logIncomplete || len(seqs) > 0
	for _, s := range seqs {
		t.seq++
		if err := t.exec(`UPDATE changes SET seq = ?, line_id = ?, members = ? WHERE seq = ?`, t.seq, d.LineID, m, s); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) putMessage(d *inbox.Dialog, m *inbox.Message) error {
	data, err := t.upsert("messages", []string{"id", "dialog_id", "channel_id", "external_id", "created_at"},
		[]any{m.ID, m.DialogID, m.ChannelID, m.ExternalID, m.CreatedAt.UnixMilli()}, m)
	if err != nil {
		return err
	}
	t.pend.messages[m.ID] = m
	if queued(m) {
		// Queued for the host holding the channel, in the same
		// transaction as the message: a message (or its edit or delete)
		// is never stored unsent and unqueued.
		t.pend.put("dispatch", "message_id", []string{"message_id", "channel_id", "client_id", "created_at", "reply_to_id", "change_version"}, 1,
			[]any{m.ID, m.ChannelID, m.ClientID, m.CreatedAt.UnixMilli(), m.ReplyToID, inbox.ChangeVersion(m)})
	}
	if m.ExternalID != "" {
		t.pend.external[m.ChannelID+"\x00"+m.ExternalID] = m.ID
	}
	for _, a := range m.Attachments {
		if a.BlobID == "" {
			continue
		}
		// Who may fetch a file follows the messages carrying it.
		t.pend.put("message_files", "file_id, message_id", messageFileCols, 2, []any{a.BlobID, m.ID, m.DialogID})
	}
	l := dialogScope(d, store.Logged{Change: wire.Change{Kind: wire.KindMessage, ID: m.ID, Op: wire.OpPut}})
	if m.Kind == inbox.MsgNote {
		// A private note reaches its author only.
		l.UserID, l.LineID, l.Members = m.AuthorID, "", nil
	}
	return t.log(l, data)
}

// queued reports whether a message has something for its channel to do:
// an outbound message to send, or an edit or delete of one the channel has.
func queued(m *inbox.Message) bool {
	return m.Kind == inbox.MsgOutbound &&
		((m.Delivery == inbox.DeliverySending && m.ExternalID == "") || m.ChangeDelivery == inbox.DeliverySending)
}

// remove deletes an entity and logs the removal with the scope its last
// change had, so exactly those who had it learn it is gone.
func (t *tx) remove(kind wire.Kind, id string) error {
	if err := t.flush(); err != nil {
		return err
	}
	t.noteDeleted()
	table := map[wire.Kind]string{
		wire.KindTemplate: "templates", wire.KindNote: "notes", wire.KindTask: "tasks",
		wire.KindMessage: "messages", wire.KindEvent: "events",
	}[kind]
	if table == "" {
		if !orgKinds[kind] {
			return fmt.Errorf("remove %s %s: not a removable kind", kind, id)
		}
		table = "org"
	}
	var err error
	if table == "org" {
		err = t.exec(`DELETE FROM org WHERE kind = ? AND id = ?`, string(kind), id)
		t.orgVer++
	} else {
		err = t.exec(`DELETE FROM `+table+` WHERE id = ?`, id)
	}
	if err != nil {
		return err
	}
	var l store.Logged
	var everyone int
	var members string
	err = t.tx.QueryRowContext(t.ctx, t.s.d.rebind(
		`SELECT everyone, user_id, line_id, members FROM changes WHERE kind = ? AND id = ? AND op = 'put'`),
		string(kind), id).Scan(&everyone, &l.UserID, &l.LineID, &members)
	if err != nil {
		return fmt.Errorf("remove %s %s: find its scope: %w", kind, id, err)
	}
	l.Change = wire.Change{Kind: kind, ID: id, Op: wire.OpDel}
	l.Everyone, l.Members = everyone == 1, splitMembers(members)
	return t.log(l, nil)
}

// orgKinds are the kinds kept in the org table.
var orgKinds = map[wire.Kind]bool{
	wire.KindWorkspace: true, wire.KindOperator: true, wire.KindRole: true, wire.KindGroup: true,
	wire.KindLine: true, wire.KindChannel: true, wire.KindTag: true,
}

// PutOrg stores a workspace-structure entity. When groups or lines change,
// operators whose lines changed get a resync: their sight moved in ways a
// per-dialog removal cannot express, so their desktop pulls afresh.
func (t *tx) PutOrg(kind wire.Kind, id string, v any) (int64, error) {
	if !orgKinds[kind] {
		return 0, fmt.Errorf("put %s: not a workspace-structure kind", kind)
	}
	var before *inbox.Org
	if kind == wire.KindGroup || kind == wire.KindLine || kind == wire.KindOperator || kind == wire.KindRole {
		before = t.Org()
	}
	data, err := t.upsert("org", []string{"kind", "id"}, []any{string(kind), id}, v)
	if err != nil {
		return 0, err
	}
	t.orgVer++
	if err := t.log(store.Logged{Change: wire.Change{Kind: kind, ID: id, Op: wire.OpPut}, Everyone: true}, data); err != nil {
		return 0, err
	}
	if before != nil {
		after := t.Org()
		for opID := range after.Operators {
			if before.SeesAll(opID) != after.SeesAll(opID) || !slices.Equal(before.LinesOf(opID), after.LinesOf(opID)) {
				rs := store.Logged{Change: wire.Change{Kind: wire.KindResync, ID: opID, Op: wire.OpPut}, UserID: opID}
				if err := t.log(rs, nil); err != nil {
					return 0, err
				}
			}
		}
	}
	return t.seq, nil
}

func (t *tx) SetCredential(operatorID, email, hash string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	var other string
	err := t.tx.QueryRowContext(t.ctx, t.s.d.rebind(`SELECT operator_id FROM credentials WHERE email = ?`), email).Scan(&other)
	if err == nil && other != operatorID {
		return fmt.Errorf("e-mail %s: %w", email, store.ErrConflict)
	}
	return t.exec(`INSERT INTO credentials (operator_id, email, hash) VALUES (?, ?, ?)
		ON CONFLICT (operator_id) DO UPDATE SET email = excluded.email, hash = excluded.hash`, operatorID, email, hash)
}

func (t *tx) CommandResult(id string) (*wire.CommandResult, error) {
	r := new(wire.CommandResult)
	return orNil(r, t.one("command "+id, r, `SELECT result FROM commands WHERE id = ?`, id))
}

func (t *tx) SaveCommandResult(actorID string, r wire.CommandResult) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return t.exec(`INSERT INTO commands (id, actor_id, result, at) VALUES (?, ?, ?, ?)`,
		r.ID, actorID, string(data), t.seq)
}

// upsert writes one row: key columns plus the entity's JSON in data. Rows
// of the org table are written at once (the org is re-read within the
// transaction); every other table's rows are buffered until flush.
//
// It returns the JSON it wrote, for the change log's entry: each entity is
// encoded once per write.
func (t *tx) upsert(table string, cols []string, vals []any, v any) (encoded, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", table, err)
	}
	data := encoded(b)
	if table != "org" {
		t.pend.put(table, "id", append(slices.Clone(cols), "data"), 1, append(vals, string(data)))
		return data, nil
	}
	return data, t.exec(`INSERT INTO org (kind, id, data) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`,
		append(vals, string(data))...)
}

// encoded is an entity's JSON as upsert wrote it; log takes it as is.
type encoded string

// log appends one change, replacing the entity's previous entry (the log is
// compacted: a client far behind receives each entity once, at its newest).
func (t *tx) log(l store.Logged, v any) error {
	data := "null"
	if e, ok := v.(encoded); ok && l.Op == wire.OpPut {
		data = string(e)
	} else if v != nil && l.Op == wire.OpPut {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", l.Kind, l.ID, err)
		}
		data = string(b)
	}
	t.seq++
	everyone := 0
	if l.Everyone {
		everyone = 1
	}
	t.pend.put("changes", "kind, id, user_id", changeCols, 3, []any{string(l.Kind), l.ID, l.UserID,
		t.seq, string(l.Op), everyone, l.LineID, joinMembers(l.Members), l.DialogID, data})
	if t.s.committedFns != nil {
		t.keepLogged(l, data)
	}
	return nil
}

// keepLogged remembers a log entry for the OnCommitted hooks, as
// ChangesAfter would read it back.
func (t *tx) keepLogged(l store.Logged, data string) {
	l.Seq = t.seq
	l.Data = nil
	if l.Op == wire.OpPut && data != "null" {
		l.Data = json.RawMessage(data)
	}
	key := [3]string{string(l.Kind), l.ID, l.UserID}
	if t.loggedAt == nil {
		t.loggedAt = map[[3]string]int{}
	}
	if i, ok := t.loggedAt[key]; ok {
		t.logged[i].Seq = 0 // replaced: dropped when handed over
	}
	t.loggedAt[key] = len(t.logged)
	t.logged = append(t.logged, l)
}

var changeCols = []string{"kind", "id", "user_id", "seq", "op", "everyone", "line_id", "members", "dialog_id", "data"}

// dialogScope scopes a change to a dialog's line and people.
func dialogScope(d *inbox.Dialog, l store.Logged) store.Logged {
	l.LineID, l.Members, l.DialogID = d.LineID, members(d), d.ID
	return l
}

// members are the operators a dialog reaches outside its line: its
// assignee and participants, sorted.
func members(d *inbox.Dialog) []string {
	m := slices.Clone(d.Participants)
	if d.AssigneeID != "" {
		m = append(m, d.AssigneeID)
	}
	slices.Sort(m)
	return slices.Compact(m)
}

// joinMembers stores ids as ",a,b," so one substring test finds ",a,".
func joinMembers(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return "," + strings.Join(ids, ",") + ","
}

func splitMembers(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

var contactCols = []string{"channel_id", "external_id", "client_id"}

var messageFileCols = []string{"file_id", "message_id", "dialog_id"}

// newer reports whether dialog a is the newer of a client's dialogs on a
// channel, by the order LatestDialog uses.
func newer(a, b *inbox.Dialog) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.Number > b.Number
}
