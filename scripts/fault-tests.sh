#!/usr/bin/env bash
# The fault stage (Tests/Faults/fault_stage.py): kill -9 / SIGTERM during ETL, training and forecasts, a PostgreSQL
# stop/start under load; afterwards the stores must be consistent and no log may hold a complete API key. Then
# Tests/Faults/pg_outage_loop.py stops PostgreSQL six times under prediction requests: each stop lands at another
# moment of a request, which is how a query written to a just-closed connection (never answered) was found.
#   scripts/fault-tests.sh [--keep] [--phases 1,2,3,4,5]      binary: $STOCKCAST_BIN, else .build/debug/stockcast
# With --phases only those phases of fault_stage.py run (no loop).
# Needs Python 3 (standard library only) and root for the PostgreSQL phase (a private cluster run as `postgres`).
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no
BINARY="${STOCKCAST_BIN:-.build/debug/stockcast}"
[ -x "$BINARY" ] || { echo "fault-tests: no stockcast binary at $BINARY (swift build first)" >&2; exit 1; }
python3 Tests/Faults/fault_stage.py "$BINARY" "$@"
if [[ " $* " != *" --phases "* ]]; then
    echo; echo "=== PostgreSQL stopped six times under prediction requests (pg_outage_loop.py)"
    python3 Tests/Faults/pg_outage_loop.py "$BINARY" --rounds 6 --endpoint predict
fi
