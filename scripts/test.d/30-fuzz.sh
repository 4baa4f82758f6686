# A short fuzz run of the command, sync and pull-page decoders (the seed corpus is
# committed under testdata/fuzz and also runs in every plain go test).
#
# The budgets are counts of executions, not durations: Go 1.26's fuzz
# coordinator can report a bare "context deadline exceeded" when a -fuzztime
# duration runs out while a starved worker is mid-call (go.dev/issue/75804,
# fixed in Go 1.27). A count has no wall-clock deadline to race, so a loaded
# machine only makes the run slower; a real finding still fails and writes
# its input under testdata/fuzz.
set -euo pipefail
go test -run '^$' -fuzz '^FuzzDecodeCommand$' -fuzztime 150000x ./inbox
go test -run '^$' -fuzz '^FuzzSyncRequests$' -fuzztime 15000x ./server
go test -run '^$' -fuzz '^FuzzDecodePullResponse$' -fuzztime 100000x ./wire
