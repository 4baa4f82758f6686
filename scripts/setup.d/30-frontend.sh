# Front-end packages, exactly as package-lock.json pins them. Skipped when
# node_modules already matches the lock file, so a second run is instant.
# playwright-core downloads no browser: the e2e tests drive Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/../../frontend"
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt package.json ]; then
	exit 0
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
