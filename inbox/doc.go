// Package inbox is Switchboard's domain: the entities operators work with
// (workspace, operators, groups, lines, channels, clients, dialogs, messages,
// templates, tags), the permissions that guard them, and the rules of a
// dialog's lifecycle.
//
// The package is pure Go and does no I/O. Both the team server and the
// desktop app run the same rules: the server to validate every command
// before it commits, the desktop to apply a command optimistically to its
// local replica before the server confirms it.
//
// A command is executed against a [Reader] that the caller implements over
// its own storage (a store transaction on the server, the replica on the
// desktop). [Execute] returns an [Outcome] — the new versions of every entity
// the command touched and the dialog log entries it wrote — or a [*Refusal]
// with a stable code that doubles as an i18n key.
package inbox
