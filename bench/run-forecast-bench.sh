#!/usr/bin/env bash
# Forecasting and serving benchmarks of issue 3 (`make bench`, after the ETL one). Results go to bench/out/forecast/
# and to the "Forecasting" and "Serving" sections of BENCHMARKS.md; nothing here is a timed test.
#
# Steps: Debian packages (time, wrk, python3-venv) → bench/.venv-forecast (bench/requirements-forecast.txt) → release
# builds of StockCastBench and stockcast (--scratch-path $BENCH_SCRATCH_PATH) → measured runs, each under
# `/usr/bin/time -v`, one at a time:
#   swift-accuracy-{goog,gspc}    StockCastBench accuracy: walk-forward backtests of our five model families
#   python-accuracy-{goog,gspc}   bench/forecast_bench.py accuracy: the same protocol with sklearn / xgboost / statsforecast
#   swift-speed-{goog,gspc}       StockCastBench speed: single fits, ridge refit every session, forecast latency
#   python-speed-{goog,gspc}      bench/forecast_bench.py speed: the same in Python
# → bench/serving_bench.py (our server vs the FastAPI anchor under wrk) → bench/forecast_report.py (tables, goals,
# forecast.json, BENCHMARKS.md).
#
# Environment:
#   BENCH_SCRATCH_PATH=DIR      SwiftPM scratch path of the release builds (default .build, the one `make release` uses)
#   BENCH_PUBLISH=0|1           rewrite the two BENCHMARKS.md sections (default 1)
#   BENCH_SKIP_SERVING=1        skip the serving part (its section is then left alone)
#   BENCH_SERVING_SECONDS=S     seconds per wrk run (default 10)
#   BENCH_TIMEOUT=S             seconds before one measured run is killed as hung (default 2400)
# Runs as root on Debian 12 (or with sudo for the package step).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SWIFT="${SWIFT:-swift}"
SCRATCH="${BENCH_SCRATCH_PATH:-.build}"
PUBLISH="${BENCH_PUBLISH:-1}"
TIMEOUT="${BENCH_TIMEOUT:-2400}"
SERVING_SECONDS="${BENCH_SERVING_SECONDS:-10}"
DATA="$(cd "$ROOT/.." && pwd)/shared/data"
OUT="$ROOT/bench/out/forecast"
RUNS="$OUT/runs"
VENV="$ROOT/bench/.venv-forecast"
PY="$VENV/bin/python"

log() { printf '[forecast-bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[forecast-bench] error: %s\n' "$*" >&2; exit 1; }

for value in "$TIMEOUT" "$SERVING_SECONDS"; do
    case "$value" in '' | *[!0-9]*) die "BENCH_TIMEOUT and BENCH_SERVING_SECONDS are numbers of seconds" ;; esac
done
[ -f "$DATA/goog.csv" ] && [ -f "$DATA/gspc.csv" ] || die "$DATA/goog.csv and gspc.csv are needed (../shared/data)"

# --- Debian packages ---------------------------------------------------------------------------------------------
log "checking Debian packages"
scripts/install-packages.sh time wrk python3-venv
[ -x /usr/bin/time ] || die "/usr/bin/time is missing after installing the 'time' package"

# --- Python environment ------------------------------------------------------------------------------------------
SYSTEM_PYTHON=/usr/bin/python3
[ -x "$SYSTEM_PYTHON" ] || SYSTEM_PYTHON="$(command -v python3)"
if ! [ -x "$PY" ] || ! "$PY" -c 'import pandas, sklearn, xgboost, statsforecast, fastapi, uvicorn, exchange_calendars' 2>/dev/null; then
    log "creating $VENV (scikit-learn, xgboost-cpu, statsforecast, pandas, FastAPI, uvicorn)"
    rm -rf "$VENV"
    "$SYSTEM_PYTHON" -m venv "$VENV"
    "$PY" -m pip install --quiet --disable-pip-version-check -r bench/requirements-forecast.txt
