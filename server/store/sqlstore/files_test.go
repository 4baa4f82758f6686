package sqlstore

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard/server/store/pgtest"
)

// TestPurgeDropsTheChunksOfUploadsThatNeverFinished leaves chunks behind
// as a server killed mid-upload would, and purges them.
func TestPurgeDropsTheChunksOfUploadsThatNeverFinished(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var s *Store
			var err error
			if name == "sqlite" {
				s, err = OpenSQLite(ctx, filepath.Join(t.TempDir(), "sb.db"))
			} else {
				s, err = OpenPostgres(ctx, pgtest.Schema(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			kept, err := s.PutFile(ctx, strings.NewReader("kept"), 100, "op")
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			for i, at := range []time.Time{now.Add(-48 * time.Hour), now} {
				if _, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO file_chunks (blob_key, n, data, created_at) VALUES (?, 0, ?, ?)`),
					[]string{"dead-old", "dead-new"}[i], []byte("x"), at.UnixMilli()); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.PurgeStaleUploads(ctx, now.Add(-24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			rows, err := s.r.QueryContext(ctx, `SELECT blob_key FROM file_chunks ORDER BY blob_key`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var keys []string
			for rows.Next() {
				var k string
				_ = rows.Scan(&k)
				keys = append(keys, k)
			}
			_, keptKey, _ := s.file(ctx, kept.ID)
			want := []string{"dead-new", keptKey}
			slices.Sort(keys)
			slices.Sort(want)
			if !slices.Equal(keys, want) {
				t.Errorf("chunks after the purge = %v, want the stored file's and the one still young (dead-new)", keys)
			}
		})
	}
}
