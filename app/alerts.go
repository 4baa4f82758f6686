package app

import (
	"context"
	"slices"

	"switchboard/app/notify"
)

// AlertSettings are the operator's choices for native alerts on this
// desktop: Do Not Disturb, hiding message text, and the language the UI
// speaks (the alerts speak it too). They are kept in the data dir and
// survive signing out.
type AlertSettings = notify.Settings

// Alerts lets the UI set how native alerts behave and tell which dialog
// is on screen.
type Alerts struct{ c *core }

// Settings returns the alert settings.
func (s *Alerts) Settings() (AlertSettings, error) {
	if err := s.c.wait(context.Background()); err != nil {
		return AlertSettings{}, toUI(err)
	}
	return s.c.alerts.Settings(), nil
}

// SetSettings applies and stores new alert settings and returns them.
func (s *Alerts) SetSettings(set AlertSettings) (AlertSettings, error) {
	if err := s.c.wait(context.Background()); err != nil {
		return AlertSettings{}, toUI(err)
	}
	if set.Language != "" && !slices.Contains(notify.Languages, set.Language) {
		return AlertSettings{}, uiError(CodeBadInput, "unknown language", nil)
	}
	if err := saveAlertSettings(s.c.cfg.DataDir, set); err != nil {
		return AlertSettings{}, toUI(err)
	}
	s.c.alerts.SetSettings(set)
	return set, nil
}

// SetViewing tells which dialog the operator is looking at: "" when none,
// or when the window is hidden or not in front. Nothing about that dialog
// raises an alert.
func (s *Alerts) SetViewing(dialogID string) error {
	s.c.mu.Lock()
	s.c.viewing = dialogID
	s.c.mu.Unlock()
	s.c.alerts.SetViewing(dialogID)
	return nil
}

const alertSettingsFile = "alerts.json"

func loadAlertSettings(dir string) (AlertSettings, error) {
	var set AlertSettings
	if err := loadSettings(dir, alertSettingsFile, &set); err != nil {
		return AlertSettings{}, err
	}
	return set, nil
}

func saveAlertSettings(dir string, set AlertSettings) error {
	return saveSettings(dir, alertSettingsFile, set)
}
