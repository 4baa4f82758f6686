// Package sdk is what a connector author imports. A connector is a small Go
// type implementing Connector (plus any of the optional interfaces Editor,
// Deleter, ReadMarker, TypingSender, ContactChecker, HealthChecker for what
// its channel can do); its main function is one line:
//
//	func main() { sdk.Serve(&myConnector{}) }
//
// The layers underneath, from the wire up: the versioned protocol in
// plugins/proto, go-plugin's handshake and plugin map (plugin.go), and
// adapters between the generated types and the Go types here (server.go on
// the plugin's side, client.go on the host's). The host's services — key-value
// state, attachment blobs, logging — reach the connector as a Host in
// Configure; Journal builds a durable, acknowledgeable event queue on them.
//
// This package imports neither Wails nor the team server: a partner's build
// pulls in only go-plugin and gRPC.
package sdk
