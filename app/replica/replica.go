package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"

	_ "github.com/mattn/go-sqlite3" // the "sqlite3" driver; built with -tags sqlite_fts5
)

// Replica is an open replica file. It is safe for concurrent use: writes go
// through the single writer connection one at a time, reads through the
// pool.
type Replica struct {
	path string
	w    *sql.DB // exactly one connection: SQLite allows one writer anyway
	r    *sql.DB // read-only pool
}

// Open opens (creating when missing) the replica at path and migrates it.
func Open(ctx context.Context, path string) (*Replica, error) {
	// busy_timeout comes first so that the pragmas after it wait rather
	// than fail while another connection holds the file.
	common := url.Values{}
	common.Set("_busy_timeout", "5000")
	common.Set("_journal_mode", "WAL")
	common.Set("_synchronous", "NORMAL")
	common.Set("_foreign_keys", "on")

	wq := url.Values{}
	for k, v := range common {
		wq[k] = v
	}
	// IMMEDIATE takes the write lock at BEGIN, so a write transaction never
	// fails half-way on a lock upgrade.
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite3", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open replica %s: %w", path, err)
	}

	rq := url.Values{}
	for k, v := range common {
		rq[k] = v
	}
	rq.Set("_query_only", "1")
	r, err := sql.Open("sqlite3", "file:"+path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open replica %s for reading: %w", path, err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	return &Replica{path: path, w: w, r: r}, nil
}

// Path is the file the replica lives in.
func (rp *Replica) Path() string { return rp.path }

// Close closes both connection pools.
func (rp *Replica) Close() error {
	return errors.Join(rp.r.Close(), rp.w.Close())
}

// write runs fn in one write transaction.
func (rp *Replica) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := rp.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// sqlError attaches the failing statement to err, so a log line says which
// query broke.
func sqlError(query string, err error) error {
	return fmt.Errorf("%w [sql: %s]", err, query)
}

// Meta keys.
const (
	metaLastSeq  = "last_seq"
	metaServer   = "server"
	metaOperator = "operator"
)

func getMeta(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string) (string, error) {
	const query = `SELECT value FROM meta WHERE key = ?`
	var v string
	err := q.QueryRowContext(ctx, query, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", sqlError(query, err)
	}
	return v, nil
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	const query = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`
	if _, err := tx.ExecContext(ctx, query, key, value); err != nil {
		return sqlError(query, err)
	}
	return nil
}

// Owner is whose data the replica holds: which server, which operator.
type Owner struct {
	Server     string
	OperatorID string
}

// Owner returns whose data the replica holds; zero for a fresh replica.
func (rp *Replica) Owner(ctx context.Context) (Owner, error) {
	s, err := getMeta(ctx, rp.w, metaServer)
	if err != nil {
		return Owner{}, err
	}
	o, err := getMeta(ctx, rp.w, metaOperator)
	return Owner{Server: s, OperatorID: o}, err
}

// SetOwner records whose data the replica holds.
func (rp *Replica) SetOwner(ctx context.Context, o Owner) error {
	return rp.write(ctx, func(tx *sql.Tx) error {
		if err := setMeta(ctx, tx, metaServer, o.Server); err != nil {
			return err
		}
		return setMeta(ctx, tx, metaOperator, o.OperatorID)
	})
}

// Wipe deletes every synced row, the outbox and the owner: what signing out
// leaves behind is an empty replica.
func (rp *Replica) Wipe(ctx context.Context) error {
	return rp.write(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"meta", "entities", "clients", "notes", "dialogs", "messages", "events", "messages_fts", "clients_fts", "outbox"} {
			q := "DELETE FROM " + t
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return sqlError(q, err)
			}
		}
		return nil
	})
}
