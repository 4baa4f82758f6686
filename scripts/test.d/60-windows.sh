# Windows, cross-built from Linux with mingw-w64:
#  1. the production desktop app (build/bin/switchboard.exe) and its NSIS
#     installer (build/bin/Switchboard-amd64-installer.exe), as a release
#     would make them;
#  2. go vet of the app's packages for Windows, so the Windows side of
#     every dependency (beeep's toasts, the keychain, WebView2) compiles;
#  3. the replica and sync client tests, compiled for Windows and run under
#     Wine in a throwaway prefix.
# Two gaps of Debian 12's Wine 8 are bridged for the tests only:
#  - Go binaries need ProcessPrng from bcryptprimitives.dll, which Wine 8
#    lacks: scripts/wine/processprng.c is built into one for the prefix;
#  - os.RemoveAll fails there, so those tests make temp dirs with tempDir
#    (t.TempDir elsewhere) instead of t.TempDir.
set -euo pipefail
export GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc
wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver

work=$(mktemp -d)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
# No Mono or Gecko prompts, and no windows on whatever display is around.
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
cleanup() {
	if [ -d "$WINEPREFIX" ]; then
		"$wineserver" -k 2>/dev/null || true
		"$wineserver" -w 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# 1. The app and its installer. The wails tool is built for this machine
# first: `go tool wails` would build it with the mingw compiler set above.
if [ ! -f frontend/dist/index.html ]; then
	(cd frontend && npx --no-install vite build --logLevel warn)
fi
GOOS= GOARCH= CC= go build -o "$work/wails" github.com/wailsapp/wails/v2/cmd/wails
# -s: the front end is built above; -m, -nosyncgomod: leave go.mod alone;
# -skipbindings: the UI calls the bound services through src/api/wails.ts.
if ! "$work/wails" build -platform windows/amd64 -nsis -s -m -nosyncgomod -skipbindings \
	-nocolour >"$work/wails.log" 2>&1; then
	cat "$work/wails.log" >&2
	exit 1
fi
for f in build/bin/switchboard.exe build/bin/Switchboard-amd64-installer.exe; do
	if [ "$(head -c 2 "$f" 2>/dev/null)" != "MZ" ]; then
		cat "$work/wails.log" >&2
		echo "windows: $f is missing or not a Windows executable" >&2
		exit 1
	fi
	echo "windows: built $f ($(du -h "$f" | cut -f1))"
done

# 2. The app's packages for Windows.
go vet -tags sqlite_fts5 . ./app/...

# 3. The replica and sync client tests under Wine.
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$work/bcryptprimitives.dll" \
	scripts/wine/processprng.c -ladvapi32
if ! "$wine" wineboot --init >"$work/wineboot.log" 2>&1; then
	cat "$work/wineboot.log" >&2
	exit 1
fi
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
# sqlite_fts5 (also in GOFLAGS from env.sh) builds FTS5 into mingw SQLite too.
go test -tags sqlite_fts5 -count=1 -exec "$wine" ./app/replica ./app/syncclient
