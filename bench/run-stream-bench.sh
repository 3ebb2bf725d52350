#!/usr/bin/env bash
# WebSocket fan-out benchmark of issue 4 (Benchmarks). Results go to bench/out/streams/ and to the "WebSocket fan-out"
# section of BENCHMARKS.md (between <!-- streams:start --> and <!-- streams:end -->); nothing here is a timed test.
#
# Steps: Debian package `time` → release build of StreamBench (--scratch-path $BENCH_SCRATCH_PATH) → one measured run
# per configuration, each under `/usr/bin/time -v`, one at a time → bench/stream_report.py (table, goals,
# streams.json, BENCHMARKS.md).
#
# Each run is one StreamBench process: a Hummingbird server on 127.0.0.1:0 with the real InProcessEventBus and
# WebSocketBroadcaster, N WebSocket clients on /ws/predictions in the same process (S of them stalled: they never
# read until the end), a publisher sending E prediction events per second for D seconds.
#
# Configurations (label:clients:stalled:events_per_second[:ping_seconds[:barrier]]; ping 30 = websocket.ping_seconds
# when omitted; barrier: when the pump's writer waits for the event loop, n = after a batch once n frames were written
# since the last wait (32 as StreamRoutes does, the default), 1 = after every batch, 0 = never as before commit f4cd89c):
#   fanout-1000x1000:1000:10:1000                  the goal: 1,000 clients, 1,000 events/s, 10 stalled, p95 < 50 ms
#   fanout-1000x1000-nobarrier:1000:10:1000:30:0   the same with the pump as it was before commit f4cd89c
#   fanout-100x1000:100:10:1000                    fewer clients, same event rate (a tenth of the frames)
#   fanout-1000x100:1000:10:100                    same clients, a tenth of the events (the frames/s of the previous)
#   fanout-1000x50:1000:10:50                      same clients, a twentieth of the events
#   fanout-1000x50-everybatch:1000:10:50:30:1      the same with the writer waiting after every batch
#
# Environment:
#   BENCH_SCRATCH_PATH=DIR       SwiftPM scratch path of the release build (default .build)
#   BENCH_STREAM_SECONDS=D       seconds of publishing per run (default 20)
#   BENCH_STREAM_BUFFER=B        frames per client outbox, websocket.client_buffer (default 256)
#   BENCH_STREAM_CONFIGS="..."   space-separated label:clients:stalled:rate[:ping[:barrier]] (default: the six above)
#   BENCH_PUBLISH=0|1            rewrite the BENCHMARKS.md section (default 1)
#   BENCH_TIMEOUT=S              seconds before one run is killed as hung (default 900)
# Runs as root on Debian 12 (or with sudo for the package step).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

SWIFT="${SWIFT:-swift}"
SCRATCH="${BENCH_SCRATCH_PATH:-.build}"
SECONDS_PER_RUN="${BENCH_STREAM_SECONDS:-20}"
BUFFER="${BENCH_STREAM_BUFFER:-256}"
CONFIGS="${BENCH_STREAM_CONFIGS:-fanout-1000x1000:1000:10:1000 fanout-1000x1000-nobarrier:1000:10:1000:30:0 fanout-100x1000:100:10:1000 fanout-1000x100:1000:10:100 fanout-1000x50:1000:10:50 fanout-1000x50-everybatch:1000:10:50:30:1}"
PUBLISH="${BENCH_PUBLISH:-1}"
TIMEOUT="${BENCH_TIMEOUT:-900}"
OUT="$ROOT/bench/out/streams"
RUNS="$OUT/runs"

log() { printf '[stream-bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '[stream-bench] error: %s\n' "$*" >&2; exit 1; }

for value in "$SECONDS_PER_RUN" "$BUFFER" "$TIMEOUT"; do
    case "$value" in '' | *[!0-9]*) die "BENCH_STREAM_SECONDS, BENCH_STREAM_BUFFER and BENCH_TIMEOUT are whole numbers" ;; esac
done

log "checking Debian packages"
scripts/install-packages.sh time
[ -x /usr/bin/time ] || die "/usr/bin/time is missing after installing the 'time' package"
PYTHON="$(command -v python3)" || die "python3 is needed for the report"

log "release build of StreamBench (scratch path $SCRATCH)"
"$SWIFT" build -c release --product StreamBench --scratch-path "$SCRATCH"
BIN="$SCRATCH/release/StreamBench"
[ -x "$BIN" ] || die "$BIN was not built"

rm -rf "$RUNS"
mkdir -p "$RUNS"
rm -f "$OUT"/fanout-*.json
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "load average before the runs: $LOAD_BEFORE (other work on the machine skews the numbers)"

for config in $CONFIGS; do
    IFS=: read -r label clients stalled rate ping barrier <<<"$config"
    ping="${ping:-30}"
    barrier="${barrier:-32}"
    [ -n "$label" ] && [ -n "$clients" ] && [ -n "$stalled" ] && [ -n "$rate" ] || die "bad configuration \"$config\" (label:clients:stalled:rate[:ping[:barrier]])"
    dir="$RUNS/$label"
    mkdir -p "$dir"
    log "$label: $clients clients ($stalled stalled), $rate events/s for $SECONDS_PER_RUN s, pings every $ping s, barrier $barrier"
    status=0
    /usr/bin/time -v -o "$dir/time" timeout -k 30 "$TIMEOUT" "$BIN" --label "$label" --clients "$clients" --stalled "$stalled" \
        --rate "$rate" --seconds "$SECONDS_PER_RUN" --buffer "$BUFFER" --ping-seconds "$ping" --barrier "$barrier" --out "$OUT/$label.json" \
        2>"$dir/stderr" | tee "$dir/stdout" || status=$?
    if [ "$status" != 0 ]; then
        tail -n 20 "$dir/stderr" >&2 || true
        die "$label failed with status $status (output in $dir)"
    fi
    log "$label: $(awk -F': ' '/Elapsed \(wall clock\)/ { w = $2 } /Maximum resident set size/ { r = $2 } END { printf "wall %s, peak RSS %.0f MB", w, r / 1024 }' "$dir/time")"
done

printf '{"finished": "%s", "load_before": "%s", "load_after": "%s", "configs": "%s"}\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$LOAD_BEFORE" "$(cut -d' ' -f1-3 /proc/loadavg)" "$CONFIGS" >"$OUT/run.json"
REPORT_ARGS=(--out-dir "$OUT" --swift "$SWIFT")
[ "$PUBLISH" = 1 ] && REPORT_ARGS+=(--benchmarks "$ROOT/BENCHMARKS.md")
"$PYTHON" bench/stream_report.py "${REPORT_ARGS[@]}"
log "done: $OUT/streams.json"
