// Package replica is the desktop's local copy of what the operator may see:
// a SQLite file the sync client fills from the team server's change feed and
// every list, counter and search of the UI reads from, so the window never
// waits on the network and keeps working offline.
//
// One writer connection applies changes and outbox updates; a pool of
// read-only connections serves the UI's queries beside it (WAL lets both run
// at once). The last applied change-log seq is stored in the same
// transaction as the changes, so a crash never skips nor doubles a change.
//
// Commands the operator issues are applied optimistically and kept in the
// durable outbox table until the server confirms or rejects them; see
// outbox.go.
package replica
