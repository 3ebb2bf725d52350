import Foundation
import Logging
import PostgresNIO
import Storage
import Testing

/// Fresh, migrated, running stores for the tests: a new SQLite file per test, or a new PostgreSQL database per test
/// (created through the maintenance database of `STOCKCAST_TEST_POSTGRES_URL` and dropped afterwards).
enum StoreHarness {
    /// Logger for stores under test: quiet unless `STOCKCAST_TEST_LOG_LEVEL` (e.g. `debug`) is set.
    static let logger: Logger = {
        var logger = Logger(label: "stockcast.storage-tests")
        let level = ProcessInfo.processInfo.environment["STOCKCAST_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        logger.logLevel = level ?? .critical
        return logger
    }()

    // MARK: Environment

    /// The PostgreSQL server for the Postgres suite (`STOCKCAST_TEST_POSTGRES_URL`).
    static var postgresURL: String? {
        guard let url = ProcessInfo.processInfo.environment["STOCKCAST_TEST_POSTGRES_URL"], !url.isEmpty else {
            return nil
        }
        return url
    }

    /// `STOCKCAST_REQUIRE_POSTGRES=1`: a missing URL fails the Postgres suite instead of skipping it.
    static var postgresRequired: Bool {
        ProcessInfo.processInfo.environment["STOCKCAST_REQUIRE_POSTGRES"] == "1"
    }

    /// Whether the Postgres suite runs (it runs, and fails, when required without a URL). Evaluated once.
    static let postgresSuiteEnabled: Bool = {
        if postgresURL == nil && !postgresRequired {
            print(
                "PostgresStoreTests skipped: STOCKCAST_TEST_POSTGRES_URL is not set "
                    + "(start one with scripts/test-postgres.sh start; set STOCKCAST_REQUIRE_POSTGRES=1 to fail instead)")
            return false
        }
        return true
    }()

    // MARK: Running stores

    /// Runs `body` while `run` (a store's `run()`) runs in a child task; cancels it afterwards and waits for it.
    static func whileRunning<Result: Sendable>(
        _ run: @escaping @Sendable () async throws -> Void, _ body: () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// A temporary directory removed after `body`.
    static func withTemporaryDirectory<Result: Sendable>(_ body: (URL) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockcast-storage-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    /// Runs `body` with a running SQLite store on a new file, migrated unless `migrated` is `false`.
    static func withSQLiteStore<Result: Sendable>(
        migrated: Bool = true, _ body: (SQLiteStore) async throws -> Result
    ) async throws -> Result {
        try await self.withTemporaryDirectory { directory in
            let store = SQLiteStore(path: directory.appendingPathComponent("stockcast.sqlite").path, logger: self.logger)
            return try await self.whileRunning({ try await store.run() }) {
                if migrated { try await store.migrate() }
                return try await body(store)
            }
        }
    }

    /// Runs `body` with the URL of a new, empty PostgreSQL database, dropped afterwards.
    static func withPostgresDatabase<Result: Sendable>(_ body: (PostgresURL) async throws -> Result) async throws
        -> Result
    {
        guard let url = self.postgresURL else {
            throw HarnessError(
                "STOCKCAST_REQUIRE_POSTGRES=1 but STOCKCAST_TEST_POSTGRES_URL is not set "
                    + "(scripts/test-postgres.sh start; export STOCKCAST_TEST_POSTGRES_URL=$(scripts/test-postgres.sh url))")
        }
        let maintenance = try PostgresURL(url)
        let name = "stockcast_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = PostgresClient(configuration: maintenance.configuration, backgroundLogger: self.logger)
        return try await self.whileRunning({ await admin.run() }) {
            // The name is generated above from hex digits and underscores; identifiers cannot be bound.
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")).collect()
            let drop = PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            var target = maintenance
            target.database = name
            do {
                let result = try await body(target)
                _ = try await admin.query(drop).collect()
                return result
            } catch {
                _ = try? await admin.query(drop).collect()
                throw error
            }
        }
    }

    /// Runs `body` with a running PostgreSQL store on a new database, migrated unless `migrated` is `false`.
    static func withPostgresStore<Result: Sendable>(
        migrated: Bool = true, _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        try await self.withPostgresDatabase { url in
            let store = PostgresStore(configuration: url.configuration, logger: self.logger)
            return try await self.whileRunning({ try await store.run() }) {
                if migrated { try await store.migrate() }
                return try await body(store)
            }
        }
    }
}

/// A test setup failure with a readable reason.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
