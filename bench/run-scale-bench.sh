#!/usr/bin/env bash
# Scale benchmark (issue 10): predictions through nginx and trainings per hour with 1, 2 and 3 release instances on one
# PostgreSQL, side by side (bench/scale_bench.py). Writes bench/out/scale/result.json and the "Several instances"
# section of BENCHMARKS.md. Needs root (a private PostgreSQL), nginx, wrk and moto_server (make test-deps).
#   BENCH_SCRATCH_PATH=DIR  release build folder (default .build);  BENCH_SCALE_SECONDS=N wrk seconds (default 10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCRATCH="${BENCH_SCRATCH_PATH:-.build}"
export SWIFT_BACKTRACE=enable=no
scripts/install-packages.sh wrk nginx-light
scripts/python-env.sh .venv-tests Tests/requirements.txt
swift build -c release --product stockcast --scratch-path "$SCRATCH"
PATH="$ROOT/.venv-tests/bin:$PATH" python3 bench/scale_bench.py "$SCRATCH/release/stockcast" --out bench/out/scale/result.json \
    --seconds "${BENCH_SCALE_SECONDS:-10}"
