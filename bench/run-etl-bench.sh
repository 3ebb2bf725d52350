#!/usr/bin/env bash
# ETL throughput benchmark (`make bench`, after the release build). Results go to bench/out/etl.json and to the
# "ETL ingest" section of BENCHMARKS.md; nothing here is a timed test.
#
# Steps: Debian packages (time, python3-venv, PostgreSQL 15) → bench/.venv (bench/requirements.txt) → synthetic
# bars in bench/out/data (bench/generate_bars.py; skipped when already there) → PostgreSQL via
# scripts/test-postgres.sh (stopped again only if this script started it) → six measured runs, each under
# `/usr/bin/time -v`:
#   swift-sqlite, swift-sqlite-rerun       stockcast etl run --offline into a fresh data dir, then again (must add 0)
#   swift-postgres, swift-postgres-rerun   the same into a fresh PostgreSQL database
#   pandas-sqlite, pandas-postgres         bench/pandas_etl.py, the original's pandas path
# → bench/etl_report.py (table, goals, etl.json, BENCHMARKS.md).
#
# Environment:
#   BENCH_TICKERS=N        tickers to generate and ingest (default 500: 500 × 5033 sessions ≈ 2.5 M bars)
#   BENCH_PUBLISH=0|1      rewrite BENCHMARKS.md (default 1 for 500 tickers, 0 otherwise)
#   BENCH_PYTHON_ONLY=1    skip the Swift runs (no release binary needed; BENCHMARKS.md is then left alone)
#   BENCH_KEEP=1           keep the stores the runs wrote (bench/out/swift-*/, pandas.sqlite; ~3 GB at 500 tickers)
#   STOCKCAST_BIN=PATH     the binary (default .build/release/stockcast)
#   BENCH_SWIFT_TIMEOUT=S  seconds before a Swift run is killed as hung (default 600)
#   BENCH_PANDAS_TIMEOUT=S the same for a pandas run (default 1800; into PostgreSQL it takes ~6 minutes)
# Runs as root on Debian 12 (or with sudo for the package step).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TICKERS="${BENCH_TICKERS:-500}"
BIN="${STOCKCAST_BIN:-.build/release/stockcast}"
PYTHON_ONLY="${BENCH_PYTHON_ONLY:-0}"
SWIFT_TIMEOUT="${BENCH_SWIFT_TIMEOUT:-600}"
PANDAS_TIMEOUT="${BENCH_PANDAS_TIMEOUT:-1800}"
if [ "$TICKERS" = 500 ]; then PUBLISH="${BENCH_PUBLISH:-1}"; else PUBLISH="${BENCH_PUBLISH:-0}"; fi
OUT="$ROOT/bench/out"
DATA="$OUT/data"
RUNS="$OUT/runs"
VENV="$ROOT/bench/.venv"
PY="$VENV/bin/python"
SWIFT_DB=stockcast_bench_swift
PANDAS_DB=stockcast_bench_pandas

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

case "$TICKERS" in '' | *[!0-9]*) die "BENCH_TICKERS must be a positive integer, not '$TICKERS'" ;; esac
[ "$TICKERS" -ge 1 ] || die "BENCH_TICKERS must be at least 1"
for value in "$SWIFT_TIMEOUT" "$PANDAS_TIMEOUT"; do
    case "$value" in '' | *[!0-9]*) die "BENCH_SWIFT_TIMEOUT and BENCH_PANDAS_TIMEOUT are numbers of seconds" ;; esac
done

if [ "$PYTHON_ONLY" != 1 ] && [ ! -x "$BIN" ]; then
    die "$BIN not found: build it first (make release), or set BENCH_PYTHON_ONLY=1 for the pandas side only"
fi

# --- Debian packages ---------------------------------------------------------------------------------------------
log "checking Debian packages"
scripts/install-packages.sh time python3-venv postgresql postgresql-client
[ -x /usr/bin/time ] || die "/usr/bin/time is missing after installing the 'time' package"

