extension Migration {
    /// Version 4: key expiry and rotation, and the audit log.
    ///
    /// - `api_keys` gains `expires_at` (NULL = never) and `replaced_by` (the key a rotation created in its place).
    /// - `audit_events` records every change made through the API by an operator or admin key: who (key id, name and
    ///   prefix, never the key), what (`action` = method and route pattern, `target` = the path), the status and the
    ///   client address. Rows are only ever appended; `audit_events_at` serves paging by id.
    static let keysAndAuditSchema = Migration(
        version: 4,
        name: "key_expiry_audit_log",
        sqlite: [
            "ALTER TABLE api_keys ADD COLUMN expires_at INTEGER",
            "ALTER TABLE api_keys ADD COLUMN replaced_by INTEGER",
            """
            CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                key_id INTEGER,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                status INTEGER NOT NULL,
                address TEXT NOT NULL
            ) STRICT
            """,
        ],
        postgres: [
            "ALTER TABLE api_keys ADD COLUMN expires_at timestamptz, ADD COLUMN replaced_by bigint",
            """
            CREATE TABLE audit_events (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL,
                key_id bigint,
                actor text NOT NULL,
                role text NOT NULL,
                action text NOT NULL,
                target text NOT NULL,
                status integer NOT NULL,
                address text NOT NULL
            )
            """,
        ]
    )
}
