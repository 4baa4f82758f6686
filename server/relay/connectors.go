package relay

import (
	"bytes"
	"context"
	"sort"

	"switchboard/wire"
)

// described is a plugin's description, kept for the checksum it was made
// from: an upgraded plugin is described again.
type described struct {
	checksum []byte
	conn     wire.Connector
}

// Connectors lists the installed plugins with what they described of
// themselves; the server's admin API serves it (Server.SetConnectorCatalog).
// A plugin is started once per version to be described; one that cannot be
// is listed without a schema.
func (r *Relay) Connectors(ctx context.Context) []wire.Connector {
	out := []wire.Connector{}
	for _, p := range r.run.Host().Plugins() {
		r.descMu.Lock()
		d, ok := r.desc[p.ID]
		r.descMu.Unlock()
		if !ok || !bytes.Equal(d.checksum, p.Checksum) {
			d = described{checksum: p.Checksum, conn: wire.Connector{ID: p.ID, Name: p.Name, Version: p.Version, Publisher: p.Publisher}}
			desc, err := r.run.Host().Describe(ctx, p.ID)
			if err != nil {
				r.log.Warn("describe plugin", "plugin", p.ID, "error", err)
			} else {
				d.conn.Kind, d.conn.SettingsSchema = desc.ChannelKind, desc.SettingsSchema
				r.descMu.Lock()
				r.desc[p.ID] = d
				r.descMu.Unlock()
			}
		}
		out = append(out, d.conn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
