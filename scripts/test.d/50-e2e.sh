# End-to-end UI tests: the real team server (demo workspace) and two dev
# builds of the desktop app under Xvfb, one per operator, driven through
# Debian's chromium with playwright-core. Needs frontend/dist (the
# 40-frontend step builds it; built here when missing).
set -euo pipefail
if [ ! -f frontend/dist/index.html ]; then
	(cd frontend && npx --no-install vite build --logLevel warn)
fi
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -tags dev,sqlite_fts5 -o "$bin_dir/switchboard-dev" .
go build -tags sqlite_fts5 -o "$bin_dir/switchboard-server" ./cmd/switchboard-server

# The website chat, packed and signed as a publisher ships it.
tool="$bin_dir/switchboard-plugin"
go build -o "$tool" ./cmd/switchboard-plugin
mkdir -p "$bin_dir/keys" "$bin_dir/webchat"
"$tool" keygen -dir "$bin_dir/keys" e2e >/dev/null
go build -o "$bin_dir/webchat/webchat" ./plugins/connectors/webchat
echo '{"id": "webchat", "name": "Website chat", "version": "1.0.0", "publisher": "e2e", "protocol_versions": [1]}' >"$bin_dir/webchat/plugin.json"
"$tool" pack -o "$bin_dir/webchat.tar.gz" "$bin_dir/webchat" >/dev/null
"$tool" sign -key "$bin_dir/keys/e2e.key" "$bin_dir/webchat.tar.gz" >/dev/null

cd frontend
APP_BIN="$bin_dir/switchboard-dev" SERVER_BIN="$bin_dir/switchboard-server" \
	PLUGIN_TOOL="$tool" WEBCHAT_PKG="$bin_dir/webchat.tar.gz" WEBCHAT_TRUSTED="$bin_dir/keys/e2e.pub" WEBCHAT_PUB="$bin_dir/keys/e2e.pub" \
	node --test --test-concurrency=1 ${E2E_FILES:-e2e/*.test.mjs}
