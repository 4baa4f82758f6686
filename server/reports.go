package server

import (
	"net/http"
	"strconv"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
	"switchboard/wire"
)

// maxReportRange is the longest period one report covers.
const maxReportRange = 366 * 24 * time.Hour

// dialogReport is GET /api/v1/reports/dialogs?from=&to=&by=[&line=]: the
// dialogs created in [from, to) (unix ms) grouped by operator, line or
// channel, aggregated in SQL. It needs reports.view.
func (s *Server) dialogReport(w http.ResponseWriter, r *http.Request, op string) error {
	org, from, to, err := s.reportRequest(r, op)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	by := q.Get("by")
	switch by {
	case wire.ReportByOperator, wire.ReportByLine, wire.ReportByChannel:
	default:
		return fieldError("by", "invalid", "Group a report by operator, line or channel.")
	}
	line := q.Get("line")
	if line != "" && org.Lines[line] == nil {
		return fieldError("line", "unknown", "There is no such line.")
	}
	rows, err := s.st.DialogReport(r.Context(), store.ReportQuery{From: from, To: to, By: by, LineID: line})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, wire.DialogReport{From: from.UnixMilli(), To: to.UnixMilli(), By: by, Rows: rows})
	return nil
}

// analytics is GET /api/v1/reports/analytics?from=&to=&tz=&by=[&line=&channel=&operator=]:
// the charted reports (wire.Analytics) over the dialogs created in
// [from, to) (unix ms), days cut at midnight in tz. It needs reports.view.
func (s *Server) analytics(w http.ResponseWriter, r *http.Request, op string) error {
	org, from, to, err := s.reportRequest(r, op)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	aq := store.AnalyticsQuery{From: from, To: to, LineID: q.Get("line"), ChannelID: q.Get("channel"), OperatorID: q.Get("operator"), By: q.Get("by")}
	tz := q.Get("tz")
	if tz == "" {
		tz = "UTC"
	}
	if aq.Loc, err = time.LoadLocation(tz); err != nil || tz == "Local" {
		return fieldError("tz", "invalid", "Give tz as a time zone name such as Europe/Kyiv.")
	}
	if aq.By == "" {
		aq.By = wire.ReportByLine
	}
	if aq.By != wire.ReportByLine && aq.By != wire.ReportByChannel {
		return fieldError("by", "invalid", "Group the charts by line or channel.")
	}
	switch {
	case aq.LineID != "" && org.Lines[aq.LineID] == nil:
		return fieldError("line", "unknown", "There is no such line.")
	case aq.ChannelID != "" && org.Channels[aq.ChannelID] == nil:
		return fieldError("channel", "unknown", "There is no such channel.")
	case aq.OperatorID != "" && org.Operators[aq.OperatorID] == nil:
		return fieldError("operator", "unknown", "There is no such operator.")
	}
	out, err := store.RunAnalytics(r.Context(), s.st, aq)
	if err != nil {
		return err
	}
	out.TimeZone = tz
	writeJSON(w, http.StatusOK, out)
	return nil
}

// reportRequest checks that op may open reports and reads the period
// [from, to) every report takes, in unix milliseconds.
func (s *Server) reportRequest(r *http.Request, op string) (org *inbox.Org, from, to time.Time, err error) {
	org, err = s.st.Org(r.Context())
	if err != nil {
		return nil, from, to, err
	}
	if !org.Can(op, inbox.PermReportsView) {
		return nil, from, to, errorf(http.StatusForbidden, "auth.forbidden", "Your role may not open reports.")
	}
	q := r.URL.Query()
	var ms [2]time.Time
	for i, field := range []string{"from", "to"} {
		v, err := strconv.ParseInt(q.Get(field), 10, 64)
		if err != nil || v < 0 {
			return nil, from, to, fieldError(field, "invalid", "Give "+field+" as a time in unix milliseconds.")
		}
		ms[i] = time.UnixMilli(v)
	}
	from, to = ms[0], ms[1]
	if !to.After(from) || to.Sub(from) > maxReportRange {
		return nil, from, to, fieldError("to", "out_of_range", "The period must end after it starts and last at most 366 days.")
	}
	return org, from, to, nil
}
