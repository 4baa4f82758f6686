// Package store is the team server's persistence: the Store contract, the
// change log that feeds sync, and the credentials and sessions of sign-in.
//
// Two implementations share one SQL core (package sqlstore): SQLite for the
// embedded default and PostgreSQL for the scale path. The contract suite in
// package storetest runs against both.
//
// Every write happens inside Store.Write, which serialises writers (SQLite:
// its one writer connection; PostgreSQL: a transaction-scoped advisory lock
// shared by every server instance), so change-log sequence numbers are handed
// out in commit order and a reader never sees seq N+1 before seq N.
package store

import (
	"context"
	"errors"
	"io"
	"time"

	"switchboard/inbox"
	"switchboard/wire"
)

// ErrNotFound is returned for rows that do not exist. It wraps
// inbox.ErrNotFound so domain code can test for either.
var ErrNotFound = inbox.ErrNotFound

// ErrConflict is returned when a unique value (an e-mail) is taken.
var ErrConflict = errors.New("already exists")

// Store is the team server's database.
type Store interface {
	// Write runs fn in one serialised read-write transaction. If fn returns
	// an error nothing it wrote is kept.
	Write(ctx context.Context, fn func(Tx) error) error
	// Org reads the workspace structure (cached; refreshed when it changes).
	Org(ctx context.Context) (*inbox.Org, error)
	// Pull returns up to limit changes after seq that the viewer may see.
	Pull(ctx context.Context, v Viewer, after int64, limit int) (Page, error)
	// ChangesAfter returns up to limit changes after seq, unfiltered, with
	// the scope the live hub filters them by.
	ChangesAfter(ctx context.Context, after int64, limit int) ([]Logged, error)
	// Head is the newest seq in the log.
	Head(ctx context.Context) (int64, error)
	// Dialog and Messages answer the API's direct reads.
	Dialog(ctx context.Context, id string) (*inbox.Dialog, error)
	Messages(ctx context.Context, dialogID string) ([]*inbox.Message, error)
	// Client reads one committed client (the export names the customer).
	Client(ctx context.Context, id string) (*inbox.Client, error)

	// Credential returns the operator id and password hash for an e-mail.
	Credential(ctx context.Context, email string) (operatorID, hash string, err error)
	// Session returns the operator a session token hash belongs to.
	Session(ctx context.Context, tokenHash string, now time.Time) (operatorID string, err error)
	CreateSession(ctx context.Context, tokenHash, operatorID string, expires time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error

	Hosting
	Presence
	Reports
	Secrets
	Files
	Signals

	// ContactDialog returns the newest dialog of the client who has the
	// contact externalID on channelID, or ErrNotFound.
	ContactDialog(ctx context.Context, channelID, externalID string) (*inbox.Dialog, error)

	// Listen calls fn whenever another server instance committed changes
	// (PostgreSQL LISTEN/NOTIFY); writes through this store are told by
	// OnCommitted instead. SQLite has one instance and returns at once.
	Listen(ctx context.Context, fn func(head int64)) error
	// OnCommitted registers fn to receive what each write through this
	// store added to the change log, right after it commits, so the live
	// hub need not read back what it was just handed. Call before writing;
	// fn must not block.
	OnCommitted(fn func(Committed))
	Close() error
}

// Signals carry what the server relays without keeping it (an operator's
// or a customer's typing, viewing) to the other server instances on the
// same database, over PostgreSQL NOTIFY. SQLite serves one instance, so
// there is nobody to tell.
type Signals interface {
	// Signal sends payload (at most MaxSignal bytes) to every instance
	// listening, this one included.
	Signal(ctx context.Context, payload []byte) error
	// ListenSignals calls fn with each payload signalled until ctx ends,
	// reconnecting after errors. SQLite returns at once.
	ListenSignals(ctx context.Context, fn func(payload []byte)) error
	// Shared says other instances may serve the same database, so a signal
	// may be answered by one of them.
	Shared() bool
}

// MaxSignal is the largest payload Signal sends (PostgreSQL's NOTIFY
// takes under 8000 bytes).
const MaxSignal = 7900

// Hosting is what the server needs to host connectors: channel settings
// (secrets, never in the change log), channel leases (each configured
// channel runs on exactly one host at a time) and the outbound queue (an
// operator's message waits there, written in the same transaction as the
// message, until its channel's host has handed it over).
type Hosting interface {
	// ChannelSettings returns a channel's connector settings, nil if none.
	ChannelSettings(ctx context.Context, channelID string) ([]byte, error)
	PutChannelSettings(ctx context.Context, channelID string, settings []byte) error
	// AcquireLease grants or renews the channel to holder until now+ttl;
	// false when another holder's lease has not expired.
	AcquireLease(ctx context.Context, channelID, holder string, now time.Time, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, channelID, holder string) error
	// LeaseHeld says whether some host holds the channel's lease at now.
	LeaseHeld(ctx context.Context, channelID string, now time.Time) (bool, error)
	// LeaseHolder names the host holding the channel's lease at now; ""
	// when none does.
	LeaseHolder(ctx context.Context, channelID string, now time.Time) (string, error)
	// Dispatch returns up to limit queued outbound messages of the
	// channels, oldest first: to send, or whose edit or delete to pass on.
	// Dispatched takes a message off the queue if its queued change is
	// still the one read (Outbound.Version).
	Dispatch(ctx context.Context, channelIDs []string, limit int) ([]Outbound, error)
	Dispatched(ctx context.Context, messageID string, version int64) error
	// Queued says whether the message is queued for the channel with that
	// change (Outbound.Version).
	Queued(ctx context.Context, channelID, messageID string, version int64) (bool, error)
}

// Presence is who is online. Each server instance records the operators
// with a live connection to it, valid until an expiry it renews by
// heartbeat, so every instance sees the operators online anywhere, and an
// instance that dies stops counting once its expiry passes.
type Presence interface {
	// SetPresence replaces the instance's online operators, valid until
	// expires (an empty list takes the instance off).
	SetPresence(ctx context.Context, instanceID string, operatorIDs []string, expires time.Time) error
	// Online returns the operators some instance reports online at now.
	Online(ctx context.Context, now time.Time) ([]string, error)
}

// Secrets are workspace settings that hold secrets (the SMTP password of
// the export by e-mail): like channel settings they never enter the change
// log, so no desktop replica ever holds them; only the server reads them.
type Secrets interface {
	// WorkspaceSecret returns the named settings document (JSON), nil if
	// none was saved.
	WorkspaceSecret(ctx context.Context, name string) ([]byte, error)
	PutWorkspaceSecret(ctx context.Context, name string, data []byte) error
}

// Files is the attachments' blob storage: files content-addressed by
// their SHA-256, kept in the database in chunks so every server instance
// on one PostgreSQL serves every file (instances stay stateless) and the
// embedded SQLite file backs up with its attachments.
type Files interface {
	// PutFile reads r to its end, at most max bytes (ErrTooLarge past
	// that, with nothing kept), stores the bytes under their SHA-256 and
	// records that uploader uploaded them ("" for a channel's file).
	// Storing the same bytes again stores nothing new.
	PutFile(ctx context.Context, r io.Reader, max int64, uploader string) (File, error)
	// File returns a stored file's record, ErrNotFound when none.
	File(ctx context.Context, id string) (File, error)
	// OpenFile streams a stored file's bytes, one chunk in memory at a time.
	OpenFile(ctx context.Context, id string) (io.ReadCloser, error)
	// Uploaded reports whether operatorID uploaded the file.
	Uploaded(ctx context.Context, fileID, operatorID string) (bool, error)
	// FileMessages returns up to limit messages that carry the file.
	FileMessages(ctx context.Context, fileID string, limit int) ([]*inbox.Message, error)
	// PurgeStaleUploads drops the chunks of uploads that never finished
	// and began before before.
	PurgeStaleUploads(ctx context.Context, before time.Time) error
}

// File is a stored file's record.
type File struct {
	ID   string `json:"id"` // the lower-case hex SHA-256 of its bytes
	Size int64  `json:"size"`
	// Type is sniffed from the first bytes (http.DetectContentType), not
	// taken from the uploader: it decides whether the file may be shown
	// inline as an image.
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"createdAt"`
}

// ErrTooLarge is returned by PutFile for more than max bytes.
var ErrTooLarge = errors.New("file too large")

// Reports are the aggregates of the supervisor's reports, computed in SQL.
type Reports interface {
	// DialogReport groups the dialogs created in [From, To) by operator,
	// line or channel; ErrBadReport for an unknown grouping.
	DialogReport(ctx context.Context, q ReportQuery) ([]wire.ReportRow, error)
	Analytics
}

// Analytics are the charted reports (wire.Analytics), each one SQL
// aggregate over the dialogs' metric columns, never over messages.
type Analytics interface {
	// Volume counts the dialogs per day and line or channel (q.By).
	Volume(ctx context.Context, q AnalyticsQuery) ([]wire.VolumeRow, error)
	// Percentiles ranks first response and resolution times, all together
	// and per line or channel (q.By).
	Percentiles(ctx context.Context, q AnalyticsQuery) ([]wire.PercentileRow, error)
	// CSAT sums the customers' ratings per day they were given.
	CSAT(ctx context.Context, q AnalyticsQuery) ([]wire.CSATRow, error)
	// OperatorLoad sums each assignee's dialogs.
	OperatorLoad(ctx context.Context, q AnalyticsQuery) ([]wire.OperatorLoadRow, error)
	// TagReport sums the dialogs of each tag.
	TagReport(ctx context.Context, q AnalyticsQuery) ([]wire.TagRow, error)
}

// AnalyticsQuery selects the dialogs of the Analytics reports: created in
// [From, To) (CSAT: rated then), optionally of one line, channel and
// operator; days are cut at midnight in Loc.
type AnalyticsQuery struct {
	From, To   time.Time
	Loc        *time.Location
	By         string // wire.ReportByLine or wire.ReportByChannel
	LineID     string
	ChannelID  string
	OperatorID string
}

// Day is one day of a report: [Lo, Hi) in unix ms.
type Day struct {
	Label  string
	Lo, Hi int64
}

// Days cuts [q.From, q.To) at midnights in q.Loc (UTC when nil); the first
// and last days may be partial. A DST day is 23 or 25 hours long.
func (q AnalyticsQuery) Days() []Day {
	loc := q.Loc
	if loc == nil {
		loc = time.UTC
	}
	var out []Day
	f := q.From.In(loc)
	y, m, d := f.Date()
	lo := q.From
	for lo.Before(q.To) {
		d++
		hi := time.Date(y, m, d, 0, 0, 0, 0, loc)
		if hi.After(q.To) {
			hi = q.To
		}
		out = append(out, Day{Label: lo.In(loc).Format("2006-01-02"), Lo: lo.UnixMilli(), Hi: hi.UnixMilli()})
		lo = hi
	}
	return out
}

// ErrBadReport is returned for a report the store cannot make.
var ErrBadReport = errors.New("unknown report grouping")

// ReportQuery selects a DialogReport.
type ReportQuery struct {
	From, To time.Time
	By       string // wire.ReportBy*
	LineID   string // "" for every line
}

// Outbound is a queued outbound message and the channel's id for its
// customer ("" if the client has no contact on the channel). The message
// is read as it is now: a message deleted or edited while queued is sent
// as it stands, or not at all.
type Outbound struct {
	Message *inbox.Message
	ChatID  string
	// ReplyToExternalID is the channel's id of the message this one
	// replies to, "" when none or the channel does not know it.
	ReplyToExternalID string
	// Version is the change the message was queued with
	// (inbox.ChangeVersion; 0: the message as first written).
	Version int64
}

// Tx is a write transaction. Besides its own writes it is the inbox.Reader
// a command executes against, so the rules see the writes of the commands
// before it in the same transaction.
type Tx interface {
	inbox.Reader
	// Apply persists a command's outcome and appends its changes to the log;
	// it returns the seq of the last change (0 if nothing changed).
	Apply(o *inbox.Outcome) (int64, error)
	// PutOrg stores one workspace-structure entity (kind is a wire kind:
	// workspace, operator, role, group, line, channel, tag) and logs it.
	PutOrg(kind wire.Kind, id string, v any) (int64, error)
	// SetCredential stores an operator's sign-in e-mail and password hash.
	SetCredential(operatorID, email, hash string) error
	// CommandResult returns the stored result of a command id, if any.
	CommandResult(id string) (*wire.CommandResult, error)
	SaveCommandResult(actorID string, r wire.CommandResult) error
	// NextDialogNumber hands out workspace-wide dialog numbers.
	NextDialogNumber() int64
	// NewID mints the id of an entity this write creates (a time-ordered
	// UUID); the store knows nothing is stored under it yet.
	NewID() string
	AutoAssignTx
}

// AutoAssignTx is what auto-assignment reads and writes inside a write
// transaction: the write lock every instance takes makes the counts it
// reads the truth until commit, so no operator goes past their capacity.
type AutoAssignTx interface {
	// AssignBoard reads a board for auto-assignment: the operators online
	// at now, the in-progress dialogs each operator holds (this write's own
	// changes included) and the auto-assignment history.
	AssignBoard(now time.Time) (*inbox.Board, error)
	// Waiting returns up to limit unassigned dialogs of the line, the
	// longest waiting first (inbox.WaitingOrder).
	Waiting(lineID string, limit int) ([]*inbox.Dialog, error)
	// RecordAutoAssigned stores that the line's n-th auto-assignment (of
	// the workspace) went to the operator (see inbox.Board.Record).
	RecordAutoAssigned(lineID, operatorID string, n int64) error
}

// Viewer is who is pulling: the operator and what it may see.
type Viewer struct {
	OperatorID string
	SeesAll    bool
	Lines      []string // the lines it works or supervises
}

// ViewerOf builds the Viewer of an operator from the org.
func ViewerOf(org *inbox.Org, operatorID string) Viewer {
	return Viewer{OperatorID: operatorID, SeesAll: org.SeesAll(operatorID), Lines: org.LinesOf(operatorID)}
}

// Page is one page of a pull.
type Page struct {
	Changes []wire.Change
	Next    int64 // the seq to pull after next time
	Head    int64
	More    bool
}

// Committed is what one write added to the change log: the log went from
// head From to head To. When Complete, Changes are the entries after From
// as ChangesAfter(From) would return them right then (in seq order, each
// entity once, at its newest); otherwise the write also moved entries it
// did not log (a dialog changing hands re-stamps its messages) and the
// log must be read.
type Committed struct {
	From, To int64
	Complete bool
	Changes  []Logged
	// Org, when set, is the workspace structure as of To, which the
	// store had at hand: whoever sends the changes need not read it.
	Org *inbox.Org
}

// Logged is a change with its scope: who may receive it.
type Logged struct {
	wire.Change
	// Everyone: workspace-wide entities (org, clients, tags, global
	// templates).
	Everyone bool
	// UserID, when set, limits the change to one operator (a personal
	// template, a private note, a removal because a dialog left its sight).
	UserID string
	// LineID and Members scope a dialog and its messages and log: operators
	// of the line, its assignee and participants, and those who see all.
	LineID  string
	Members []string
	// DialogID is the dialog a message or log entry belongs to.
	DialogID string
}

// Visible reports whether the viewer may receive the change. The SQL of
// Pull states the same rule.
func (l *Logged) Visible(v Viewer) bool {
	switch {
	case l.Everyone:
		return true
	case l.UserID != "":
		return l.UserID == v.OperatorID
	case l.LineID == "":
		return false
	case v.SeesAll:
		return true
	}
	for _, id := range v.Lines {
		if id == l.LineID {
			return true
		}
	}
	for _, id := range l.Members {
		if id == v.OperatorID {
			return true
		}
	}
	return false
}

// InboundRef names what an inbound message will look up: its own external
// id and its sender's contact on a channel.
type InboundRef struct {
	ChannelID         string
	MessageExternalID string
	ContactExternalID string
}

// Prefetcher is a Tx that can load, in a few queries, what a batch of
// inbound messages will look up one by one (implemented by sqlstore).
type Prefetcher interface {
	Prefetch(refs []InboundRef) error
}

// PrefetchWriter is a Store that can prefetch (as Prefetcher) at the start
// of a write, in the same round trip that opens it (implemented by
// sqlstore). fn then runs as in Write.
type PrefetchWriter interface {
	WritePrefetched(ctx context.Context, refs []InboundRef, fn func(Tx) error) error
}

// ErrWroteBetween ends a flight whose rules ran ahead when another
// writer committed between it and the write before: nothing was
// committed, and the batch is to be run again.
var ErrWroteBetween = errors.New("another writer committed in between")

// A Flight is a write whose commit has been sent and may not have
// finished (AheadWriter).
type Flight interface {
	// Done is closed once the commit has finished; Err then says how it
	// went (nil: committed).
	Done() <-chan struct{}
	Err() error
}

// A Speculation is the next write's rules run ahead, while the write
// before it commits (AheadWriter.Speculate). It holds a connection until
// it is handed to WriteAhead or discarded.
type Speculation interface {
	Discard()
}

// AheadWriter is a Store whose writes can overlap (sqlstore on
// PostgreSQL): WriteAhead returns once a write's commit is sent, and the
// next write's rules may run while it is under way. Writes still commit
// one after the other, each seeing the one before: the caller waits for a
// flight to finish before it starts the next write.
type AheadWriter interface {
	// WritesAhead reports whether writes overlap at all; if not, the
	// caller uses Write.
	WritesAhead() bool
	// Speculate runs fn for the write that will follow prev, on what the
	// database will hold once prev commits, while prev commits. It
	// returns nil when it cannot tell that (fn reads what refs' prefetch
	// does not answer, or what prev wrote): the write then runs fn itself.
	// fn may run more than once; only the run whose write commits counts.
	Speculate(ctx context.Context, prev Flight, refs []InboundRef, fn func(Tx) error) Speculation
	// WriteAhead runs fn (or takes spec's run of it, if prev committed
	// and nothing else wrote since) and sends the commit. An error means
	// nothing was committed. Call it only once the write before has
	// finished; spec may be nil.
	WriteAhead(ctx context.Context, spec Speculation, refs []InboundRef, fn func(Tx) error) (Flight, error)
}
