package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"switchboard/app/replica"
	"switchboard/inbox"
)

// TableColumns lists every column of the supervisor's dialog table in its
// default order. Sortable ones are the keys of replica.TableSorts.
var TableColumns = []string{
	"number", "client", "line", "channel", "operator", "status", "detailed", "type", "unread",
	"created", "queued", "firstAnswer", "started", "lastMessage", "closed", "modified",
	"firstResponse", "timeToStart", "handling", "duration", "responseTotal", "responseAvg", "responseMax",
	"clientRating", "supervisorRating", "supervisorComment", "tags", "operatorRating",
}

// defaultTableColumns are shown until the supervisor chooses.
var defaultTableColumns = []string{"number", "client", "line", "channel", "operator", "status", "created", "firstResponse", "lastMessage"}

// TableSettings are the supervisor's choices for the dialog table, kept in
// the data dir so they survive a restart and signing out.
type TableSettings struct {
	// Columns are the shown columns, in the order shown.
	Columns []string `json:"columns"`
	Sort    string   `json:"sort"`
	Desc    bool     `json:"desc"`
}

const tableSettingsFile = "supervisor-table.json"

func defaultTableSettings() TableSettings {
	return TableSettings{Columns: slices.Clone(defaultTableColumns), Sort: "number", Desc: true}
}

// valid checks the settings name only known columns, each once, and a
// sortable sort.
func (s TableSettings) valid() error {
	if len(s.Columns) == 0 {
		return errors.New("choose at least one column")
	}
	seen := map[string]bool{}
	for _, c := range s.Columns {
		if !slices.Contains(TableColumns, c) || seen[c] {
			return fmt.Errorf("column %q is unknown or shown twice", c)
		}
		seen[c] = true
	}
	if _, ok := replica.TableSorts[s.Sort]; !ok {
		return fmt.Errorf("column %q cannot be sorted", s.Sort)
	}
	return nil
}

func loadTableSettings(dir string) (TableSettings, error) {
	b, err := os.ReadFile(filepath.Join(dir, tableSettingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return defaultTableSettings(), nil
	}
	if err != nil {
		return defaultTableSettings(), fmt.Errorf("read table settings: %w", err)
	}
	var s TableSettings
	if err := json.Unmarshal(b, &s); err != nil || s.valid() != nil {
		// A file from a newer build or a broken one: start from defaults.
		return defaultTableSettings(), nil
	}
	return s, nil
}

func saveTableSettings(dir string, s TableSettings) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode table settings: %w", err)
	}
	path := filepath.Join(dir, tableSettingsFile)
	if err := os.WriteFile(path+".tmp", b, 0o600); err != nil {
		return fmt.Errorf("save table settings: %w", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("save table settings: %w", err)
	}
	return nil
}

// TableRequest is one window of the table as the UI asks for it.
type TableRequest struct {
	LineID      string `json:"lineId"`
	OperatorID  string `json:"operatorId"` // "-" for nobody
	Status      string `json:"status"`
	ChannelID   string `json:"channelId"`
	CreatedFrom int64  `json:"createdFrom"` // unix ms, 0 = open
	CreatedTo   int64  `json:"createdTo"`
	Query       string `json:"query"`
	Sort        string `json:"sort"`
	Desc        bool   `json:"desc"`
	// Filters narrow on any column (replica.TableFilterKind says how).
	Filters []replica.ColumnFilter `json:"filters"`
	Offset  int                    `json:"offset"`
	Limit   int                    `json:"limit"`
}

// TableRow is one dialog in the table: every column's value, names
// resolved, times and durations in ms (0 = none; durations -1 = not yet).
type TableRow struct {
	ID                string   `json:"id"`
	Number            int64    `json:"number"`
	ClientName        string   `json:"clientName"`
	ClientID          string   `json:"clientId"`
	LineName          string   `json:"lineName"`
	ChannelName       string   `json:"channelName"`
	ChannelKind       string   `json:"channelKind"`
	OperatorName      string   `json:"operatorName"`
	Status            string   `json:"status"`
	Detailed          string   `json:"detailed"`
	Outgoing          bool     `json:"outgoing"`
	Unread            int      `json:"unread"`
	Created           int64    `json:"created"`
	Queued            int64    `json:"queued"`
	FirstAnswer       int64    `json:"firstAnswer"`
	Started           int64    `json:"started"`
	LastMessage       int64    `json:"lastMessage"`
	Closed            int64    `json:"closed"`
	Modified          int64    `json:"modified"`
	FirstResponse     int64    `json:"firstResponse"`
	TimeToStart       int64    `json:"timeToStart"`
	Handling          int64    `json:"handling"`
	Duration          int64    `json:"duration"`
	ResponseTotal     int64    `json:"responseTotal"` // response times: -1 before the first answer
	ResponseAvg       int64    `json:"responseAvg"`
	ResponseMax       int64    `json:"responseMax"`
	ClientRating      int      `json:"clientRating"`
	SupervisorRating  int      `json:"supervisorRating"`
	SupervisorComment string   `json:"supervisorComment"`
	OperatorRating    int      `json:"operatorRating"` // the operator's rating of the client
	Tags              []string `json:"tags"`
}

