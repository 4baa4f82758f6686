package app

import (
	"context"
	"os"
	"strings"
	"time"

	"switchboard/app/syncclient"
	"switchboard/wire"
)

// ReportRow is one group of a dialog report with its name resolved.
type ReportRow struct {
	wire.ReportRow
	Name string `json:"name"`
}

// ReportView is a dialog report as the UI shows it.
type ReportView struct {
	From int64       `json:"from"`
	To   int64       `json:"to"`
	By   string      `json:"by"`
	Rows []ReportRow `json:"rows"`
}

// Report asks the team server for the dialogs created in [from, to) (unix
// ms) grouped by operator, line or channel; the aggregates are computed in
// the server's database, not over the replica.
func (s *Supervisor) Report(from, to int64, by, lineID string) (ReportView, error) {
	ctx := context.Background()
	_, org, _, a, err := s.c.console(ctx)
	if err != nil {
		return ReportView{}, err
	}
	if !a.Reports {
		return ReportView{}, forbidden()
	}
	api, err := s.c.admin(ctx)
	if err != nil {
		return ReportView{}, err
	}
	rep, err := api.DialogReport(ctx, from, to, by, lineID)
	if err != nil {
		return ReportView{}, toUI(err)
	}
	v := ReportView{From: rep.From, To: rep.To, By: rep.By, Rows: make([]ReportRow, 0, len(rep.Rows))}
	for _, r := range rep.Rows {
		name := r.Key
		switch by {
		case wire.ReportByOperator:
			if r.Key != "" {
				name = operatorName(org, r.Key)
			}
		case wire.ReportByLine:
			if l := org.Lines[r.Key]; l != nil {
				name = l.Name
			}
		case wire.ReportByChannel:
			if ch := org.Channels[r.Key]; ch != nil {
				name = ch.Name
			}
		}
		v.Rows = append(v.Rows, ReportRow{ReportRow: r, Name: name})
	}
	return v, nil
}

// AnalyticsRequest is what the reports' charts show: the dialogs created
// in [From, To) (unix ms), days cut in TimeZone (an IANA name; the
// computer's when empty), Volume and Percentiles grouped By line or
// channel, optionally of one line, channel and operator.
type AnalyticsRequest struct {
	From       int64  `json:"from"`
	To         int64  `json:"to"`
	TimeZone   string `json:"timeZone"`
	By         string `json:"by"`
	LineID     string `json:"lineId"`
	ChannelID  string `json:"channelId"`
	OperatorID string `json:"operatorId"`
}

// AnalyticsView is the charted reports with the names of the lines,
// channels, operators and tags they mention (plain text for the UI).
type AnalyticsView struct {
	wire.Analytics
	Names map[string]string `json:"names"`
}

// Analytics asks the team server for the charted reports; it aggregates
// in its database, never over the replica.
func (s *Supervisor) Analytics(q AnalyticsRequest) (AnalyticsView, error) {
	ctx := context.Background()
	_, org, _, a, err := s.c.console(ctx)
	if err != nil {
		return AnalyticsView{}, err
	}
	if !a.Reports {
		return AnalyticsView{}, forbidden()
	}
	api, err := s.c.admin(ctx)
	if err != nil {
		return AnalyticsView{}, err
	}
	if q.TimeZone == "" {
		q.TimeZone = localZone()
	}
	rep, err := api.Analytics(ctx, syncclient.AnalyticsQuery{From: q.From, To: q.To, TimeZone: q.TimeZone, By: q.By,
		LineID: q.LineID, ChannelID: q.ChannelID, OperatorID: q.OperatorID})
	if err != nil {
		return AnalyticsView{}, toUI(err)
	}
	v := AnalyticsView{Analytics: rep, Names: map[string]string{}}
	for id, l := range org.Lines {
		v.Names[id] = l.Name
	}
	for id, ch := range org.Channels {
		v.Names[id] = ch.Name
	}
	for id := range org.Operators {
		v.Names[id] = operatorName(org, id)
	}
	for id, tg := range org.Tags {
		v.Names[id] = tg.Name
	}
	return v, nil
}

// localZone is this computer's IANA time zone name, UTC when unknown (Go
// names it "Local" unless TZ says otherwise).
func localZone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if name := time.Local.String(); name != "Local" && name != "" {
		return name
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			return target[i+len("zoneinfo/"):]
		}
	}
	return "UTC"
}
