package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"switchboard/inbox"
	"switchboard/server/store"
)

// tx is a write transaction; it is also the inbox.Reader commands run on.
type tx struct {
	s *Store
	// tx runs the write's statements: on SQLite a database/sql Tx, on
	// PostgreSQL the connection itself, inside the transaction the write
	// began (see runPG).
	tx  txConn
	ctx context.Context
	// conn is the connection tx runs on (pipelines on PostgreSQL).
	conn *sql.Conn

	// Counters read at the start and written back before commit; the write
	// lock makes this safe.
	seq0, seq       int64
	num0, num       int64
	orgVer0, orgVer int64

	// seen holds the stored version of each dialog this transaction read or
	// wrote, so persisting a dialog need not read it back.
	seen map[string]*inbox.Dialog
	// pend buffers row writes until flush (see pending).
	pend *pending
	// pre holds what Prefetch loaded; nil without a prefetch.
	pre *prefetched
	// fresh holds the ids this write minted (NewID): nothing is stored
	// under them, so reads about them need not ask the database.
	fresh map[string]bool
	// stored holds the columns (dialogValues) of each dialog as this
	// write read or wrote them, so a write that changes only the JSON can
	// leave them (and their indexes) alone.
	stored map[string][]any
	// contactsOf holds the contacts of each client this write read or
	// put, so putting the client again can drop the contacts it lost.
	contactsOf map[string][]inbox.Contact
	// logged is what this write appended to the change log, for the
	// store's OnCommitted hooks; an entity logged again replaces its
	// earlier entry (loggedAt: its index), as the log itself does.
	logged   []store.Logged
	loggedAt map[[3]string]int
	// logIncomplete says entries moved outside log (restamp): the hooks
	// are not called, and the hub reads the log instead.
	logIncomplete bool
	// wrote is what this write has put so far, for the write after it
	// to tell whether it may run ahead (Speculate).
	wrote *writeSet
	// ahead is set while the rules run ahead of the write's transaction
	// (Speculate): nothing may reach the database then. fenced says
	// something tried, and the run ahead does not count.
	ahead, fenced bool
	// preamble goes in front of the next flush's statements: a write run
	// ahead begins its transaction in its last round trip (startAhead).
	preamble []stmt
}

// txConn is what a write runs its statements on: *sql.Tx or *sql.Conn.
type txConn interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// knowClient records a client's contacts as read, unless this write
// already knows newer ones.
func (t *tx) knowClient(c *inbox.Client) {
	if c == nil {
		return
	}
	if _, ok := t.contactsOf[c.ID]; !ok {
		t.contactsOf[c.ID] = slices.Clone(c.Contacts)
	}
}

// NewID mints the id of an entity this write creates.
func (t *tx) NewID() string {
	id := uuid.Must(uuid.NewV7()).String()
	t.fresh[id] = true
	return id
}

// dialogBefore returns the dialog as stored before this write, or nil.
func (t *tx) dialogBefore(id string) (*inbox.Dialog, error) {
	if d, ok := t.seen[id]; ok {
		return d, nil
	}
	d, err := t.Dialog(id)
	if errors.Is(err, inbox.ErrNotFound) {
		return nil, nil
	}
	return d, err
}

// remember records a dialog as stored and hands the caller its own copy.
func (t *tx) remember(d *inbox.Dialog) *inbox.Dialog {
	if d == nil {
		return nil
	}
	t.seen[d.ID] = d
	return d.Clone()
}

func (t *tx) exec(q string, args ...any) error {
	if _, err := t.tx.ExecContext(t.ctx, t.s.d.rebind(q), args...); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}

