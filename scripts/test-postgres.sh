#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the storage tests (Debian 12, run as root).
#
#   scripts/test-postgres.sh start   create the cluster `stockcast_test` on port 5433 with trust auth (or start it
#                                    when it exists) and wait until it accepts connections
#   scripts/test-postgres.sh stop    stop and drop the cluster
#   scripts/test-postgres.sh url     print the URL the tests use (STOCKCAST_TEST_POSTGRES_URL)
#
# Trust auth on 127.0.0.1 only: this cluster is for tests on this machine, never for data.
set -euo pipefail

VERSION=15
CLUSTER=stockcast_test
PORT=5433
URL="postgres://postgres@127.0.0.1:${PORT}/postgres"

cluster_exists() {
    pg_lsclusters --no-header 2>/dev/null | awk -v v="$VERSION" -v c="$CLUSTER" '$1 == v && $2 == c { found = 1 } END { exit !found }'
}

wait_ready() {
    # Bounded wait: 60 × 0.5 s.
    for _ in $(seq 1 60); do
        if pg_isready -q -h 127.0.0.1 -p "$PORT" -U postgres; then
            return 0
        fi
        sleep 0.5
    done
    echo "test-postgres: cluster $VERSION/$CLUSTER did not become ready on port $PORT" >&2
    return 1
}

start() {
    if ! command -v pg_createcluster >/dev/null; then
        echo "test-postgres: pg_createcluster not found; install postgresql-$VERSION (apt-get install postgresql-$VERSION)" >&2
        exit 1
    fi
    if cluster_exists; then
        pg_ctlcluster "$VERSION" "$CLUSTER" start >/dev/null 2>&1 || true
    else
        pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" --start -- --auth=trust >/dev/null
    fi
    wait_ready
    echo "test-postgres: cluster $VERSION/$CLUSTER ready at $URL" >&2
}

stop() {
    if cluster_exists; then
        pg_dropcluster "$VERSION" "$CLUSTER" --stop
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) echo "$URL" ;;
    *)
        echo "usage: $0 start|stop|url" >&2
        exit 2
        ;;
esac
