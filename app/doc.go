// Package app is the desktop backend the Wails window talks to: one bound
// service per area (Session, Inbox, Conversation, Search), the lifecycle
// that opens the replica and runs the sync client, and the typed events the
// UI subscribes to.
//
// Services share one core. Every read is a query on the local replica;
// every write is a command applied optimistically to the replica, queued in
// its outbox and pushed by the sync client.
package app