# --- Python environment ------------------------------------------------------------------------------------------
SYSTEM_PYTHON=/usr/bin/python3
[ -x "$SYSTEM_PYTHON" ] || SYSTEM_PYTHON="$(command -v python3)"
if ! [ -x "$PY" ] || ! "$PY" -c 'import pandas, numpy, sqlalchemy, psycopg2, exchange_calendars' 2>/dev/null; then
    log "creating $VENV (pandas, numpy, SQLAlchemy, psycopg2-binary, exchange_calendars)"
    rm -rf "$VENV"
    "$SYSTEM_PYTHON" -m venv "$VENV"
    "$PY" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
fi
log "python: $("$PY" -c 'import sys, pandas; print(sys.version.split()[0], "pandas", pandas.__version__)')"

# --- data -------------------------------------------------------------------------------------------------------
log "synthetic bars: $TICKERS tickers into $DATA"
"$PY" bench/generate_bars.py "$DATA" --tickers "$TICKERS"

# --- PostgreSQL --------------------------------------------------------------------------------------------------
PG_URL="$(scripts/test-postgres.sh url)"
PG_BASE="${PG_URL%/*}"
PG_PORT="$(printf '%s' "$PG_URL" | sed -E 's#^[a-z]+://[^@/]*@?[^:/]*:([0-9]+)/.*#\1#')"
STARTED_POSTGRES=0
if pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
    log "PostgreSQL already running on port $PG_PORT (it will be left running)"
else
    log "starting PostgreSQL (scripts/test-postgres.sh start)"
    scripts/test-postgres.sh start
    STARTED_POSTGRES=1
fi

