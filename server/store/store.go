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

	// Credential returns the operator id and password hash for an e-mail.
	Credential(ctx context.Context, email string) (operatorID, hash string, err error)
	// Session returns the operator a session token hash belongs to.
	Session(ctx context.Context, tokenHash string, now time.Time) (operatorID string, err error)
	CreateSession(ctx context.Context, tokenHash, operatorID string, expires time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error

	// Listen calls fn whenever another server instance committed changes
	// (PostgreSQL LISTEN/NOTIFY). SQLite has one instance and returns at once.
	Listen(ctx context.Context, fn func(head int64)) error
	Close() error
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
