package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"switchboard/wire"
)

// DevClock is a clock that tests and demos move forward: the wall clock
// plus an offset. Only `switchboard-server --dev-clock` makes one, and only
// then does POST /api/v1/dev/clock exist; a production server never serves
// it. It never goes back, so change-log times stay in order.
type DevClock struct {
	offset atomic.Int64 // nanoseconds ahead of the wall clock
}

// Now is the moved time.
func (c *DevClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d (negative d is ignored) and returns
// the new time.
func (c *DevClock) Advance(d time.Duration) time.Time {
	if d > 0 {
		c.offset.Add(int64(d))
	}
	return c.Now()
}

// devClockRequest moves the clock: by a Go duration ("90m", "26h") or to a
// time (RFC 3339), whichever is given.
type devClockRequest struct {
	Advance string    `json:"advance,omitempty"`
	To      time.Time `json:"to,omitzero"`
}

// devClockAnswer is the server's time after the move.
type devClockAnswer struct {
	Now time.Time `json:"now"`
}

// getDevClock is GET /api/v1/dev/clock.
func (s *Server) getDevClock(w http.ResponseWriter, _ *http.Request, _ string) error {
	writeJSON(w, http.StatusOK, devClockAnswer{Now: s.cfg.DevClock.Now()})
	return nil
}

// moveDevClock is POST /api/v1/dev/clock: it moves the clock forward and
// runs the timers at once, so what came due (a snoozed dialog) happens now
// rather than at the next tick.
func (s *Server) moveDevClock(w http.ResponseWriter, r *http.Request, _ string) error {
	var req devClockRequest
	if err := decodeJSON(w, r, 4<<10, &req); err != nil {
		return err
	}
	c := s.cfg.DevClock
	var by time.Duration
	switch {
	case req.Advance != "" && !req.To.IsZero():
		return errorf(http.StatusUnprocessableEntity, "clock.ambiguous", "Give either advance or to, not both.")
	case req.Advance != "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil || d < 0 {
			return errorf(http.StatusUnprocessableEntity, "clock.bad_duration", "advance is a positive Go duration such as 90m or 26h.")
		}
		by = d
	case !req.To.IsZero():
		by = time.Until(req.To) - time.Duration(c.offset.Load())
		if by < 0 {
			return errorf(http.StatusUnprocessableEntity, "clock.backwards", "The clock only moves forward.")
		}
	default:
		return errorf(http.StatusUnprocessableEntity, "clock.no_move", "Give advance (a duration) or to (a time).")
	}
	now := c.Advance(by)
	if err := s.runTimers(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, devClockAnswer{Now: now})
	return nil
}

// runTimers runs the system's timed commands once: waking the snoozed
// dialogs whose time has come.
func (s *Server) runTimers(ctx context.Context) error {
	_, err := s.eng.submit(ctx, "", []wire.CommandEnvelope{{ID: "wake-" + NewID(), Type: "dialog.wake_due", Payload: json.RawMessage(`{}`)}})
	// A safety net for auto-assignment: whatever freed room without a
	// command of this instance (another instance's operator came online
	// before a line was switched on, say) is given out within a tick.
	s.eng.sweep(ctx)
	return err
}
