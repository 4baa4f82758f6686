package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"switchboard/server/store"
	"switchboard/server/store/pgtest"
	"switchboard/server/store/storetest"
)

func TestSQLiteContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (store.Store, func() store.Store) {
		path := filepath.Join(t.TempDir(), "switchboard.db")
		s, err := OpenSQLite(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s, func() store.Store {
			s2, err := OpenSQLite(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			return s2
		}
	})
}

func TestPostgresContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (store.Store, func() store.Store) {
		dsn := pgtest.Schema(t)
		s, err := OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s, func() store.Store {
			s2, err := OpenPostgres(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			return s2
		}
	})
}
