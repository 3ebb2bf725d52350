#!/usr/bin/env bash
# The two-instance test (Tests/Cluster/two_instances.py): `stockcast kafka-mock` hosts librdkafka's mock Kafka cluster
# in one process, two `stockcast serve` instances use it; a prediction made on A must reach a WebSocket client of B.
#   scripts/cluster-tests.sh [--keep]      binary: $STOCKCAST_BIN, else .build/debug/stockcast
# Needs Python 3 with `websockets` (Tests/requirements.txt; `make test` puts .venv-tests first on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no
BINARY="${STOCKCAST_BIN:-.build/debug/stockcast}"
[ -x "$BINARY" ] || { echo "cluster-tests: no stockcast binary at $BINARY (swift build first)" >&2; exit 1; }
exec python3 Tests/Cluster/two_instances.py "$BINARY" "$@"