// TablePage is a window of the table.
type TablePage struct {
	Rows   []TableRow `json:"rows"`
	Offset int        `json:"offset"`
	Total  int        `json:"total"`
}

func msOrNone(d int64, ok bool) int64 {
	if !ok {
		return -1
	}
	return d
}

// tableRow builds a row; the durations are inbox.MetricsOn's, on the
// line's business hours where it has them, as the reports count them.
func tableRow(org *inbox.Org, it replica.TableItem) TableRow {
	d := &it.Dialog
	m := inbox.MetricsOn(d, org.Hours(d.LineID))
	r := TableRow{
		ID: d.ID, Number: d.Number, ClientName: it.ClientName, ClientID: d.ClientID, Status: string(d.Status), Detailed: string(d.Detailed),
		Outgoing: d.Outgoing, Unread: d.Unread, Created: ms(d.CreatedAt), Queued: ms(d.QueuedAt),
		FirstAnswer: ms(d.FirstAnswerAt), Started: ms(d.StartedAt), LastMessage: ms(d.LastMessageAt),
		Closed: ms(d.ClosedAt), Modified: ms(d.ModifiedAt),
		FirstResponse: msOrNone(m.FirstResponse.Milliseconds(), m.HasFirstResponse),
		TimeToStart:   msOrNone(m.TimeToStart.Milliseconds(), m.HasTimeToStart),
		Handling:      msOrNone(m.Handling.Milliseconds(), m.HasHandling),
		Duration:      msOrNone(m.Duration.Milliseconds(), m.HasDuration),
		ResponseTotal: msOrNone(m.ResponseTotal.Milliseconds(), m.Responses > 0),
		ResponseAvg:   msOrNone(m.ResponseAvg().Milliseconds(), m.Responses > 0),
		ResponseMax:   msOrNone(m.ResponseMax.Milliseconds(), m.Responses > 0),
		ClientRating:  d.ClientRating, SupervisorRating: d.SupervisorRating, SupervisorComment: d.SupervisorComment,
		OperatorRating: d.OperatorRating,
		Tags:           []string{},
	}
	if l := org.Lines[d.LineID]; l != nil {
		r.LineName = l.Name
	}
	if ch := org.Channels[d.ChannelID]; ch != nil {
		r.ChannelName, r.ChannelKind = ch.Name, string(ch.Kind)
	}
	if d.AssigneeID != "" {
		r.OperatorName = operatorName(org, d.AssigneeID)
	}
	for _, id := range d.Tags {
		if tg := org.Tags[id]; tg != nil {
			r.Tags = append(r.Tags, tg.Name)
		} else {
			r.Tags = append(r.Tags, id)
		}
	}
	return r
}

func (q TableRequest) query() replica.TableQuery {
	return replica.TableQuery{
		LineID: q.LineID, OperatorID: q.OperatorID, Status: q.Status, ChannelID: q.ChannelID,
		CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo, Query: q.Query, Sort: q.Sort, Desc: q.Desc,
		Filters: q.Filters, Offset: q.Offset, Limit: q.Limit,
	}
}

// QueryTable answers Supervisor.Table from a replica: exported so that
// bench/console times the very function the binding runs.
func QueryTable(ctx context.Context, rp *replica.Replica, org *inbox.Org, q TableRequest) (TablePage, error) {
	items, total, err := rp.TableDialogs(ctx, q.query())
	if err != nil {
		return TablePage{}, tableError(err)
	}
	page := TablePage{Rows: make([]TableRow, 0, len(items)), Offset: q.Offset, Total: total}
	for _, it := range items {
		page.Rows = append(page.Rows, tableRow(org, it))
	}
	return page, nil
}

// tableError passes a query naming what the table lacks as bad input.
func tableError(err error) error {
	if errors.Is(err, replica.ErrBadQuery) {
		return uiError(CodeBadInput, err.Error(), err)
	}
	return toUI(err)
}
