#!/usr/bin/env bash
# Browser journeys of the web UI (Tests/Browser/journeys.py) against real servers:
# starts `stockcast serve` twice on fresh temporary data directories (sample data) and free ports - one as configured
# by default, one with auth.read_requires_key=true - waits for /ready and the sample datasets, runs the journeys in
# headless Debian Chromium, stops the servers. Exit status 0 = every journey passed.
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
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
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
  for ctl in "$WORK"/*-ctl; do
    [ -x "$ctl" ] && "$ctl" stop || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "$WORK"/*.log; do
      [ -f "$log" ] || continue
      echo "--- last lines of $(basename "$log") ---" >&2
      tail -n 30 "$log" >&2 || true
    done
  fi
  if [ -n "${STOCKCAST_TEST_LOG_DIR:-}" ]; then  # for the key grep of `make test`
    mkdir -p "$STOCKCAST_TEST_LOG_DIR"
    for log in "$WORK"/*.log; do [ -f "$log" ] && cp "$log" "$STOCKCAST_TEST_LOG_DIR/browser-$(basename "$log")"; done
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
WEB_ROOT=""
[ "$BUNDLED" -eq 1 ] || WEB_ROOT="$ROOT/Sources/App/Resources/Web"

# make_server NAME PORT [ENV=VALUE...]: writes $WORK/NAME-ctl, a start|stop command for one server on its own data
# directory (the reconnect journey uses it to stop the server and start it again on the same port and data).
make_server() {
  local name="$1" port="$2"; shift 2
  local dir="$WORK/$name"
  mkdir -p "$dir"
  cat >"$WORK/$name-ctl" <<CTL
#!/usr/bin/env bash
set -euo pipefail
case "\$1" in
  start)
    cd "$dir"
    env SWIFT_BACKTRACE=enable=no STOCKCAST_HTTP_WEB_ROOT="$WEB_ROOT" STOCKCAST_ETL_SCHEDULE_ENABLED=false \\
      STOCKCAST_METRICS_PUBLISH_INTERVAL_SECONDS=1 STOCKCAST_LOG_LEVEL=warning $* \\
      "$BINARY" serve --host 127.0.0.1 --port "$port" --data-dir "$dir/data" >>"$WORK/$name.log" 2>&1 &
    echo \$! >"$dir/pid" ;;
  stop)
    [ -f "$dir/pid" ] || exit 0
    pid="\$(cat "$dir/pid")"
    kill "\$pid" 2>/dev/null || exit 0
    for _ in \$(seq 1 100); do kill -0 "\$pid" 2>/dev/null || exit 0; sleep 0.1; done
    kill -9 "\$pid" 2>/dev/null || true ;;
  *) echo "usage: $name-ctl start|stop" >&2; exit 2 ;;
esac
CTL
  chmod +x "$WORK/$name-ctl"
}

# wait_ready NAME BASE: /ready, then both sample datasets, then the UI at /
wait_ready() {
  local name="$1" base="$2" deadline=$((SECONDS + 120))
  until curl -fsS "$base/api/datasets" -H "Authorization: Bearer $(cat "$WORK/$name/data/admin.key" 2>/dev/null)" 2>/dev/null \
      | python3 -c 'import json, sys; sys.exit(0 if {"GOOG", "^GSPC"} <= {r["ticker"] for r in json.load(sys.stdin)} else 1)' 2>/dev/null; do
    kill -0 "$(cat "$WORK/$name/pid")" 2>/dev/null || fail "the $name server exited during start"
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after 120 s waiting for the $name server's sample data at $base"
    sleep 0.3
  done
  curl -fsS "$base/" -o "$WORK/$name/index.html" && grep -q 'js/main.js' "$WORK/$name/index.html" || fail "$base/ does not serve the web UI"
}

PORT="$(free_port)"
AUTH_PORT="$(free_port)"
make_server main "$PORT" "STOCKCAST_UI_GRAFANA_URL=http://grafana.invalid:3000/d/stockcast-api"
make_server auth "$AUTH_PORT" "STOCKCAST_AUTH_READ_REQUIRES_KEY=true"
echo "browser-tests: $BINARY on http://127.0.0.1:$PORT and (reads need a key) http://127.0.0.1:$AUTH_PORT;" \
  "UI from ${WEB_ROOT:-the bundle in the binary}"
"$WORK/main-ctl" start
"$WORK/auth-ctl" start
wait_ready main "http://127.0.0.1:$PORT"
wait_ready auth "http://127.0.0.1:$AUTH_PORT"

ARGS=(--base-url "http://127.0.0.1:$PORT" --key-file "$WORK/main/data/admin.key" --server-ctl "$WORK/main-ctl"
      --auth-base-url "http://127.0.0.1:$AUTH_PORT" --auth-key-file "$WORK/auth/data/admin.key")
[ -n "$SCREENSHOTS" ] && ARGS+=(--screenshots "$SCREENSHOTS")
[ -n "$PATTERN" ] && ARGS+=(-k "$PATTERN")
python3 "$ROOT/Tests/Browser/journeys.py" "${ARGS[@]}"