fi

# --- release builds ----------------------------------------------------------------------------------------------
log "release build of StockCastBench and stockcast (scratch path $SCRATCH)"
"$SWIFT" build -c release --product StockCastBench --scratch-path "$SCRATCH"
"$SWIFT" build -c release --product stockcast --scratch-path "$SCRATCH"
BENCH_BIN="$SCRATCH/release/StockCastBench"
STOCKCAST_BIN="$SCRATCH/release/stockcast"

# --- measured runs -----------------------------------------------------------------------------------------------
rm -rf "$RUNS" "$OUT/serving"
mkdir -p "$RUNS"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "load average before the runs: $LOAD_BEFORE (other work on the machine skews the numbers)"

# measure NAME COMMAND...: runs COMMAND under /usr/bin/time -v (output in $RUNS/NAME/{stdout,stderr,time}); killed
# after $TIMEOUT s (SIGTERM, SIGKILL 30 s later).
measure() {
    local name="$1"; shift
    local dir="$RUNS/$name"
    local status=0
    mkdir -p "$dir"
    log "$name: starting"
    /usr/bin/time -v -o "$dir/time" timeout -k 30 "$TIMEOUT" "$@" 2>"$dir/stderr" | tee "$dir/stdout" || status=$?
    if [ "$status" != 0 ]; then
        tail -n 20 "$dir/stderr" >&2 || true
        die "$name failed (output in $dir)"
    fi
    log "$name: $(awk -F': ' '/Elapsed \(wall clock\)/ { w = $2 } /Maximum resident set size/ { r = $2 } END { printf "wall %s, peak RSS %.0f MB", w, r / 1024 }' "$dir/time")"
}

for entry in goog:GOOG:NASDAQ gspc:^GSPC:NYSE; do
    IFS=: read -r key ticker exchange <<<"$entry"
    csv="$DATA/$key.csv"
    measure "swift-accuracy-$key" "$BENCH_BIN" accuracy --csv "$csv" --exchange "$exchange" --ticker "$ticker" \
        --out "$OUT/swift-accuracy-$key.json" --features-out "$OUT/swift-features-$key.csv"
    measure "python-accuracy-$key" "$PY" bench/forecast_bench.py accuracy --csv "$csv" --ticker "$ticker" \
        --out "$OUT/python-accuracy-$key.json" --swift-features "$OUT/swift-features-$key.csv"
    measure "swift-speed-$key" "$BENCH_BIN" speed --csv "$csv" --exchange "$exchange" --ticker "$ticker" \
        --out "$OUT/swift-speed-$key.json"
    measure "python-speed-$key" "$PY" bench/forecast_bench.py speed --csv "$csv" --ticker "$ticker" \
        --out "$OUT/python-speed-$key.json"
done

if [ "${BENCH_SKIP_SERVING:-0}" != 1 ]; then
    log "serving: our server, then the FastAPI anchor with 1 and 2 workers, ${SERVING_SECONDS} s per wrk run"
    timeout -k 30 "$TIMEOUT" "$PY" bench/serving_bench.py --stockcast "$STOCKCAST_BIN" --bench-binary "$BENCH_BIN" \
        --out-dir "$OUT/serving" \
        --duration "$SERVING_SECONDS" || die "the serving benchmark failed (output in $OUT/serving)"
else
    log "BENCH_SKIP_SERVING=1: skipping the serving part"
fi

# --- report ------------------------------------------------------------------------------------------------------
printf '{"finished": "%s", "load_before": "%s", "load_after": "%s"}\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/run.json"
REPORT_ARGS=(--out-dir "$OUT" --swift "$SWIFT" --load-before "$LOAD_BEFORE")
[ "$PUBLISH" = 1 ] && REPORT_ARGS+=(--benchmarks "$ROOT/BENCHMARKS.md")
"$PY" bench/forecast_report.py "${REPORT_ARGS[@]}"
log "done: $OUT/forecast.json"
