/// One step of the schema, with its SQL for each backend.
///
/// The list `Migration.all` is the whole schema history, shared by `SQLiteStore` and `PostgresStore`. Stores apply
/// the migrations whose version is not yet in `schema_migrations`, in order, each in its own transaction, and
/// record `(version, name, applied_at)`. Migrations are never edited once released: a later change is a new
/// entry appended to `all` (v2 added models, tasks and predictions that way; v3 scoring and alerts; v4 key expiry and the audit log; v5 leases of
/// background tasks; v6 instance heartbeats).
///
/// Storage conventions (both dialects, documented here once):
/// - session dates: SQLite `TEXT` `YYYY-MM-DD`; PostgreSQL `date`. PostgreSQL values cross the wire as day numbers
///   (days since 1970-01-01, `date '1970-01-01' + n` and `d - date '1970-01-01'`), so no time zone is ever involved.
/// - timestamps: SQLite `INTEGER` microseconds since the Unix epoch (UTC); PostgreSQL `timestamptz`. Both keep
///   microsecond precision.
/// - prices and indicators: SQLite `REAL`, PostgreSQL `double precision` (IEEE-754 binary64, bit-exact round trip).
/// - the source line is the column `source_row` (`row` is a keyword in both dialects).
public struct Migration: Sendable, Hashable {
    /// Strictly increasing, starting at 1.
    public var version: Int
    /// Short snake_case description, stored with the version.
    public var name: String
    /// Statements for SQLite, executed one by one.
    public var sqlite: [String]
    /// Statements for PostgreSQL, executed one by one.
    public var postgres: [String]

    /// Creates a migration.
    public init(version: Int, name: String, sqlite: [String], postgres: [String]) {
        self.version = version
        self.name = name
        self.sqlite = sqlite
        self.postgres = postgres
    }

    /// Every migration, ascending by version. Append new ones at the end.
    public static let all: [Migration] = [
        .initialSchema,
        .registrySchema,
        .alertsAndScoringSchema,
        .keysAndAuditSchema,
        .workLeasesSchema,
        .instanceHeartbeatsSchema,
    ]

    /// The version a fully migrated database reports.
    public static var latestVersion: Int { Self.all.last?.version ?? 0 }
}

/// The table that records applied migrations; created before any migration runs.
enum SchemaMigrationsTable {
    /// SQLite DDL.
    static let sqlite = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT
        """

    /// PostgreSQL DDL.
    static let postgres = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL
        )
        """
}