drop_databases() {
    for db in "$SWIFT_DB" "$PANDAS_DB"; do
        psql "$PG_URL" -qX -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
cleanup() {
    local status=$?
    if [ "${BENCH_KEEP:-0}" != 1 ]; then
        rm -rf "$OUT/swift-sqlite" "$OUT/swift-postgres" "$OUT/pandas.sqlite" "$OUT/pandas.sqlite-wal" "$OUT/pandas.sqlite-shm"
    fi
    if pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then drop_databases; fi
    if [ "$STARTED_POSTGRES" = 1 ]; then
        log "stopping the PostgreSQL this script started"
        scripts/test-postgres.sh stop || true
    fi
    exit "$status"
}
trap cleanup EXIT

fresh_database() {
    # client_min_messages hides the NOTICE of DROP DATABASE IF EXISTS on a database that is not there.
    PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL" -qX -v ON_ERROR_STOP=1 \
        -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
}
PG_VERSION="PostgreSQL $(psql "$PG_URL" -qXAt -c 'SHOW server_version')"

# --- measured runs -----------------------------------------------------------------------------------------------
rm -rf "$RUNS"
mkdir -p "$RUNS"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "load average before the runs: $LOAD_BEFORE (other work on the machine skews the numbers)"

# Shows the runs' own output, thinned: every 50th "[n/N] ..." progress line of the Swift CLI and every line else.
thin() {
    awk '/^\[[0-9]+\/[0-9]+\]/ { n = $1; gsub(/[][]/, "", n); split(n, p, "/"); if (p[1] % 50 == 0 || p[1] + 0 == p[2] + 0) print; fflush(); next }
         { print; fflush() }'
}

# measure NAME TIMEOUT COMMAND...: runs COMMAND under /usr/bin/time -v; output in $RUNS/NAME/{stdout,stderr,time}.
# `timeout` sits between time and the command (time's peak RSS is the largest waited-for descendant's, so it is
# still the command's); SIGTERM after TIMEOUT s, SIGKILL 30 s later.
measure() {
    local name="$1" limit="$2"; shift 2
    local dir="$RUNS/$name"
    local status=0
    mkdir -p "$dir"
    log "$name: starting"
    /usr/bin/time -v -o "$dir/time" timeout -k 30 "$limit" "$@" 2>"$dir/stderr" | tee "$dir/stdout" | thin \
        || status=$?
    if [ "$status" != 0 ]; then
        tail -n 20 "$dir/stderr" >&2 || true
        if grep -q "Exit status: 124" "$dir/time" 2>/dev/null; then
            die "$name did not finish within $limit s (hung?); output in $dir"
        fi
        die "$name failed (output in $dir)"
    fi
    log "$name: $(awk -F': ' '/Elapsed \(wall clock\)/ { w = $2 } /Maximum resident set size/ { r = $2 } END { printf "wall %s, peak RSS %.0f MB", w, r / 1024 }' "$dir/time")"
}

# The Swift ETL over the whole data directory, with no configuration from the caller's environment.
SWIFT_ETL=(env -u STOCKCAST_POSTGRES_URL -u STOCKCAST_STORAGE_POSTGRES_URL -u STOCKCAST_CONFIG -u STOCKCAST_DATA_DIR
    STOCKCAST_ETL_SAMPLE_DATA=false STOCKCAST_ETL_SCHEDULE_ENABLED=false
    "$BIN" etl run --offline --exchange NYSE --source "csv:$DATA")

# A re-run must find everything already stored.
expect_no_change() {
    local name="$1"
    grep -Eq 'inserted 0, updated 0, rejected [0-9]+;' "$RUNS/$name/stdout" \
        || die "$name: the re-run changed rows: $(grep -E 'run\(s\):' "$RUNS/$name/stdout" || echo 'no summary line')"
}

if [ "$PYTHON_ONLY" != 1 ]; then
    rm -rf "$OUT/swift-sqlite" "$OUT/swift-postgres"
    mkdir -p "$OUT/swift-sqlite" "$OUT/swift-postgres"
    measure swift-sqlite "$SWIFT_TIMEOUT" "${SWIFT_ETL[@]}" --data-dir "$OUT/swift-sqlite"
    measure swift-sqlite-rerun "$SWIFT_TIMEOUT" "${SWIFT_ETL[@]}" --data-dir "$OUT/swift-sqlite"
    expect_no_change swift-sqlite-rerun

    fresh_database "$SWIFT_DB"
    SWIFT_PG=("${SWIFT_ETL[@]}" --data-dir "$OUT/swift-postgres" --postgres-url "$PG_BASE/$SWIFT_DB")
    measure swift-postgres "$SWIFT_TIMEOUT" "${SWIFT_PG[@]}"
    measure swift-postgres-rerun "$SWIFT_TIMEOUT" "${SWIFT_PG[@]}"
    expect_no_change swift-postgres-rerun
else
    log "BENCH_PYTHON_ONLY=1: skipping the Swift runs"
fi

rm -f "$OUT/pandas.sqlite" "$OUT/pandas.sqlite-wal" "$OUT/pandas.sqlite-shm"
measure pandas-sqlite "$PANDAS_TIMEOUT" "$PY" bench/pandas_etl.py "$DATA" --sqlite "$OUT/pandas.sqlite" --progress
fresh_database "$PANDAS_DB"
log "pandas-postgres is the slow one (about 6 minutes for 500 tickers)"
measure pandas-postgres "$PANDAS_TIMEOUT" "$PY" bench/pandas_etl.py "$DATA" --postgres "$PG_BASE/$PANDAS_DB" --progress

# --- report ------------------------------------------------------------------------------------------------------
REPORT_ARGS=(--runs-dir "$RUNS" --json "$OUT/etl.json" --tickers "$TICKERS" --swift "${SWIFT:-swift}"
    --postgres-version "$PG_VERSION" --load-before "$LOAD_BEFORE")
[ "$PUBLISH" = 1 ] && REPORT_ARGS+=(--benchmarks "$ROOT/BENCHMARKS.md")
"$PY" bench/etl_report.py "${REPORT_ARGS[@]}"
log "done: $OUT/etl.json"
