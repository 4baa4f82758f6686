# A short fuzz run of the command and sync decoders (the seed corpus is
# committed under testdata/fuzz and also runs in every plain go test).
set -euo pipefail
go test -run '^$' -fuzz '^FuzzDecodeCommand$' -fuzztime 15s ./inbox
go test -run '^$' -fuzz '^FuzzSyncRequests$' -fuzztime 10s ./server
