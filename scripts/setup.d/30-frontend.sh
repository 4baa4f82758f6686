# Front-end packages, as package-lock.json pins them. Skipped when
# node_modules already matches the lock file, so a second run is instant.
# playwright-core downloads no browser: the e2e tests drive Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/../../frontend"
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ "$stamp" -nt package.json ]; then
	exit 0
fi
# `npm install --no-save` rather than `npm ci`: npm 11 writes lock files
# without the other platforms' optional packages (rollup's native builds)
# and then its own `npm ci` refuses them as out of sync. --no-save installs
# the locked versions and never rewrites the lock.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-save --no-audit --no-fund --loglevel=error
