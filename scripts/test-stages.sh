#!/usr/bin/env bash
# `make test` after the packages are installed: every stage runs (in this order), each timed, and a summary table is
# printed at the end; the exit status is non-zero when any stage failed.
#
#   swift test   every Swift suite; the storage contract on SQLite and on a private PostgreSQL 15 (port 5433); model
#                artifacts on moto_server with SigV4 checking (scripts/test-s3.sh, port 5435)
#   build        the debug `stockcast` binary the integration stages run
#   cluster      two instances on one Kafka mock cluster                   (scripts/cluster-tests.sh)
#   monitor      a real Prometheus evaluating every dashboard and rule      (scripts/monitor-tests.sh)
#   browser      the web UI's journeys in headless Chromium                 (scripts/browser-tests.sh)
#   hardening    schemathesis (every check) and a 20,000-connection flood   (scripts/hardening-tests.sh)
#   faults       kill -9 during ETL, training and forecasts; SIGTERM and cancel during training; PostgreSQL stopped and
#                started under load; consistency afterwards               (scripts/fault-tests.sh)
#   scale-out    three instances on PostgreSQL, Kafka mock and moto behind nginx: exactly-once tasks, kill -9 takeover,
#                shared artifacts, promote seen everywhere, WebSocket through nginx, rolling restart (scripts/scale-out-tests.sh)
#   deploy       deploy/'s structure: mounted files, configuration keys, ports (Tests/Deploy/check_deploy.py)
#   key grep     no complete API key in any log line of any stage          (Tests/Faults/key_grep.py)
#
# The stages run one after another: the integration stages time things (a /health answer within 100 ms during a
# flood, recovery within seconds of PostgreSQL returning) that a second stage on the same two cores would distort.
set -uo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no
SWIFT=${SWIFT:-swift}
LOGS="$(mktemp -d "${TMPDIR:-/tmp}/stockcast-test-logs.XXXXXX")"
export STOCKCAST_TEST_LOG_DIR="$LOGS"
export STOCKCAST_BIN="$PWD/.build/debug/stockcast"
SUMMARY=()
STATUS=0

stage() {
  local name="$1"
  shift
  local started=$SECONDS
  echo "=== $name"
  if "$@"; then
    SUMMARY+=("$(printf '%-10s ok      %4d s' "$name" $((SECONDS - started)))")
  else
    SUMMARY+=("$(printf '%-10s FAILED  %4d s' "$name" $((SECONDS - started)))")
    STATUS=1
  fi
}

swift_tests() {
  scripts/test-postgres.sh start || return 1
  scripts/test-s3.sh start || return 1
  (
    eval "$(scripts/test-s3.sh env)"
    STOCKCAST_TEST_POSTGRES_URL="$(scripts/test-postgres.sh url)" STOCKCAST_REQUIRE_POSTGRES=1 STOCKCAST_REQUIRE_S3=1 \
      $SWIFT test 2>&1 | tee "$LOGS/swift-test.log"
    exit "${PIPESTATUS[0]}"
  )
  local status=$?
  scripts/test-s3.sh stop
  scripts/test-postgres.sh stop
  return "$status"
}

stage "swift test" swift_tests
stage build $SWIFT build --product stockcast
if [ -x "$STOCKCAST_BIN" ]; then
  stage cluster scripts/cluster-tests.sh
  stage monitor scripts/monitor-tests.sh
  stage browser scripts/browser-tests.sh
  stage hardening scripts/hardening-tests.sh
  stage faults scripts/fault-tests.sh
  stage scale-out scripts/scale-out-tests.sh
fi
stage deploy python3 Tests/Deploy/check_deploy.py
stage "key grep" python3 Tests/Faults/key_grep.py "$LOGS"

echo
echo "=== make test: stage  result  time"
printf '%s\n' "${SUMMARY[@]}"
echo "total $((SECONDS / 60)) min $((SECONDS % 60)) s"
[ "$STATUS" -eq 0 ] && rm -rf "$LOGS" || echo "logs of every stage kept in $LOGS"
exit "$STATUS"
