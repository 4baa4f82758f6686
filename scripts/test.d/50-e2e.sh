# End-to-end UI tests: the dev build of the desktop app under Xvfb, driven
# through Debian's chromium with playwright-core. Needs frontend/dist (the
# 40-frontend step builds it; built here when missing).
set -euo pipefail
if [ ! -f frontend/dist/index.html ]; then
	(cd frontend && npx --no-install vite build --logLevel warn)
fi
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -tags dev,sqlite_fts5 -o "$bin_dir/switchboard-dev" .
cd frontend
APP_BIN="$bin_dir/switchboard-dev" node --test --test-concurrency=1 e2e/app.test.mjs
