extension Migration {
    /// Version 5: work is claimed, not assumed (several instances on one PostgreSQL).
    ///
    /// - `tasks` gain `owner` (the instance running it), `lease_expires_at` (renewed by the owner's heartbeat; a task
    ///   whose lease expired may be claimed again by any instance), `attempt` (1 for the first run, + 1 per claim;
    ///   every write of a running task is fenced on it, so a superseded owner can no longer change the task) and
    ///   `cancel_requested` (set by any instance; the owner stops at its next heartbeat).
    /// - `tasks_claimable` serves the claim query (pending ones by age, running ones by lease expiry).
    /// - service-level alerts are keyed by instance: stored as `('@<instance>', '@')` (`('', '')` before), so two
    ///   instances no longer flap one alert; instrument alerts stay one per system.
    /// - `etl_runs` gain `owner`: the instance that accepted the run and executes it; after a restart an instance on a
    ///   shared database recovers only its own runs.
    static let workLeasesSchema = Migration(
        version: 5,
        name: "work_leases",
        sqlite: [
            "ALTER TABLE tasks ADD COLUMN owner TEXT",
            "ALTER TABLE tasks ADD COLUMN lease_expires_at INTEGER",
            "ALTER TABLE tasks ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE tasks ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0",
            "CREATE INDEX tasks_claimable ON tasks (state, lease_expires_at, created_at)",
            "ALTER TABLE etl_runs ADD COLUMN owner TEXT",
            "UPDATE alerts SET ticker = '@' || instance, exchange = '@' WHERE ticker = '' AND exchange = ''",
        ],
        postgres: [
            """
            ALTER TABLE tasks ADD COLUMN owner text, ADD COLUMN lease_expires_at timestamptz,
                ADD COLUMN attempt integer NOT NULL DEFAULT 0, ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false
            """,
            "CREATE INDEX tasks_claimable ON tasks (state, lease_expires_at, created_at)",
            "ALTER TABLE etl_runs ADD COLUMN owner text",
            "UPDATE alerts SET ticker = '@' || instance, exchange = '@' WHERE ticker = '' AND exchange = ''",
        ]
    )
}
