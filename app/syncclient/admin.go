package syncclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"switchboard/wire"
)

// Admin is the team server's administration and report API as one signed-in
// person calls it. The server checks every permission; these calls only
// carry them.
type Admin struct{ api *api }

// NewAdmin returns the admin API of server for the session's token.
func NewAdmin(hc *http.Client, server, token string) (*Admin, error) {
	base, err := parseServer(server)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Admin{api: &api{base: base, token: token, http: hc}}, nil
}

// CodeBadID is returned for an entity id this client will not put in a
// path.
const CodeBadID = "admin.bad_id"

// idPattern is what the server accepts as an id, narrowed to what needs no
// escaping in a path.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9.-]{1,64}$`)

func checkID(id string) error {
	if !idPattern.MatchString(id) {
		return &Error{Code: CodeBadID, Message: "An id is 1 to 64 letters, digits, dots or dashes."}
	}
	return nil
}

// Org returns the workspace's structure.
func (a *Admin) Org(ctx context.Context) (wire.AdminOrg, error) {
	var out wire.AdminOrg
	err := a.api.do(ctx, http.MethodGet, "/api/v1/admin/org", nil, nil, &out)
	return out, err
}

// Put creates or replaces one entity: kind is the API's plural
// (operators, roles, groups, lines, channels, tags, workspace). The answer
// is the entity as stored.
func (a *Admin) Put(ctx context.Context, kind, id string, entity json.RawMessage) (json.RawMessage, error) {
	if err := checkID(kind); err != nil {
		return nil, err
	}
	if err := checkID(id); err != nil {
		return nil, err
	}
	var out json.RawMessage
	err := a.api.do(ctx, http.MethodPut, "/api/v1/admin/"+kind+"/"+id, nil, entity, &out)
	return out, err
}

// Connectors lists the installed connector plugins with their settings
// schemas.
func (a *Admin) Connectors(ctx context.Context) ([]wire.Connector, error) {
	var out []wire.Connector
	err := a.api.do(ctx, http.MethodGet, "/api/v1/admin/connectors", nil, nil, &out)
	return out, err
}

// ChannelSettings returns a channel's connector settings (a JSON object).
func (a *Admin) ChannelSettings(ctx context.Context, channelID string) (json.RawMessage, error) {
	if err := checkID(channelID); err != nil {
		return nil, err
	}
	var out json.RawMessage
	err := a.api.do(ctx, http.MethodGet, "/api/v1/admin/channels/"+channelID+"/settings", nil, nil, &out)
	return out, err
}

// SaveChannelSettings replaces a channel's connector settings.
func (a *Admin) SaveChannelSettings(ctx context.Context, channelID string, settings json.RawMessage) error {
	if err := checkID(channelID); err != nil {
		return err
	}
	return a.api.do(ctx, http.MethodPut, "/api/v1/admin/channels/"+channelID+"/settings", nil, settings, nil)
}

// DialogReport asks for the dialogs created in [from, to) (unix ms)
// grouped by (wire.ReportBy*), optionally within one line.
func (a *Admin) DialogReport(ctx context.Context, from, to int64, by, lineID string) (wire.DialogReport, error) {
	q := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}, "by": {by}}
	if lineID != "" {
		q.Set("line", lineID)
	}
	var out wire.DialogReport
	err := a.api.do(ctx, http.MethodGet, "/api/v1/reports/dialogs", q, nil, &out)
	return out, err
}

// AnalyticsQuery selects the charted reports (wire.Analytics).
type AnalyticsQuery struct {
	From, To                      int64 // unix ms
	TimeZone, By                  string
	LineID, ChannelID, OperatorID string
}

// Analytics asks for the charted reports over the dialogs created in
// [From, To).
func (a *Admin) Analytics(ctx context.Context, q AnalyticsQuery) (wire.Analytics, error) {
	v := url.Values{"from": {strconv.FormatInt(q.From, 10)}, "to": {strconv.FormatInt(q.To, 10)}}
	for k, s := range map[string]string{"tz": q.TimeZone, "by": q.By, "line": q.LineID, "channel": q.ChannelID, "operator": q.OperatorID} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var out wire.Analytics
	err := a.api.do(ctx, http.MethodGet, "/api/v1/reports/analytics", v, nil, &out)
	return out, err
}
