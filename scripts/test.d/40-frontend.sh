# Front end: type check, lint, production build (into frontend/dist, which
# the Go build embeds and the e2e step serves).
set -euo pipefail
cd frontend
npx --no-install tsc --noEmit
npx --no-install eslint src e2e
node scripts/i18n-keys.mjs
npx --no-install vite build --logLevel warn
