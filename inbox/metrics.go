package inbox

import "time"

// Metrics are a dialog's durations as the supervisor's table and the
// reports define them. Each is measured between two of the dialog's report
// timestamps and is unset (its Has* false) while the later one has not
// happened. The team server's report SQL and the replica's table SQL
// compute the same spans from the same timestamps; their tests hold them to
// this definition.
type Metrics struct {
	// FirstResponse is the client's wait for the first operator answer:
	// CreatedAt -> FirstAnswerAt. An outgoing dialog (started by an
	// operator) has none: nobody waited.
	FirstResponse    time.Duration
	HasFirstResponse bool
	// TimeToStart is CreatedAt -> StartedAt: how long until an operator
	// started work on it.
	TimeToStart    time.Duration
	HasTimeToStart bool
	// Handling is StartedAt -> ClosedAt: the operator's work on it.
	Handling    time.Duration
	HasHandling bool
	// Duration is CreatedAt -> ClosedAt: the dialog's whole life (the
	// resolution time of the reports).
	Duration    time.Duration
	HasDuration bool
	// Responses are the client's waits for an answer: each runs from the
	// first client message nobody on the team has answered to the next
	// operator answer (the dialog's first response among them), summed as
	// the messages arrive (Dialog.Responses).
	Responses     int
	ResponseTotal time.Duration
	ResponseMax   time.Duration
}

// ResponseAvg is the average response time; 0 without responses.
func (m Metrics) ResponseAvg() time.Duration {
	if m.Responses == 0 {
		return 0
	}
	return m.ResponseTotal / time.Duration(m.Responses)
}

// ResponseStats are a dialog's response times, accumulated as its messages
// are applied so that no report or table has to read messages. Business*
// are counted on the line's business hours at the time of the answer (the
// wall figures when the line has none).
type ResponseStats struct {
	Count           int   `json:"count,omitempty"`
	TotalMs         int64 `json:"totalMs,omitempty"`
	MaxMs           int64 `json:"maxMs,omitempty"`
	BusinessTotalMs int64 `json:"businessTotalMs,omitempty"`
	BusinessMaxMs   int64 `json:"businessMaxMs,omitempty"`
}

// clientWrote notes a client message at at: the first unanswered one
// starts a wait.
func clientWrote(d *Dialog, at time.Time) {
	if d.AwaitingSince.IsZero() {
		d.AwaitingSince = at
	}
}

// teamAnswered notes an operator's answer at at: it ends the client's wait,
// if one runs, and adds it to the dialog's response times, in wall time and
// on the schedule (the line's business hours; nil: around the clock).
func teamAnswered(d *Dialog, s *Schedule, at time.Time) {
	if d.AwaitingSince.IsZero() {
		return
	}
	wall := Elapsed(nil, d.AwaitingSince, at).Milliseconds()
	biz := Elapsed(s, d.AwaitingSince, at).Milliseconds()
	r := &d.Responses
	r.Count++
	r.TotalMs += wall
	r.MaxMs = max(r.MaxMs, wall)
	r.BusinessTotalMs += biz
	r.BusinessMaxMs = max(r.BusinessMaxMs, biz)
	d.AwaitingSince = time.Time{}
}

// span is to-from on s's clock when both are set and to is not before
// from.
func span(s *Schedule, from, to time.Time) (time.Duration, bool) {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return 0, false
	}
	return Elapsed(s, from, to), true
}

// MetricsOf computes d's metrics in wall time.
func MetricsOf(d *Dialog) Metrics { return MetricsOn(d, nil) }

// MetricsOn computes d's metrics counted on schedule s, the dialog's line's
// business hours (org.Hours); nil counts around the clock. The response
// times are the dialog's accumulated ones: the business figures when s is
// set.
func MetricsOn(d *Dialog, s *Schedule) Metrics {
	var m Metrics
	if !d.Outgoing {
		m.FirstResponse, m.HasFirstResponse = span(s, d.CreatedAt, d.FirstAnswerAt)
	}
	m.TimeToStart, m.HasTimeToStart = span(s, d.CreatedAt, d.StartedAt)
	m.Handling, m.HasHandling = span(s, d.StartedAt, d.ClosedAt)
	m.Duration, m.HasDuration = span(s, d.CreatedAt, d.ClosedAt)
	r := d.Responses
	m.Responses = r.Count
	m.ResponseTotal, m.ResponseMax = time.Duration(r.TotalMs)*time.Millisecond, time.Duration(r.MaxMs)*time.Millisecond
	if s != nil {
		m.ResponseTotal, m.ResponseMax = time.Duration(r.BusinessTotalMs)*time.Millisecond, time.Duration(r.BusinessMaxMs)*time.Millisecond
	}
	return m
}
