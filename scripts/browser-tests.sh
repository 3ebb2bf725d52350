#!/usr/bin/env bash
# Browser journeys of the web UI (Tests/Browser/journeys.py) against a real server:
# starts `stockcast serve` on a fresh temporary data directory (sample data) and a free port, waits for /ready and
# the sample datasets, runs the journeys in headless Debian Chromium, stops the server. Exit status 0 = all passed.
#
#   scripts/browser-tests.sh [--screenshots] [--binary PATH] [--bundled] [-k NAME]
#
#   --screenshots  also save each page to docs/screenshots/<page>.png (1280x800, plus a phone-width one)
#   --binary PATH  the stockcast binary (default: $STOCKCAST_BIN, else .build/debug/stockcast, else .build/release/stockcast)
#   --bundled      serve the UI bundled in the binary instead of Sources/App/Resources/Web (the default, so UI edits
#                  are tested without a rebuild)
#   -k NAME        run only the journeys whose name contains NAME
# Needs: chromium, chromium-driver (Debian) and selenium (pip).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCREENSHOTS=""
BINARY="${STOCKCAST_BIN:-}"
BUNDLED=0
PATTERN=""
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshots) SCREENSHOTS="$ROOT/docs/screenshots" ;;
    --binary) BINARY="$2"; shift ;;
    --bundled) BUNDLED=1 ;;
    -k) PATTERN="$2"; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "browser-tests: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "browser-tests: $*" >&2; exit 1; }

if [ -z "$BINARY" ]; then
  for candidate in "$ROOT/.build/debug/stockcast" "$ROOT/.build/release/stockcast"; do
    if [ -x "$candidate" ]; then BINARY="$candidate"; break; fi
  done
fi
[ -n "$BINARY" ] && [ -x "$BINARY" ] || fail "no stockcast binary: build it (swift build) or pass --binary PATH"
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || fail "chromium is missing: apt-get install chromium chromium-driver"
command -v "${CHROMEDRIVER:-/usr/bin/chromedriver}" >/dev/null || fail "chromedriver is missing: apt-get install chromium-driver"
python3 -c 'import selenium' 2>/dev/null || fail "selenium is missing: pip install selenium"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stockcast-browser.XXXXXX")"
cleanup() {
  status=$?
  if [ -x "$WORK/server-ctl" ] && [ -f "$WORK/server.pid" ]; then "$WORK/server-ctl" stop || true; fi
  if [ "$status" -ne 0 ] && [ -f "$WORK/server.log" ]; then
    echo "--- last lines of the server log ($WORK/server.log) ---" >&2
    tail -n 30 "$WORK/server.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT INT TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
WEB_ROOT=""
[ "$BUNDLED" -eq 1 ] || WEB_ROOT="$ROOT/Sources/App/Resources/Web"

echo "browser-tests: $BINARY on $BASE (data in $WORK/data, UI from ${WEB_ROOT:-the bundle in the binary})"
# server-ctl start|stop: the reconnect journey stops the server and starts it again on the same port and data.
cat >"$WORK/server-ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\$1" in
  start)
    cd "$WORK"
    SWIFT_BACKTRACE=enable=no STOCKCAST_HTTP_WEB_ROOT="$WEB_ROOT" STOCKCAST_ETL_SCHEDULE_ENABLED=false \\
      STOCKCAST_METRICS_PUBLISH_INTERVAL_SECONDS=1 STOCKCAST_LOG_LEVEL=warning \\
      "$BINARY" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" >>"$WORK/server.log" 2>&1 &
    echo \$! >"$WORK/server.pid" ;;
  stop)
    pid="\$(cat "$WORK/server.pid")"
    kill "\$pid" 2>/dev/null || exit 0
    for _ in \$(seq 1 100); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "\$pid" 2>/dev/null || true ;;
  *) echo "usage: server-ctl start|stop" >&2; exit 2 ;;
esac
CTL
chmod +x "$WORK/server-ctl"
"$WORK/server-ctl" start
server_pid() { cat "$WORK/server.pid"; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds="$1" what="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$(server_pid)" 2>/dev/null || fail "the server exited while waiting for $what"
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.3
  done
}
datasets_ready() {
  curl -fsS "$BASE/api/datasets" | python3 -c '
import json, sys
rows = {r["ticker"] for r in json.load(sys.stdin)}
sys.exit(0 if {"GOOG", "^GSPC"} <= rows else 1)'
}
wait_for 120 "$BASE/ready" curl -fsS "$BASE/ready"
wait_for 120 "the sample datasets GOOG and ^GSPC" datasets_ready
[ -s "$WORK/data/admin.key" ] || fail "no admin key in $WORK/data/admin.key"
curl -fsS "$BASE/" -o "$WORK/index.html" && grep -q 'js/main.js' "$WORK/index.html" || fail "$BASE/ does not serve the web UI"

ARGS=(--base-url "$BASE" --key-file "$WORK/data/admin.key" --server-ctl "$WORK/server-ctl")
[ -n "$SCREENSHOTS" ] && ARGS+=(--screenshots "$SCREENSHOTS")
[ -n "$PATTERN" ] && ARGS+=(-k "$PATTERN")
python3 "$ROOT/Tests/Browser/journeys.py" "${ARGS[@]}"
