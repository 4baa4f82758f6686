# gofmt, go vet and staticcheck on all Go code.
set -euo pipefail
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '^frontend/') 2>/dev/null || true)
if [ -n "$unformatted" ]; then
	echo "gofmt: these files need formatting:"; echo "$unformatted"; exit 1
fi
go vet ./...
go tool staticcheck ./...
