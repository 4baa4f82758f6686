// Package sqlstore implements store.Store on SQLite (mattn/go-sqlite3) and
// PostgreSQL (pgx). The two share the schema, the queries and the
// change-log rules; a dialect holds what differs.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"net"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3" // database/sql driver "sqlite3"

	"switchboard/inbox"
	"switchboard/server/store"
)

// Store is a store.Store over database/sql.
type Store struct {
	d dialect
	// w is the writer: on SQLite one connection beginning IMMEDIATE
	// transactions; on PostgreSQL the shared pool, serialised by lockSQL.
	w *sql.DB
	// r is the read pool (on PostgreSQL the same pool as w).
	r *sql.DB
	// ckpt checkpoints SQLite's WAL off the writer's path (nil on
	// PostgreSQL).
	ckpt *checkpointer
	// lockSQL serialises writers of every server instance (PostgreSQL).
	lockSQL string
	// notifyChannel and dsn let other instances hear about commits.
	notifyChannel string
	dsn           string

	// committedFns receive what each write logged (OnCommitted).
	committedFns []func(store.Committed)
	// id tells this store's NOTIFYs from other instances' (PostgreSQL).
	id string
	// trips counts what the pool sent to PostgreSQL (RoundTrips).
	trips *atomic.Int64

	// orgMu guards the cached org below.
	orgMu  sync.Mutex
	orgVer int64
	org    *inbox.Org
}

var _ store.Store = (*Store)(nil)

// OpenSQLite opens (creating it if needed) the SQLite database at path and
// brings its schema up to date.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite path %s: %w", path, err)
	}
	// busy_timeout comes first so that even setting WAL waits for a lock.
	base := "file:" + (&url.URL{Path: abs}).EscapedPath() +
		"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=on&_cache_size=-32000&_stmt_cache_size=64"
	ckpt, err := startCheckpointer(base)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	w := sql.OpenDB(newWriterConnector(base+"&_txlock=immediate", ckpt))
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite3", base+"&_query_only=1")
	if err != nil {
		_ = w.Close()
		_ = ckpt.close()
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	s := &Store{d: sqliteDialect, w: w, r: r, ckpt: ckpt}
	if err := migrate(ctx, w, s.d, ""); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("sqlite %s: %w", abs, err)
	}
	return s, nil
}

// OpenPostgres connects to PostgreSQL and brings the schema up to date. The
// DSN may name a schema with search_path=...; the advisory lock and the
// notification channel are per schema, so workspaces in different schemas
// never wait on each other.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	trips := new(atomic.Int64)
	cfg.DialFunc = countingDial(cfg.DialFunc, trips)
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(16)
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("switchboard/" + schema))
	key := int64(h.Sum64() >> 1)
	s := &Store{
		d: postgresDialect, w: db, r: db, dsn: dsn, id: uuid.NewString(), trips: trips,
		lockSQL:       fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", key),
		notifyChannel: "sb_changes_" + schema,
	}
	if err := migrate(ctx, db, s.d, s.lockSQL); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres schema %s: %w", schema, err)
	}
	return s, nil
}

// Close closes the pools.
func (s *Store) Close() error {
	if s.ckpt != nil {
		_ = s.ckpt.close()
	}
	err := s.w.Close()
	if s.r != s.w {
		if e := s.r.Close(); err == nil {
			err = e
		}
	}
	return err
}

// RawDB returns the writer pool. Benchmarks use it to measure the raw
// insert rate of the database beside the server's own.
func (s *Store) RawDB() *sql.DB { return s.w }

// RoundTrips is how many times the pool has sent to PostgreSQL so far:
// each send is a round trip the sender waits on (a pipeline is one), and
// each wakes a backend. Benchmarks and tests count it per write; SQLite
// has none (0). The LISTEN connections are not counted.
func (s *Store) RoundTrips() int64 {
	if s.trips == nil {
		return 0
	}
	return s.trips.Load()
}

// countingDial wraps dial so that every write on its connections counts
// in n. pgconn writes what it sends at once, a whole pipeline included, so
// a write is a send the client then waits on.
func countingDial(dial pgconn.DialFunc, n *atomic.Int64) pgconn.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, n: n}, nil
	}
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(b)
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }
