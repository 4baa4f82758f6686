#!/bin/bash
# Memory of the desktop app (the production build) with an empty replica and
# with a filled one, each signed in (offline) and showing the inbox: RSS,
# peak and PSS of the app's process and of the WebKitGTK processes it spawns.
#
#   bench/appmemory/run.sh APP_BINARY FILLED_REPLICA
#
# APP_BINARY: go build -tags desktop,production,sqlite_fts5 (after the front
# end's vite build), as scripts/test.d/55-smoke.sh builds it. FILLED_REPLICA:
# e.g. go run ./bench/replica -dialogs 100000 -keep /tmp/filled.db (it is
# copied, not changed). Needs xvfb-run, xdotool, dbus-run-session and
# gnome-keyring (the session token lives in the Secret Service, as on a
# desktop).
set -euo pipefail
if [ "${1:-}" = "--in-session" ]; then
	app_bin=$2 dir=$3 label=$4
	# A keyring of its own, unlocked, in the run's directory.
	export XDG_DATA_HOME=$dir/xdg
	mkdir -p "$XDG_DATA_HOME"
	eval "$(echo -n appmemory | gnome-keyring-daemon --unlock --components=secrets)"
	server=http://127.0.0.1:9 # nobody listens: the app resumes offline
	"$SEED" "$dir/replica.db" "$server" op-me
	export SWITCHBOARD_DATA_DIR=$dir SWITCHBOARD_SERVER=$server NO_AT_BRIDGE=1
	"$app_bin" >"$dir/app.log" 2>&1 &
	app=$!
	for _ in $(seq 1 300); do
		xdotool search --name '^Switchboard$' >/dev/null 2>&1 && break
		sleep 0.2
	done
	sleep 30 # the inbox's first queries and the sync client's retries
	import -window root "$dir/screen.png" 2>/dev/null || true
	field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }
	pss() { awk '$1 == "Pss:" {print $2}' "/proc/$1/smaps_rollup"; }
	show() { echo "$label $2: RSS $(field "$1" VmRSS) kB (peak $(field "$1" VmHWM) kB), PSS $(pss "$1") kB"; }
	show "$app" "app"
	desc() { local p; for p in $(pgrep -P "$1"); do echo "$p"; desc "$p"; done; }
	for p in $(desc "$app"); do show "$p" "$(cat "/proc/$p/comm")"; done
	kill "$app"
	wait "$app" 2>/dev/null || true
	exit
fi
app_bin=$(realpath "$1") filled=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$(dirname "$0")/../.." && go build -tags sqlite_fts5 -o "$work/seed" ./bench/appmemory)
mkdir -p "$work/empty" "$work/filled"
cp "$filled" "$work/filled/replica.db"
for label in empty filled; do
	SEED="$work/seed" xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
		dbus-run-session -- bash "$0" --in-session "$app_bin" "$work/$label" "$label" 2>/dev/null
done
