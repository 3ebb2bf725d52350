#!/usr/bin/env bash
# Soak benchmark (issue 9): 10 minutes of mixed load on a release `stockcast serve` (REST reads, predictions,
# 200 WebSocket clients, one XGBoost training and one ETL run during the run). Writes bench/out/soak/result.json and the
# "Soak" section of BENCHMARKS.md.
#   BENCH_SCRATCH_PATH=DIR  release build folder (default .build);  BENCH_SOAK_SECONDS=N (default 600)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCRATCH="${BENCH_SCRATCH_PATH:-.build}"
SECONDS_TO_RUN="${BENCH_SOAK_SECONDS:-600}"
export SWIFT_BACKTRACE=enable=no
scripts/python-env.sh .venv-tests Tests/requirements.txt
swift build -c release --product stockcast --scratch-path "$SCRATCH"
mkdir -p bench/out/soak
.venv-tests/bin/python3 bench/soak_bench.py "$SCRATCH/release/stockcast" bench/out/soak/result.json --seconds "$SECONDS_TO_RUN" --clients 200
.venv-tests/bin/python3 bench/soak_report.py bench/out/soak/result.json
