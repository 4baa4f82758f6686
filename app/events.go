package app

import (
	"sync"
	"time"
)

// Event names, read as domain:action. frontend/src/api/events.ts mirrors
// them with their payload types.
const (
	EventInboxChanged    = "inbox:changed"    // InboxChanged
	EventSessionState    = "session:state"    // SessionState
	EventSyncProgress    = "sync:progress"    // SyncProgress
	EventCommandRejected = "command:rejected" // CommandRejected
	EventDialogActivity  = "dialog:activity"  // DialogActivity: who else types in or views a dialog
	EventNoticesChanged  = "notices:changed"  // NoticesChanged: the notification centre changed
	// EventTemplatesChanged: a quick reply was saved or deleted, here or
	// by the server (no payload; the picker reads the list again).
	EventTemplatesChanged = "templates:changed"
)

// InboxChanged tells the UI which dialogs to re-read. Org is true when
// names, lines or presence changed, which touches every row.
type InboxChanged struct {
	DialogIDs []string `json:"dialogIds"`
	Org       bool     `json:"org"`
	// Clients is true when a client, a note or a task changed: the open
	// client card and the Important tab read again.
	Clients bool `json:"clients"`
}

// SyncProgress is the bootstrap's progress.
type SyncProgress struct {
	Done  int64 `json:"done"`
	Total int64 `json:"total"`
}

// CommandRejected tells the operator the server refused an action, and
// why; the optimistic change was rolled back.
type CommandRejected struct {
	CommandID string            `json:"commandId"`
	DialogID  string            `json:"dialogId"`
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Args      map[string]string `json:"args,omitempty"`
}

// emitFunc sends one event to the UI.
type emitFunc func(name string, data any)

// batcher coalesces inbox changes: a bootstrap applies thousands of
// changes a second, and the UI re-reads once per burst instead of once per
// change. It flushes when maxIDs dialogs are waiting or delay after the
// first change of a burst, whichever comes first.
type batcher struct {
	emit   emitFunc
	maxIDs int
	delay  time.Duration

	// mu guards the fields below.
	mu      sync.Mutex
	ids     map[string]bool
	order   []string
	org     bool
	clients bool
	timer   *time.Timer
}

func newBatcher(emit emitFunc, maxIDs int, delay time.Duration) *batcher {
	return &batcher{emit: emit, maxIDs: maxIDs, delay: delay, ids: map[string]bool{}}
}

// add queues dialog ids (and an org change) for the next flush.
func (b *batcher) add(dialogIDs []string, org bool) {
	b.mu.Lock()
	for _, id := range dialogIDs {
		if !b.ids[id] {
			b.ids[id] = true
			b.order = append(b.order, id)
		}
	}
	b.org = b.org || org
	full := len(b.order) >= b.maxIDs
	empty := len(b.order) == 0 && !b.org
	if !full && !empty && b.timer == nil {
		b.timer = time.AfterFunc(b.delay, b.flush)
	}
	b.mu.Unlock()
	if full {
		b.flush()
	}
}

// addClients queues a client card change for the next flush.
func (b *batcher) addClients() {
	b.mu.Lock()
	b.clients = true
	if b.timer == nil {
		b.timer = time.AfterFunc(b.delay, b.flush)
	}
	b.mu.Unlock()
}

// flush emits what is queued, if anything.
func (b *batcher) flush() {
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	ev := InboxChanged{DialogIDs: b.order, Org: b.org, Clients: b.clients}
	b.ids, b.order, b.org, b.clients = map[string]bool{}, nil, false, false
	b.mu.Unlock()
	if len(ev.DialogIDs) > 0 || ev.Org || ev.Clients {
		if ev.DialogIDs == nil {
			ev.DialogIDs = []string{}
		}
		b.emit(EventInboxChanged, ev)
	}
}
