package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"

	"switchboard/wire"
)

// Admin is the workspace's administration: it reads and writes the team
// server's admin API (never the replica), so what it shows is the server's
// word and what it saves is checked there.
type Admin struct{ c *core }

// adminKinds are the sections Save may write and the prefix of the ids it
// makes for new entities.
var adminKinds = map[string]string{
	"operators": "op-", "roles": "role-", "groups": "g-", "lines": "line-", "channels": "ch-", "tags": "tag-",
}

// Org returns the workspace's structure as the server holds it.
func (s *Admin) Org() (wire.AdminOrg, error) {
	ctx := context.Background()
	api, err := s.c.admin(ctx)
	if err != nil {
		return wire.AdminOrg{}, err
	}
	org, err := api.Org(ctx)
	return org, toUI(err)
}

// Save creates (id "") or replaces one entity of a section (operators,
// roles, groups, lines, channels, tags) and returns its id. A refusal
// names the field it is about.
func (s *Admin) Save(kind, id string, entity json.RawMessage) (string, error) {
	ctx := context.Background()
	prefix, ok := adminKinds[kind]
	if !ok {
		return "", uiError(CodeBadInput, "unknown section "+kind, nil)
	}
	api, err := s.c.admin(ctx)
	if err != nil {
		return "", err
	}
	if id == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		id = prefix + hex.EncodeToString(b[:])
	}
	if _, err := api.Put(ctx, kind, id, entity); err != nil {
		return "", toUI(err)
	}
	return id, nil
}

// Connectors lists the installed connector plugins with their settings
// schemas.
func (s *Admin) Connectors() ([]wire.Connector, error) {
	ctx := context.Background()
	api, err := s.c.admin(ctx)
	if err != nil {
		return nil, err
	}
	out, err := api.Connectors(ctx)
	if out == nil {
		out = []wire.Connector{}
	}
	return out, toUI(err)
}

// ChannelSettings returns a channel's connector settings as a JSON object.
func (s *Admin) ChannelSettings(channelID string) (json.RawMessage, error) {
	ctx := context.Background()
	api, err := s.c.admin(ctx)
	if err != nil {
		return nil, err
	}
	out, err := api.ChannelSettings(ctx, channelID)
	return out, toUI(err)
}

// SaveChannelSettings replaces a channel's connector settings; the
// connector checks them when its host next starts the channel.
func (s *Admin) SaveChannelSettings(channelID string, settings json.RawMessage) error {
	ctx := context.Background()
	api, err := s.c.admin(ctx)
	if err != nil {
		return err
	}
	return toUI(api.SaveChannelSettings(ctx, channelID, settings))
}
