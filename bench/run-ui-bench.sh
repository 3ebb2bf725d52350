#!/usr/bin/env bash
# UI benchmark (bench/ui_bench.py): page weight, time to first chart for a 5,000-session history, frame time while
# panning, in headless Chromium against `stockcast serve` on a fresh temporary data directory (sample data).
# Writes bench/out/ui.json and the BENCHMARKS.md section between <!-- ui:start --> and <!-- ui:end -->.
#
#   bench/run-ui-bench.sh [--binary PATH] [--build debug|release] [--runs N]
#
#   --binary PATH  default: $STOCKCAST_BIN, else the newer of .build/release/stockcast and .build/debug/stockcast
#                  (the report says which: a debug server answers the 2.8 MB price JSON several times slower)
# Needs: chromium, chromium-driver (Debian) and selenium (pip).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BINARY="${STOCKCAST_BIN:-}"
RUNS=7
BUILD=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BINARY="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --build) BUILD="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "run-ui-bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
fail() { echo "run-ui-bench: $*" >&2; exit 1; }

if [ -z "$BINARY" ]; then
  for candidate in "$ROOT/.build/release/stockcast" "$ROOT/.build/debug/stockcast"; do
    if [ -x "$candidate" ] && { [ -z "$BINARY" ] || [ "$candidate" -nt "$BINARY" ]; }; then BINARY="$candidate"; fi
  done
fi
[ -n "$BINARY" ] && [ -x "$BINARY" ] || fail "no stockcast binary: build it or pass --binary PATH"
python3 -c 'import selenium' 2>/dev/null || fail "selenium is missing: pip install selenium"
if [ -z "$BUILD" ]; then
  case "$BINARY" in
    */release/*) BUILD=release ;;
    */debug/*) BUILD=debug ;;
    *) BUILD="unknown (pass --build)" ;;
  esac
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/stockcast-uibench.XXXXXX")"
SERVER_PID=""
cleanup() {
  status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  [ "$status" -eq 0 ] || { echo "--- server log ---" >&2; tail -n 30 "$WORK/server.log" >&2 || true; }
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT INT TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE="http://127.0.0.1:$PORT"
echo "run-ui-bench: $BINARY ($BUILD) on $BASE"
(
  cd "$WORK"
  export SWIFT_BACKTRACE=enable=no
  export STOCKCAST_HTTP_WEB_ROOT="$ROOT/Sources/App/Resources/Web"
  export STOCKCAST_ETL_SCHEDULE_ENABLED=false
  export STOCKCAST_LOG_LEVEL=warning
  exec "$BINARY" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data"
) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + 180))
until curl -fsS "$BASE/api/datasets" 2>/dev/null | grep -q '"\^GSPC"'; do
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited during start"
  [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for the sample data (^GSPC)"
  sleep 0.3
done

curl -fsS "$BASE/" -o "$WORK/index.html" && grep -q 'js/main.js' "$WORK/index.html" \
  || fail "$BINARY does not serve the web UI (built before it existed?): rebuild it or pass --binary"
python3 "$ROOT/bench/ui_bench.py" --base-url "$BASE" --server-build "$BUILD" --runs "$RUNS"
