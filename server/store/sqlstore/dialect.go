package sqlstore

import (
	"strconv"
	"strings"
)

// dialect is what differs between SQLite and PostgreSQL. Everything else —
// the schema, the queries, the change-log rules — is shared.
type dialect struct {
	name string
	// dollar: PostgreSQL numbers its placeholders ($1, $2...); queries are
	// written with ? and rebound.
	dollar bool
	// contains is the SQL function finding a substring: instr or strpos.
	contains string
	// arrays: PostgreSQL takes a Go slice as an array parameter, so a
	// statement over many rows sends one array per column (unnest)
	// instead of a parameter per value.
	arrays bool
}

var (
	sqliteDialect   = dialect{name: "sqlite", contains: "instr"}
	postgresDialect = dialect{name: "postgres", dollar: true, contains: "strpos", arrays: true}
)

// rebind turns ? placeholders into the dialect's form. Queries hold no
// literal question marks.
func (d dialect) rebind(q string) string {
	if !d.dollar {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
