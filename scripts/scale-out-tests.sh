#!/usr/bin/env bash
# The scale-out stage (Tests/ScaleOut/scale_out.py): three instances on one private PostgreSQL 15, the Kafka mock
# cluster and moto_server (S3 with SigV4 checking), nginx in front of the two api instances.
#   scripts/scale-out-tests.sh      binary: $STOCKCAST_BIN, else .build/debug/stockcast. Needs root, nginx, moto_server.
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no
BINARY="${STOCKCAST_BIN:-.build/debug/stockcast}"
[ -x "$BINARY" ] || { echo "scale-out-tests: no stockcast binary at $BINARY (swift build first)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "scale-out-tests: nginx not found (apt-get install nginx-light)" >&2; exit 1; }
exec python3 Tests/ScaleOut/scale_out.py "$BINARY"
