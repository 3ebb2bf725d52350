extension Migration {
    /// Version 6: instances say they are alive. `instances` holds each instance's last heartbeat; the ETL runs of an
    /// instance that stopped beating are adopted by another (`ETLRunStore.adoptRuns`).
    static let instanceHeartbeatsSchema = Migration(
        version: 6,
        name: "instance_heartbeats",
        sqlite: [
            "CREATE TABLE instances (id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL) STRICT",
            "CREATE INDEX etl_runs_owner ON etl_runs (owner, status)",
        ],
        postgres: [
            "CREATE TABLE instances (id text PRIMARY KEY, last_seen timestamptz NOT NULL)",
            "CREATE INDEX etl_runs_owner ON etl_runs (owner, status)",
        ]
    )
}
