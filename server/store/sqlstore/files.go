package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"switchboard/inbox"
	"switchboard/server/store"
)

// chunkSize is how many bytes of a file one row holds: what one request
// keeps in memory while a file streams in or out.
const chunkSize = 1 << 20

var _ inbox.FileReader = (*tx)(nil)

// PutFile stages the bytes in chunks under a fresh key while hashing them,
// then names the file by its hash in one short transaction. A second upload
// of the same bytes finds the name taken and drops its chunks, so a file is
// stored once however often it is sent; two at once both end with one
// file. Each chunk is its own statement, so a large upload never holds the
// writer (SQLite's one connection) for long.
func (s *Store) PutFile(ctx context.Context, r io.Reader, max int64, uploader string) (store.File, error) {
	var kb [16]byte
	_, _ = rand.Read(kb[:])
	key := hex.EncodeToString(kb[:])
	now := time.Now()
	staged := 0
	drop := func() {
		if staged == 0 {
			return
		}
		// The request may be gone; the chunks still go.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = s.w.ExecContext(dctx, s.d.rebind(`DELETE FROM file_chunks WHERE blob_key = ?`), key)
	}
	h := sha256.New()
	buf := make([]byte, chunkSize)
	var size int64
	sniffed := ""
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			size += int64(n)
			if size > max {
				drop()
				return store.File{}, store.ErrTooLarge
			}
			if sniffed == "" {
				sniffed = http.DetectContentType(buf[:n])
			}
			h.Write(buf[:n])
			if _, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO file_chunks (blob_key, n, data, created_at) VALUES (?, ?, ?, ?)`),
				key, staged, buf[:n], now.UnixMilli()); err != nil {
				drop()
				return store.File{}, fmt.Errorf("store a file chunk: %w", err)
			}
			staged++
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			drop()
			return store.File{}, fmt.Errorf("read the file: %w", err)
		}
	}
	if sniffed == "" {
		sniffed = http.DetectContentType(nil)
	}
	f := store.File{ID: hex.EncodeToString(h.Sum(nil)), Size: size, Type: sniffed, CreatedAt: now.UTC().Truncate(time.Millisecond)}
	created := false
	err := s.fileTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO files (id, size, type, blob_key, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`), f.ID, f.Size, f.Type, key, now.UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		if uploader == "" {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO file_uploads (file_id, operator_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (file_id, operator_id) DO NOTHING`), f.ID, uploader, now.UnixMilli())
		return err
	})
	if err != nil {
		drop()
		return store.File{}, fmt.Errorf("record file %s: %w", f.ID, err)
	}
	if !created {
		drop() // stored before: keep the first copy
		return s.File(ctx, f.ID)
	}
	return f, nil
}

// fileTx runs fn in a transaction on the writer without the change-log
// lock: files are not part of the log.
func (s *Store) fileTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// File returns a stored file's record.
func (s *Store) File(ctx context.Context, id string) (store.File, error) {
	f, _, err := s.file(ctx, id)
	return f, err
}

func (s *Store) file(ctx context.Context, id string) (store.File, string, error) {
	var f store.File
	var key string
	var at int64
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT id, size, type, blob_key, created_at FROM files WHERE id = ?`), id).
		Scan(&f.ID, &f.Size, &f.Type, &key, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return store.File{}, "", fmt.Errorf("file %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.File{}, "", fmt.Errorf("read file %s: %w", id, err)
	}
	f.CreatedAt = time.UnixMilli(at).UTC()
	return f, key, nil
}

// OpenFile streams a file chunk by chunk.
func (s *Store) OpenFile(ctx context.Context, id string) (io.ReadCloser, error) {
	f, key, err := s.file(ctx, id)
	if err != nil {
		return nil, err
	}
	return &chunkReader{s: s, ctx: ctx, key: key, left: f.Size}, nil
}

// chunkReader reads a file's chunks in order, one query each.
type chunkReader struct {
	s    *Store
	ctx  context.Context
	key  string
	n    int    // the next chunk to read
	buf  []byte // what is left of the current chunk
	left int64  // bytes of the file not yet returned
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.buf) == 0 {
		if c.left <= 0 {
			return 0, io.EOF
		}
		err := c.s.r.QueryRowContext(c.ctx, c.s.d.rebind(`SELECT data FROM file_chunks WHERE blob_key = ? AND n = ?`), c.key, c.n).Scan(&c.buf)
		if err != nil {
			return 0, fmt.Errorf("read chunk %d of a file: %w", c.n, err)
		}
		if len(c.buf) == 0 {
			return 0, fmt.Errorf("chunk %d of a file is empty", c.n)
		}
		c.n++
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	c.left -= int64(n)
	return n, nil
}

func (c *chunkReader) Close() error { return nil }

// Uploaded reports whether operatorID uploaded the file.
func (s *Store) Uploaded(ctx context.Context, fileID, operatorID string) (bool, error) {
	var one int
	err := s.r.QueryRowContext(ctx, s.d.rebind(`SELECT 1 FROM file_uploads WHERE file_id = ? AND operator_id = ?`), fileID, operatorID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read uploads of %s: %w", fileID, err)
	}
	return true, nil
}

// FileMessages returns messages that carry the file, oldest first.
func (s *Store) FileMessages(ctx context.Context, fileID string, limit int) ([]*inbox.Message, error) {
	rows, err := s.r.QueryContext(ctx, s.d.rebind(`SELECT m.data FROM message_files f JOIN messages m ON m.id = f.message_id
		WHERE f.file_id = ? ORDER BY m.created_at, m.id LIMIT ?`), fileID, limit)
	if err != nil {
		return nil, fmt.Errorf("read messages of file %s: %w", fileID, err)
	}
	return scanMessages(rows)
}

// PurgeStaleUploads drops chunks that no file names, staged before before.
func (s *Store) PurgeStaleUploads(ctx context.Context, before time.Time) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind(`DELETE FROM file_chunks WHERE created_at < ?
		AND NOT EXISTS (SELECT 1 FROM files f WHERE f.blob_key = file_chunks.blob_key)`), before.UnixMilli())
	if err != nil {
		return fmt.Errorf("purge unfinished uploads: %w", err)
	}
	return nil
}

// UploadedFile is inbox.FileReader: the rules accept only files the
// author uploaded, at their stored size.
func (t *tx) UploadedFile(fileID, operatorID string) (int64, bool, error) {
	var size int64
	err := t.tx.QueryRowContext(t.ctx, t.s.d.rebind(`SELECT f.size FROM file_uploads u JOIN files f ON f.id = u.file_id
		WHERE u.file_id = ? AND u.operator_id = ?`), fileID, operatorID).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read upload of %s: %w", fileID, err)
	}
	return size, true, nil
}
