# Smoke test of the production desktop build: the binary an operator runs
# (front end embedded, no dev server) opens its window under Xvfb and draws
# the sign-in screen. Proof is a screenshot with enough distinct colours to
# be a rendered page, not a blank or black window; it is kept at
# $SMOKE_PNG (default /tmp/switchboard-smoke.png) for a human to look at.
set -euo pipefail
shot=${SMOKE_PNG:-/tmp/switchboard-smoke.png}
min_colours=64

if [ "${1:-}" != "--in-xvfb" ]; then
	(cd frontend && npx --no-install vite build --logLevel warn)
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	go build -tags desktop,production,sqlite_fts5 -o "$work/switchboard" .
	SMOKE_WORK="$work" xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" bash "$0" --in-xvfb
	exit
fi

# Inside Xvfb from here on.
work=$SMOKE_WORK
export SWITCHBOARD_DATA_DIR="$work/data" SWITCHBOARD_SERVER="http://127.0.0.1:18750"
# No session bus (no keychain) and no accessibility bus: the app must start
# without either.
export DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent NO_AT_BRIDGE=1
"$work/switchboard" >"$work/app.log" 2>&1 &
app=$!
stop_app() {
	kill "$app" 2>/dev/null || true
	wait "$app" 2>/dev/null || true
}
trap stop_app EXIT
fail() {
	echo "smoke: $*" >&2
	echo "smoke: the app's log:" >&2
	cat "$work/app.log" >&2
	exit 1
}

window=""
for _ in $(seq 1 150); do
	kill -0 "$app" 2>/dev/null || fail "the app exited before opening its window"
	window=$(xdotool search --name '^Switchboard$' 2>/dev/null | head -n1 || true)
	[ -n "$window" ] && break
	sleep 0.2
done
[ -n "$window" ] || fail "no window named Switchboard within 30 s"
echo "smoke: window $window is up"

# The page renders a moment after the window maps: take screenshots until
# one shows a drawn page.
colours=0
for _ in $(seq 1 60); do
	kill -0 "$app" 2>/dev/null || fail "the app exited after opening its window"
	import -window root "$shot"
	colours=$(convert "$shot" -format %k info:)
	[ "$colours" -gt "$min_colours" ] && break
	sleep 0.5
done
echo "smoke: screenshot $shot has $colours distinct colours"
[ "$colours" -gt "$min_colours" ] || fail "the window stayed blank ($colours colours, want more than $min_colours); see $shot"
echo "smoke: the production build draws its window"
