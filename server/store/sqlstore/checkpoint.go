package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// SQLite's WAL is copied back into the database file by a checkpoint. By
// default the connection whose commit grows the WAL past 1,000 pages runs
// it, inside that commit: it copies the pages and syncs both files, so
// every thousandth page or so one command waits milliseconds longer (the
// live feed's p99). The writer here never checkpoints; a connection of its
// own does, in the background, a moment after commits. It is the same
// PASSIVE checkpoint SQLite would run (it never waits for readers or the
// writer), so the WAL stays as short as before; journal_size_limit trims
// the file after a long burst.

// writerConnector opens the writer's connection: no automatic checkpoint,
// and every commit (through Write or not) tells the checkpointer.
type writerConnector struct {
	dsn  string
	drv  *sqlite3.SQLiteDriver
	ckpt *checkpointer
}

func newWriterConnector(dsn string, ckpt *checkpointer) *writerConnector {
	wc := &writerConnector{dsn: dsn, ckpt: ckpt}
	wc.drv = &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		if _, err := c.Exec(`PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864`, nil); err != nil {
			return err
		}
		c.RegisterCommitHook(func() int {
			ckpt.committed()
			return 0 // 0: let the commit go on
		})
		return nil
	}}
	return wc
}

func (wc *writerConnector) Connect(context.Context) (driver.Conn, error) { return wc.drv.Open(wc.dsn) }
func (wc *writerConnector) Driver() driver.Driver                        { return wc.drv }

// checkpointEvery is how long after a commit the checkpointer runs; the
// commits of that moment share one checkpoint (and one sync of each file).
const checkpointEvery = 100 * time.Millisecond

// checkpointer checkpoints the WAL of an SQLite store after commits.
type checkpointer struct {
	db    *sql.DB
	dirty atomic.Bool
	wake  chan struct{}
	stop  chan struct{}
	done  sync.WaitGroup
	// runs counts the checkpoints made (tests read it).
	runs atomic.Int64
}

func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open the checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	c := &checkpointer{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c, nil
}

// committed notes a commit: a checkpoint follows shortly. It runs inside
// the commit (the writer's commit hook), so it only flags and wakes.
func (c *checkpointer) committed() {
	c.dirty.Store(true)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer c.done.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
		}
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
		if c.dirty.Swap(false) {
			// PASSIVE never blocks; if readers hold old pages it copies
			// what it can and the next commit's checkpoint does the rest.
			if _, err := c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`); err == nil {
				c.runs.Add(1)
			}
		}
	}
}

// close stops the checkpointer; the last connection to close checkpoints
// what is left.
func (c *checkpointer) close() error {
	close(c.stop)
	c.done.Wait()
	return c.db.Close()
}
