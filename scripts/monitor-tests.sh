#!/usr/bin/env bash
# The monitor/ test (Tests/Monitor/check_prometheus.py): promtool checks of monitor/prometheus.yml and
# monitor/alerts.yml, the alert rules' unit tests, static checks of the Grafana dashboards against the metric contract
# (docs/STREAMS.md), then a real Prometheus scraping a live `stockcast serve` evaluates every dashboard and rule
# expression.
#
#   scripts/monitor-tests.sh                  build first (swift build); uses .build/debug/stockcast
#   STOCKCAST_BIN=path scripts/monitor-tests.sh
#   scripts/monitor-tests.sh --static-only    no server, no Prometheus
#   scripts/monitor-tests.sh --keep           keep the scratch directory (logs, data) even when it passes
#
# Needs the Debian package `prometheus` (promtool and prometheus) and Python 3 with PyYAML and websockets (installed
# from PyPI when missing). The Python test stops the server and Prometheus on every exit; this script forwards
# SIGINT/SIGTERM/SIGHUP to it and waits for that cleanup.
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null; then
  scripts/install-packages.sh prometheus
fi
PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import yaml, websockets.sync.client' 2>/dev/null; then
  echo "monitor-tests: installing PyYAML and websockets from PyPI"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check 'PyYAML>=6' 'websockets>=12'
fi

"$PYTHON" Tests/Monitor/check_prometheus.py "$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' INT TERM HUP
status=0
wait "$child" || status=$?
# `wait` returns early when a trapped signal arrives: wait again until the test has cleaned up and exited.
while kill -0 "$child" 2>/dev/null; do
  wait "$child" || status=$?
done
exit "$status"
