// Package syncclient keeps the desktop's replica in step with the team
// server: it signs in, pulls the change log in pages until it has caught up
// (the bootstrap), follows the live WebSocket feed from the last applied
// seq, reconnects with backoff when the connection drops, and pushes the
// replica's outbox to the server, recording each command's answer.
//
// It never touches the UI: what happens is reported to a Sink, which the
// app layer turns into events.
package syncclient
