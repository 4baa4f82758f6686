package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// queryer is what reads need from a pool or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (s *Store) cachedOrg(ver int64) *inbox.Org {
	s.orgMu.Lock()
	defer s.orgMu.Unlock()
	if s.org != nil && s.orgVer == ver {
		return s.org
	}
	return nil
}

func (s *Store) cacheOrg(ver int64, org *inbox.Org) {
	s.orgMu.Lock()
	defer s.orgMu.Unlock()
	s.org, s.orgVer = org, ver
}

// Org returns the committed workspace structure. The cached copy is shared:
// callers must not change it.
func (s *Store) Org(ctx context.Context) (*inbox.Org, error) {
	var ver int64
	if err := s.r.QueryRowContext(ctx, `SELECT v FROM meta WHERE k = 'org_version'`).Scan(&ver); err != nil {
		return nil, fmt.Errorf("read org version: %w", err)
	}
	if org := s.cachedOrg(ver); org != nil {
		return org, nil
	}
	org, err := loadOrg(ctx, s.r, s.d)
	if err != nil {
		return nil, err
	}
	s.cacheOrg(ver, org)
	return org, nil
}

func loadOrg(ctx context.Context, q queryer, _ dialect) (*inbox.Org, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, data FROM org`)
	if err != nil {
		return nil, fmt.Errorf("read org: %w", err)
	}
	defer rows.Close()
	var (
		ws       *inbox.Workspace
		ops      []*inbox.Operator
		roles    []*inbox.Role
		groups   []*inbox.Group
		lines    []*inbox.Line
		channels []*inbox.Channel
		tags     []*inbox.Tag
	)
	for rows.Next() {
		var kind, data string
		if err := rows.Scan(&kind, &data); err != nil {
			return nil, fmt.Errorf("read org: %w", err)
		}
		var v any
		switch wire.Kind(kind) {
		case wire.KindWorkspace:
			ws = new(inbox.Workspace)
			v = ws
		case wire.KindOperator:
			ops = append(ops, new(inbox.Operator))
			v = ops[len(ops)-1]
		case wire.KindRole:
			roles = append(roles, new(inbox.Role))
			v = roles[len(roles)-1]
		case wire.KindGroup:
			groups = append(groups, new(inbox.Group))
			v = groups[len(groups)-1]
		case wire.KindLine:
			lines = append(lines, new(inbox.Line))
			v = lines[len(lines)-1]
		case wire.KindChannel:
			channels = append(channels, new(inbox.Channel))
			v = channels[len(channels)-1]
		case wire.KindTag:
			tags = append(tags, new(inbox.Tag))
			v = tags[len(tags)-1]
		default:
			continue
		}
		if err := json.Unmarshal([]byte(data), v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kind, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return inbox.NewOrg(ws, ops, roles, groups, lines, channels, tags), nil
}

// Head is the newest seq.
func (s *Store) Head(ctx context.Context) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, `SELECT v FROM meta WHERE k = 'seq'`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read head: %w", err)
	}
	return v, nil
}

// Pull returns what the viewer may see after seq, in seq order. The WHERE
// clause is store.Logged.Visible written in SQL.
func (s *Store) Pull(ctx context.Context, v store.Viewer, after int64, limit int) (store.Page, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	head, err := s.Head(ctx)
	if err != nil {
		return store.Page{}, err
	}
	var b strings.Builder
	args := []any{after, head, v.OperatorID}
	b.WriteString(`SELECT seq, kind, id, op, data FROM changes WHERE seq > ? AND seq <= ? AND (everyone = 1 OR user_id = ?`)
	if v.SeesAll {
		b.WriteString(` OR (user_id = '' AND line_id <> '')`)
	} else {
		b.WriteString(` OR (user_id = '' AND line_id <> '' AND (` + s.d.contains + `(members, ?) > 0`)
		args = append(args, ","+v.OperatorID+",")
		if len(v.Lines) > 0 {
			b.WriteString(` OR line_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(v.Lines)), ", ") + `)`)
			for _, l := range v.Lines {
				args = append(args, l)
			}
		}
		b.WriteString(`))`)
	}
	b.WriteString(`) ORDER BY seq LIMIT ?`)
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, s.d.rebind(b.String()), args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("pull after %d: %w", after, err)
	}
	defer rows.Close()
	// A page is read whole (its rows are not known before): room for a
	// full one saves growing it row by row. Kind and op are scanned as
	// plain strings, which database/sql assigns without reflection.
	p := store.Page{Head: head, Next: after, Changes: make([]wire.Change, 0, min(int64(limit), max(head-after, 0)))}
	var kind, op string
	for rows.Next() {
		var c wire.Change
		var data string
		if err := rows.Scan(&c.Seq, &kind, &c.ID, &op, &data); err != nil {
			return store.Page{}, fmt.Errorf("pull after %d: %w", after, err)
		}
		if len(p.Changes) == limit {
			p.More = true
			break
		}
		c.Kind, c.Op = wire.Kind(kind), wire.Op(op)
		if c.Op == wire.OpPut && data != "null" {
			c.Data = json.RawMessage(data)
		}
		p.Changes = append(p.Changes, c)
		p.Next = c.Seq
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, err
	}
	if !p.More {
		// Nothing visible up to head: the next pull starts there.
		p.Next = head
	}
	return p, nil
}

// ChangesAfter returns the log after seq, unfiltered, with scopes.
func (s *Store) ChangesAfter(ctx context.Context, after int64, limit int) ([]store.Logged, error) {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(
		`SELECT seq, kind, id, op, everyone, user_id, line_id, members, dialog_id, data FROM changes
		WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit)
	if err != nil {
		return nil, fmt.Errorf("changes after %d: %w", after, err)
	}
	defer rows.Close()
	var out []store.Logged
	for rows.Next() {
		var l store.Logged
		var everyone int
		var members, data string
		if err := rows.Scan(&l.Seq, &l.Kind, &l.ID, &l.Op, &everyone, &l.UserID, &l.LineID, &members, &l.DialogID, &data); err != nil {
			return nil, fmt.Errorf("changes after %d: %w", after, err)
		}
		l.Everyone, l.Members = everyone == 1, splitMembers(members)
		if l.Op == wire.OpPut && data != "null" {
			l.Data = json.RawMessage(data)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Dialog reads one committed dialog.
func (s *Store) Dialog(ctx context.Context, id string) (*inbox.Dialog, error) {
	var data string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT data FROM dialogs WHERE id = ?`), id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("dialog %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read dialog %s: %w", id, err)
	}
	d := new(inbox.Dialog)
	return d, json.Unmarshal([]byte(data), d)
}

// Client reads one committed client.
func (s *Store) Client(ctx context.Context, id string) (*inbox.Client, error) {
	var data string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT data FROM clients WHERE id = ?`), id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("client %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read client %s: %w", id, err)
	}
	c := new(inbox.Client)
	return c, json.Unmarshal([]byte(data), c)
}

// Messages reads a dialog's messages, oldest first.
func (s *Store) Messages(ctx context.Context, dialogID string) ([]*inbox.Message, error) {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT data FROM messages WHERE dialog_id = ? ORDER BY created_at, id`), dialogID)
	if err != nil {
		return nil, fmt.Errorf("read messages of %s: %w", dialogID, err)
	}
	return scanMessages(rows)
}

// scanMessages decodes rows of one column, a message's JSON, and closes them.
func scanMessages(rows *sql.Rows) ([]*inbox.Message, error) {
	defer rows.Close()
	var out []*inbox.Message
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		m := new(inbox.Message)
		if err := json.Unmarshal([]byte(data), m); err != nil {
			return nil, fmt.Errorf("decode message: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ContactDialog reads the newest dialog of the client who has the contact
// externalID on channelID.
func (s *Store) ContactDialog(ctx context.Context, channelID, externalID string) (*inbox.Dialog, error) {
	var data string
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT d.data FROM contacts k
		JOIN dialogs d ON d.client_id = k.client_id AND d.channel_id = k.channel_id
		WHERE k.channel_id = ? AND k.external_id = ?
		ORDER BY d.created_at DESC, d.number DESC LIMIT 1`), channelID, externalID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("dialog of contact %s on %s: %w", externalID, channelID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read dialog of contact %s on %s: %w", externalID, channelID, err)
	}
	d := new(inbox.Dialog)
	return d, json.Unmarshal([]byte(data), d)
}
