#!/usr/bin/env bash
# The hardening stage (Tests/Hardening/hardening_stage.py): schemathesis over /openapi.json with every check (0 server
# errors, 0 conformance failures; exceptions in Tests/Hardening/schemathesis.toml), then 20,000 idle connections from
# 127.0.0.1 while /health is asked from 127.0.0.2.
#   scripts/hardening-tests.sh [--keep]      binary: $STOCKCAST_BIN, else .build/debug/stockcast
# Needs schemathesis (Tests/requirements.txt; `make test` puts .venv-tests first on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
export SWIFT_BACKTRACE=enable=no
BINARY="${STOCKCAST_BIN:-.build/debug/stockcast}"
[ -x "$BINARY" ] || { echo "hardening-tests: no stockcast binary at $BINARY (swift build first)" >&2; exit 1; }
exec python3 Tests/Hardening/hardening_stage.py "$BINARY" "$@"
