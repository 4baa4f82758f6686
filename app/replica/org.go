package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"switchboard/inbox"
	"switchboard/wire"
)

// Org reads the workspace's structure (operators, roles, groups, lines,
// channels, tags) into memory. It is small; callers may cache it until an
// Apply reports Org changes.
func (rp *Replica) Org(ctx context.Context) (*inbox.Org, error) {
	const q = `SELECT kind, data FROM entities WHERE kind IN (?, ?, ?, ?, ?, ?, ?)`
	rows, err := rp.r.QueryContext(ctx, q, wire.KindWorkspace, wire.KindOperator, wire.KindRole,
		wire.KindGroup, wire.KindLine, wire.KindChannel, wire.KindTag)
	if err != nil {
		return nil, sqlError(q, err)
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
			return nil, sqlError(q, err)
		}
		var target any
		switch wire.Kind(kind) {
		case wire.KindWorkspace:
			ws = new(inbox.Workspace)
			target = ws
		case wire.KindOperator:
			ops = append(ops, new(inbox.Operator))
			target = ops[len(ops)-1]
		case wire.KindRole:
			roles = append(roles, new(inbox.Role))
			target = roles[len(roles)-1]
		case wire.KindGroup:
			groups = append(groups, new(inbox.Group))
			target = groups[len(groups)-1]
		case wire.KindLine:
			lines = append(lines, new(inbox.Line))
			target = lines[len(lines)-1]
		case wire.KindChannel:
			channels = append(channels, new(inbox.Channel))
			target = channels[len(channels)-1]
		case wire.KindTag:
			tags = append(tags, new(inbox.Tag))
			target = tags[len(tags)-1]
		}
		if err := json.Unmarshal([]byte(data), target); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kind, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, sqlError(q, err)
	}
	return inbox.NewOrg(ws, ops, roles, groups, lines, channels, tags), nil
}

// ClientCard is a client with the team's notes on it.
type ClientCard struct {
	Client inbox.Client
	Notes  []inbox.ClientNote
}

// Client returns a client and its notes; the error wraps inbox.ErrNotFound
// when the replica does not hold it.
func (rp *Replica) Client(ctx context.Context, id string) (ClientCard, error) {
	const q = `SELECT data FROM clients WHERE id = ?`
	var data string
	err := rp.r.QueryRowContext(ctx, q, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return ClientCard{}, fmt.Errorf("client %s: %w", id, inbox.ErrNotFound)
	}
	if err != nil {
		return ClientCard{}, sqlError(q, err)
	}
	var card ClientCard
	if err := json.Unmarshal([]byte(data), &card.Client); err != nil {
		return ClientCard{}, fmt.Errorf("decode client %s: %w", id, err)
	}
	const nq = `SELECT data FROM notes WHERE client_id = ? ORDER BY json_extract(data, '$.createdAt'), id`
	rows, err := rp.r.QueryContext(ctx, nq, id)
	if err != nil {
		return ClientCard{}, sqlError(nq, err)
	}
	card.Notes, err = scanJSON[inbox.ClientNote](rows, nq)
	return card, err
}

// ClientName returns the name the team sees for a client, or "" when the
// replica does not hold it.
func (rp *Replica) ClientName(ctx context.Context, id string) (string, error) {
	const q = `SELECT name FROM clients WHERE id = ?`
	var name string
	err := rp.r.QueryRowContext(ctx, q, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", sqlError(q, err)
	}
	return name, nil
}
