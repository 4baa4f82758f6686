package wire

import "switchboard/inbox"

// AdminOrg is GET /api/v1/admin/org: the workspace structure for the
// admin screens, every list sorted by id.
type AdminOrg struct {
	Workspace *inbox.Workspace  `json:"workspace"`
	Operators []*inbox.Operator `json:"operators"`
	Roles     []*inbox.Role     `json:"roles"`
	Groups    []*inbox.Group    `json:"groups"`
	Lines     []*inbox.Line     `json:"lines"`
	Channels  []*inbox.Channel  `json:"channels"`
	Tags      []*inbox.Tag      `json:"tags"`
}

// Connector is an installed connector plugin as GET
// /api/v1/admin/connectors lists it. SettingsSchema is the JSON Schema its
// Describe declared (the admin's settings form is drawn from it); empty
// when no host has described it yet.
type Connector struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Version        string `json:"version"`
	Publisher      string `json:"publisher"`
	Kind           string `json:"kind,omitempty"`
	SettingsSchema string `json:"settingsSchema,omitempty"`
}

// Report groupings of GET /api/v1/reports/dialogs.
const (
	ReportByOperator = "operator"
	ReportByLine     = "line"
	ReportByChannel  = "channel"
)

// DialogReport is GET /api/v1/reports/dialogs?from=&to=&by=[&line=]: the
// dialogs created in [from, to) (unix ms), grouped. Durations are
// milliseconds measured as inbox.MetricsOf defines them; an average over
// no measured dialog is 0 with its count 0.
type DialogReport struct {
	From int64       `json:"from"`
	To   int64       `json:"to"`
	By   string      `json:"by"`
	Rows []ReportRow `json:"rows"`
}

// ReportRow is one group of a DialogReport. Key is the operator, line or
// channel id ("" for dialogs nobody was assigned).
type ReportRow struct {
	Key      string `json:"key"`
	Dialogs  int64  `json:"dialogs"`
	Closed   int64  `json:"closed"`
	Spam     int64  `json:"spam"`
	Answered int64  `json:"answered"` // with a first response
	// FirstResponse* are over the Answered dialogs.
	FirstResponseAvgMs int64 `json:"firstResponseAvgMs"`
	FirstResponseMaxMs int64 `json:"firstResponseMaxMs"`
	// Handled counts the dialogs with a handling time (started and closed).
	Handled       int64 `json:"handled"`
	HandlingAvgMs int64 `json:"handlingAvgMs"`
	DurationAvgMs int64 `json:"durationAvgMs"`
}