// one reads a single JSON data column into dst; a missing row wraps
// inbox.ErrNotFound.
func (t *tx) one(what string, dst any, q string, args ...any) error {
	var data string
	err := t.tx.QueryRowContext(t.ctx, t.s.d.rebind(q), args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, inbox.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	if err := json.Unmarshal([]byte(data), dst); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// many reads JSON data columns, one new T per row.
func many[T any](t *tx, what, q string, args ...any) ([]*T, error) {
	rows, err := t.tx.QueryContext(t.ctx, t.s.d.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		v := new(T)
		if err := json.Unmarshal([]byte(data), v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Org returns the workspace structure as this transaction sees it.
func (t *tx) Org() *inbox.Org {
	if t.orgVer == t.orgVer0 {
		if org := t.s.cachedOrg(t.orgVer); org != nil {
			return org
		}
	}
	org, err := loadOrg(t.ctx, t.tx, t.s.d)
	if err != nil {
		// The Reader contract has no error here; an empty org refuses
		// every operator command, and the write fails later anyway.
		return inbox.NewOrg(nil, nil, nil, nil, nil, nil, nil)
	}
	if t.orgVer == t.orgVer0 {
		t.s.cacheOrg(t.orgVer, org)
	}
	return org
}

func (t *tx) Dialog(id string) (*inbox.Dialog, error) {
	if d, ok := t.seen[id]; ok {
		return d.Clone(), nil
	}
	d, err := t.dialogRow("dialog "+id, `SELECT `+storedDialogSQL+` FROM dialogs WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return t.remember(d), nil
}

// dialogRow reads one dialog selected with storedDialogSQL and notes its
// stored columns; a missing row wraps inbox.ErrNotFound.
func (t *tx) dialogRow(what, q string, args ...any) (*inbox.Dialog, error) {
	d, cols, err := scanDialog(t.tx.QueryRowContext(t.ctx, t.s.d.rebind(q), args...).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: %w", what, inbox.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	t.noteStored(d.ID, cols)
	return d, nil
}

// noteStored records a dialog's columns as read, unless this write already
// wrote newer ones.
func (t *tx) noteStored(id string, cols []any) {
	if _, ok := t.stored[id]; !ok {
		t.stored[id] = cols
	}
}

func (t *tx) Client(id string) (*inbox.Client, error) {
	if c, ok := t.pend.clients[id]; ok {
		cp := *c
		cp.Contacts = slices.Clone(c.Contacts)
		return &cp, nil
	}
	c := new(inbox.Client)
	if err := t.one("client "+id, c, `SELECT data FROM clients WHERE id = ?`, id); err != nil {
		return nil, err
	}
	t.knowClient(c)
	return c, nil
}

func (t *tx) Message(id string) (*inbox.Message, error) {
	if m, ok := t.pend.messages[id]; ok {
		return m.Clone(), nil
	}
	m := new(inbox.Message)
	return m, t.one("message "+id, m, `SELECT data FROM messages WHERE id = ?`, id)
}

func (t *tx) Template(id string) (*inbox.Template, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	v := new(inbox.Template)
	return v, t.one("template "+id, v, `SELECT data FROM templates WHERE id = ?`, id)
}

func (t *tx) Task(id string) (*inbox.ClientTask, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	v := new(inbox.ClientTask)
	return v, t.one("task "+id, v, `SELECT data FROM tasks WHERE id = ?`, id)
}

// orNil turns a not-found into (nil, nil) for the lookups that may miss.
func orNil[T any](v *T, err error) (*T, error) {
	if errors.Is(err, inbox.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (t *tx) LatestDialog(clientID, channelID string) (*inbox.Dialog, error) {
	var d *inbox.Dialog
	if pd, ok := t.pre.latestOf(clientID + "\x00" + channelID); ok {
		d = pd
	} else if t.fresh[clientID] {
		// A client this write created has no stored dialogs: a new
		// customer's message costs no query here.
	} else {
		var err error
		d, err = orNil(t.dialogRow("latest dialog",
			`SELECT `+storedDialogSQL+` FROM dialogs WHERE client_id = ? AND channel_id = ? ORDER BY created_at DESC, number DESC LIMIT 1`,
			clientID, channelID))
		if err != nil {
			return nil, err
		}
	}
	if p := t.pend.latest[clientID+"\x00"+channelID]; p != nil && (d == nil || newer(p, d) || p.ID == d.ID) {
		return p.Clone(), nil
	}
	if d == nil {
		return nil, nil
	}
	if cached, ok := t.seen[d.ID]; ok {
		return cached.Clone(), nil
	}
	return t.remember(d), nil
}

func (t *tx) ClientByContact(channelID, externalID string) (*inbox.Client, error) {
	if id, ok := t.pend.contacts[channelID+"\x00"+externalID]; ok {
		return t.Client(id)
	}
	if t.pre != nil {
		if c, ok := t.pre.contact[channelID+"\x00"+externalID]; ok {
			if c == nil {
				return nil, nil
			}
			if _, buffered := t.pend.clients[c.ID]; buffered {
				return t.Client(c.ID)
			}
			t.knowClient(c)
			cp := *c
			cp.Contacts = slices.Clone(c.Contacts)
			return &cp, nil
		}
	}
	c := new(inbox.Client)
	c, err := orNil(c, t.one("client by contact", c,
		`SELECT c.data FROM contacts k JOIN clients c ON c.id = k.client_id WHERE k.channel_id = ? AND k.external_id = ?`,
		channelID, externalID))
	t.knowClient(c)
	return c, err
}

func (t *tx) MessageByExternalID(channelID, externalID string) (*inbox.Message, error) {
	if externalID == "" {
		return nil, nil
	}
	if id, ok := t.pend.external[channelID+"\x00"+externalID]; ok {
		return t.pend.messages[id].Clone(), nil
	}
	if t.pre != nil {
		if m, ok := t.pre.ext[channelID+"\x00"+externalID]; ok {
			if m == nil {
				return nil, nil
			}
			return m.Clone(), nil
		}
	}
	m := new(inbox.Message)
	return orNil(m, t.one("message by external id", m,
		`SELECT data FROM messages WHERE channel_id = ? AND external_id = ? AND external_id <> ''`, channelID, externalID))
}

func (t *tx) OpenDialogsOfClient(clientID string) ([]*inbox.Dialog, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	return many[inbox.Dialog](t, "open dialogs",
		`SELECT data FROM dialogs WHERE client_id = ? AND status IN ('unassigned', 'in_progress', 'snoozed') ORDER BY created_at`,
		clientID)
}

// SnoozedDue returns the snoozed dialogs whose wake time has come.
func (t *tx) SnoozedDue(now time.Time) ([]*inbox.Dialog, error) {
	if err := t.flush(); err != nil {
		return nil, err
	}
	return many[inbox.Dialog](t, "snoozed dialogs",
		`SELECT data FROM dialogs WHERE status = 'snoozed' AND snoozed_until > 0 AND snoozed_until <= ? ORDER BY snoozed_until`,
		now.UnixMilli())
}

func (t *tx) NextDialogNumber() int64 {
	t.num++
	return t.num
}

// latestOf answers LatestDialog from a prefetch, if it covered the pair.
func (p *prefetched) latestOf(pair string) (*inbox.Dialog, bool) {
	if p == nil {
		return nil, false
	}
	d, ok := p.latest[pair]
	return d, ok
}
