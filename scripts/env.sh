# Sourced by scripts: the environment every build and test shares.
# FTS5 is a compile-time option of mattn/go-sqlite3; every build needs it.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-tags=sqlite_fts5"
export CGO_ENABLED=1
# The PostgreSQL the store tests use; each test creates its own schema.
export SWITCHBOARD_TEST_POSTGRES="${SWITCHBOARD_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
# Start the machine's PostgreSQL if it is installed and stopped.
if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
	pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
