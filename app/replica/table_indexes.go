package replica

import (
	"context"
	"fmt"
	"sync"
)

// tableIndexes serve the supervisor's dialog table over 100k dialogs: an
// index per sortable column on exactly its expression in TableSorts, then
// the number, so the first window of any sort is an index walk, not a sort
// of every dialog; the sorts by a name walk line, channel or assignee by
// number; the client sort walks the clients by folded name.
// TestTableSortsWalkAnIndex checks the plans.
//
// They are not a migration: every dialog written pays for each of them
// (a replica fills about twice as slowly with them), and most people who
// sign in are operators who never open the table. EnsureTableIndexes
// builds them when the table is first needed, after the replica filled.
var tableIndexes = []string{
	`CREATE INDEX IF NOT EXISTS dialogs_t_number ON dialogs (number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_type ON dialogs (outgoing, number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_status ON dialogs (status, number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_detailed ON dialogs (json_extract(data, '$.detailed'), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_unread ON dialogs (coalesce(json_extract(data, '$.unread'), 0), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_client_rating ON dialogs (json_extract(data, '$.clientRating'), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_supervisor_rating ON dialogs (json_extract(data, '$.supervisorRating'), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_operator_rating ON dialogs (json_extract(data, '$.operatorRating'), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_created ON dialogs (created_ms, number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_queued ON dialogs (nullif(queued_at, 0), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_first_answer ON dialogs (nullif(first_answer_ms, 0), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_started ON dialogs (nullif(started_ms, 0), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_last_message ON dialogs (nullif(last_message_at, 0), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_closed ON dialogs (nullif(closed_at, 0), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_modified ON dialogs (modified_ms, number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_first_response ON dialogs ((CASE WHEN outgoing = 0 THEN CASE WHEN created_ms > 0 AND first_answer_ms >= created_ms THEN first_answer_ms - created_ms END END), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_time_to_start ON dialogs ((CASE WHEN created_ms > 0 AND started_ms >= created_ms THEN started_ms - created_ms END), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_handling ON dialogs ((CASE WHEN started_ms > 0 AND closed_at >= started_ms THEN closed_at - started_ms END), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_duration ON dialogs ((CASE WHEN created_ms > 0 AND closed_at >= created_ms THEN closed_at - created_ms END), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_response_total ON dialogs (json_extract(data, '$.responses.totalMs'), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_response_avg ON dialogs ((json_extract(data, '$.responses.totalMs') / json_extract(data, '$.responses.count')), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_response_max ON dialogs (json_extract(data, '$.responses.maxMs'), number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_line ON dialogs (line_id, number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_channel ON dialogs (channel_id, number)`,
	`CREATE INDEX IF NOT EXISTS dialogs_t_assignee ON dialogs (assignee_id, number)`,
	`CREATE INDEX IF NOT EXISTS clients_t_name ON clients (name_folded, id)`,
}

// TableIndexCount is how many indexes EnsureTableIndexes builds.
func TableIndexCount() int { return len(tableIndexes) }

// tableIndexOnce remembers, per replica, that its table indexes exist.
type tableIndexOnce struct {
	mu   sync.Mutex
	done bool
}

// EnsureTableIndexes builds the dialog table's indexes if they are missing
// (a few seconds over 100k dialogs, once per replica file). Safe to call
// from several goroutines: the others wait for the first.
func (rp *Replica) EnsureTableIndexes(ctx context.Context) error {
	rp.tableIdx.mu.Lock()
	defer rp.tableIdx.mu.Unlock()
	if rp.tableIdx.done {
		return nil
	}
	for _, q := range tableIndexes {
		if _, err := rp.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("build the dialog table's index: %w", err)
		}
	}
	rp.tableIdx.done = true
	rp.replanReads()
	return nil
}

// replanReads makes the reading connections plan with new indexes: they
// keep the schema they parsed, so the idle ones are dropped and every
// query plans with the new indexes at once (a busy one reparses when its
// next statement finds the schema changed).
func (rp *Replica) replanReads() {
	rp.r.SetMaxIdleConns(0)
	rp.r.SetMaxIdleConns(readIdle)
}
