//go:build dev

package app

// Dev is bound only in the dev build (-tags dev), which the e2e tests
// drive: it lets a test see what the app did where no window shows it.
type Dev struct{ c *core }

// RaisedAlerts returns the newest native alerts the Alerter raised, oldest
// first (the e2e apps run without a notification daemon; app/notify's
// D-Bus tests prove what reaches one).
func (d *Dev) RaisedAlerts() ([]RaisedAlert, error) {
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	return append([]RaisedAlert{}, d.c.raised...), nil
}

// AnswerSaveDialog makes the next save dialog answer path without opening
// (a test cannot click a native dialog); the file is then written as the
// operator's choice would be.
func (d *Dev) AnswerSaveDialog(path string) error {
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	d.c.savePath = path
	return nil
}

func devServices(c *core) []any { return []any{&Dev{c: c}} }
