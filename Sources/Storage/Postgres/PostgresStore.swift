import Logging
import PostgresNIO
import PredictionCore
import ServiceLifecycle

/// The shared store: PostgreSQL through a `PostgresClient` connection pool, for several StockCast instances
/// on one database.
///
/// Every statement binds its values (`PostgresQuery` interpolation); bulk upserts send one array per column and
/// expand them with `unnest`, thousands of rows per statement. Writes that read-then-write run in one transaction;
/// migrations take a transaction-scoped advisory lock so instances starting together migrate once.
///
/// `run()` runs the pool until graceful shutdown; queries wait for a connection until it runs.
public final class PostgresStore: StockCastStore {
    /// `postgres`.
    public let backendName = "postgres"
    /// The connection pool.
    let client: PostgresClient
    /// Where the store logs (driver errors in full).
    let logger: Logger

    /// Key of the advisory lock held while migrating ("StockCas" in ASCII).
    static let migrationLockKey: Int64 = 0x5374_6F63_6B43_6173

    /// Most rows sent in one bulk statement (bounds the message size to a few MB).
    static let rowsPerStatement = 10_000

    /// Creates a store for `url` (`postgres://user:password@host:port/database?sslmode=disable`).
    public convenience init(url: String, logger: Logger) throws {
        self.init(configuration: try PostgresURL(url).configuration, logger: logger)
    }

    /// Creates a store with an explicit client configuration.
    public init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs the connection pool until graceful shutdown or cancellation.
    public func run() async throws {
        await self.client.run()
    }

    // MARK: Statements

    /// Runs `body` in a transaction (`BEGIN … COMMIT`, rolled back when it throws).
    @discardableResult
    func transaction<Result: Sendable>(
        file: String = #fileID, line: Int = #line, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            return try await self.client.withTransaction(logger: self.logger) { connection in
                try await body(connection)
            }
        } catch {
            throw self.storageError(error, file: file, line: line)
        }
    }

    /// Runs one statement on `connection` and collects its rows.
    @discardableResult
    func rows(_ query: PostgresQuery, on connection: PostgresConnection, file: String = #fileID, line: Int = #line)
        async throws -> [PostgresRow]
    {
        do {
            return try await connection.query(query, logger: self.logger, file: file, line: line).collect()
        } catch {
            throw self.storageError(error, file: file, line: line)
        }
    }

    /// Runs one statement on any pooled connection (autocommit) and collects its rows.
    @discardableResult
    func rows(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> [PostgresRow] {
        do {
            return try await self.client.query(query, logger: self.logger, file: file, line: line).collect()
        } catch {
            throw self.storageError(error, file: file, line: line)
        }
    }

    /// Turns driver errors into `StorageError`s whose message is safe to show; the full error is logged.
    func storageError(_ error: any Error, file: String, line: Int) -> any Error {
        switch error {
        case let error as StorageError:
            return error
        case is CancellationError:
            return error
        case let error as PostgresTransactionError:
            if let cause = error.closureError ?? error.beginError ?? error.commitError {
                return self.storageError(cause, file: file, line: line)
            }
            return StorageError(.queryFailed, "database transaction failed", file: file, line: line)
        case let error as PSQLError:
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? "unknown"
                self.logger.error(
                    "PostgreSQL statement failed",
                    metadata: ["sqlstate": "\(state)", "message": "\(error.serverInfo?[.message] ?? "")"])
                return StorageError(.queryFailed, "database statement failed (SQLSTATE \(state))", file: file, line: line)
            }
            self.logger.error("PostgreSQL connection failed", metadata: ["error": "\(String(reflecting: error))"])
            if error.code == .poolClosed || error.code == .clientClosedConnection {
                return StorageError(.closed, "the store is closed", file: file, line: line)
            }
            return StorageError(.unavailable, "the database is unavailable (\(error.code))", file: file, line: line)
        default:
            self.logger.error("PostgreSQL call failed", metadata: ["error": "\(String(reflecting: error))"])
            return StorageError(.queryFailed, "database call failed", file: file, line: line)
        }
    }

    // MARK: Schema

    /// Applies pending migrations, each in a transaction holding `pg_advisory_xact_lock`, so several instances
    /// migrating at once apply each version exactly once.
    public func migrate() async throws {
        try await self.migrate(through: Migration.latestVersion)
    }

    /// Applies pending migrations up to and including `version` (tests build older schemas with it).
    func migrate(through version: Int) async throws {
        for migration in Migration.all where migration.version <= version {
            let applied = try await self.transaction { connection -> Bool in
                try await self.rows("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", on: connection)
                try await self.rows(PostgresQuery(unsafeSQL: SchemaMigrationsTable.postgres), on: connection)
                let existing = try await self.rows(
                    "SELECT 1 FROM schema_migrations WHERE version = \(migration.version)", on: connection)
                guard existing.isEmpty else { return false }
                for statement in migration.postgres {
                    do {
                        // Static DDL from `Migration.all`, never built from values.
                        try await self.rows(PostgresQuery(unsafeSQL: statement), on: connection)
                    } catch let error as StorageError {
                        throw StorageError(
                            .migrationFailed, "migration \(migration.version) (\(migration.name)) failed: \(error.message)")
                    }
                }
                try await self.rows(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(migration.version), \(migration.name), now())
                    """, on: connection)
                return true
            }
            if applied {
                self.logger.info(
                    "applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
    }

    /// The highest applied migration version (0 for an empty database).
    public func schemaVersion() async throws -> Int {
        let table = try await self.rows("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard let present = table.first, try present.makeRandomAccess().value("present", Bool.self) else { return 0 }
        let rows = try await self.rows("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
        guard let row = rows.first else { return 0 }
        return try row.makeRandomAccess().value("version", Int.self)
    }
}
