package inbox

import (
	"testing"
	"time"
)

func TestMetricsOf(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	tests := []struct {
		name string
		d    Dialog
		want Metrics
	}{
		{"a waiting dialog has no metrics yet", Dialog{CreatedAt: t0}, Metrics{}},
		{
			"taken after 5 minutes, answered after 7, closed after 30",
			Dialog{CreatedAt: t0, StartedAt: at(5), FirstAnswerAt: at(7), ClosedAt: at(30)},
			Metrics{FirstResponse: 7 * time.Minute, HasFirstResponse: true, TimeToStart: 5 * time.Minute, HasTimeToStart: true,
				Handling: 25 * time.Minute, HasHandling: true, Duration: 30 * time.Minute, HasDuration: true},
		},
		{
			"an outgoing dialog has no first response: nobody waited",
			Dialog{Outgoing: true, CreatedAt: t0, StartedAt: t0, FirstAnswerAt: t0, ClosedAt: at(10)},
			Metrics{TimeToStart: 0, HasTimeToStart: true, Handling: 10 * time.Minute, HasHandling: true, Duration: 10 * time.Minute, HasDuration: true},
		},
		{
			"closed unanswered (spam) has a duration but no first response or handling",
			Dialog{CreatedAt: t0, ClosedAt: at(2)},
			Metrics{Duration: 2 * time.Minute, HasDuration: true},
		},
		{
			"a clock going backwards leaves the span unset",
			Dialog{CreatedAt: at(10), FirstAnswerAt: at(9)},
			Metrics{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MetricsOf(&tt.d); got != tt.want {
				t.Errorf("MetricsOf() = %+v, want %+v", got, tt.want)
			}
		})
	}
}
