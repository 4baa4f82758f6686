package host

import (
	"context"
	"fmt"

	"switchboard/plugins/sdk"
)

// Describe starts the installed plugin id on its own, asks it to describe
// itself and stops it: what an admin screen needs (the settings schema)
// before any channel of the plugin runs. The plugin gets throwaway host
// services: it keeps no state from this call.
func (h *Host) Describe(ctx context.Context, id string) (sdk.Description, error) {
	v, _ := h.catalog.get(id)
	if v == nil {
		return sdk.Description{}, fmt.Errorf("describe %s: no such plugin installed", id)
	}
	svc, err := NewServices("", h.log.With("describe", id))
	if err != nil {
		return sdk.Description{}, fmt.Errorf("describe %s: %w", id, err)
	}
	client, conn, err := Launch(v, svc, h.socketDir, h.log.With("describe", id))
	if err != nil {
		return sdk.Description{}, fmt.Errorf("describe %s: %w", id, err)
	}
	defer client.Kill()
	desc, err := conn.Describe(ctx)
	if err != nil {
		return sdk.Description{}, fmt.Errorf("describe %s: %w", id, err)
	}
	return desc, nil
}
