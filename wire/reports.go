package wire

// Analytics is GET /api/v1/reports/analytics?from=&to=&tz=&by=[&line=&channel=&operator=]:
// the supervisor's charted reports over the dialogs created in [from, to)
// (unix ms), days cut at midnight in tz (an IANA zone). Durations are
// milliseconds as inbox.MetricsOn counts them: on the line's business hours
// where it has them. Averages come as a sum and a count, so both databases
// give the same figures and a client may divide as it likes.
type Analytics struct {
	From     int64  `json:"from"`
	To       int64  `json:"to"`
	TimeZone string `json:"timeZone"`
	// By is the grouping of Volume and Percentiles: ReportByLine or
	// ReportByChannel.
	By string `json:"by"`
	// Days are the report's days ("2006-01-02" in TimeZone); the Day of a
	// row is an index into them.
	Days        []string          `json:"days"`
	Volume      []VolumeRow       `json:"volume"`
	Percentiles []PercentileRow   `json:"percentiles"`
	CSAT        []CSATRow         `json:"csat"`
	Operators   []OperatorLoadRow `json:"operators"`
	Tags        []TagRow          `json:"tags"`
}

// VolumeRow is the dialogs created on one day in one line or channel.
type VolumeRow struct {
	Day     int    `json:"day"`
	Key     string `json:"key"`
	Dialogs int64  `json:"dialogs"`
}

// PercentileRow holds the first response and resolution time percentiles
// of one line or channel; Key "" is all of them together. A percentile is
// the nearest rank: the ceil(p·n)-th smallest value. Resolution is the life
// of a closed dialog (spam has none).
type PercentileRow struct {
	Key      string `json:"key"`
	Answered int64  `json:"answered"`
	FrtP50Ms int64  `json:"frtP50Ms"`
	FrtP90Ms int64  `json:"frtP90Ms"`
	FrtP95Ms int64  `json:"frtP95Ms"`
	Resolved int64  `json:"resolved"`
	ResP50Ms int64  `json:"resP50Ms"`
	ResP90Ms int64  `json:"resP90Ms"`
	ResP95Ms int64  `json:"resP95Ms"`
}

// CSATRow is the customers' ratings given on one day (by when they rated).
type CSATRow struct {
	Day     int   `json:"day"`
	Ratings int64 `json:"ratings"`
	Sum     int64 `json:"sum"`  // of the 1–5 ratings
	Good    int64 `json:"good"` // rated 4 or 5
}

// OperatorLoadRow is one operator's dialogs (by assignee).
type OperatorLoadRow struct {
	Key             string `json:"key"`
	Dialogs         int64  `json:"dialogs"`
	Closed          int64  `json:"closed"`
	InProgress      int64  `json:"inProgress"`
	Answered        int64  `json:"answered"`
	FrtSumMs        int64  `json:"frtSumMs"`
	Responses       int64  `json:"responses"`
	ResponseTotalMs int64  `json:"responseTotalMs"`
	ResponseMaxMs   int64  `json:"responseMaxMs"`
	Ratings         int64  `json:"ratings"`
	RatingSum       int64  `json:"ratingSum"`
}

// TagRow is the dialogs carrying one tag.
type TagRow struct {
	Key             string `json:"key"`
	Dialogs         int64  `json:"dialogs"`
	Answered        int64  `json:"answered"`
	FrtSumMs        int64  `json:"frtSumMs"`
	Resolved        int64  `json:"resolved"`
	ResolutionSumMs int64  `json:"resolutionSumMs"`
}
