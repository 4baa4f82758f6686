// Package notify decides what deserves a native alert and raises it.
//
// The Policy reads what each batch of synced changes did to the replica
// (replica.Applied) and turns it into alerts for the signed-in operator: a
// new unassigned dialog in one of its lines, a dialog routed or assigned to
// it, a mention, a customer's reply in its own dialog. It coalesces bursts,
// stays quiet for the dialog on screen, while Do Not Disturb is on or the
// operator is offline, and sums up a catch-up after a start in one alert.
// It is pure: time comes in as arguments, so it is tested with a fake
// clock.
//
// The Alerter runs a Policy for the app: it feeds it, keeps the timer that
// closes coalescing windows and hands alerts to a Notifier on a goroutine
// of its own, so a slow notification daemon never holds up the sync.
// Beeep is the Notifier of the desktop (D-Bus on Linux, toasts on Windows,
// Notification Center on macOS).
//
// Nothing here imports Wails: the app layer feeds the Alerter from its sync
// sink and binds the settings to the UI.
package notify
