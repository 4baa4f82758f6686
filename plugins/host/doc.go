// Package host runs connector plugins for the desktop app and the team
// server. It keeps a catalog of the verified plugins in a folder (watching
// it, so plugins can be dropped in, upgraded and removed while running),
// launches one plugin process per configured channel with go-plugin's
// checksum check and mutual TLS, supervises it (health check on a period,
// restart with backoff, giving up after repeated crashes within an hour), and
// hands inbound events to a Deliver callback, acknowledging each to the
// plugin only after Deliver returned nil — delivery is at least once.
//
// Usage:
//
//	h, err := host.New(host.Config{PluginsDir: ..., DataDir: ..., Trusted: keys, Deliver: store})
//	err = h.Start(ctx)
//	err = h.AddChannel(ctx, host.Channel{ID: "site", PluginID: "webchat", Settings: json})
//	res, err := h.Send(ctx, "site", sdk.OutboundMessage{...})
//	h.Close()
package host
