import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
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
/// Outages (`PostgresAvailability`): a call that waits `leaseTimeout` for a connection, or a failed connection, makes
/// `run()` probe the server within `probeInterval`. When it does not accept connections, calls waiting in the pool
/// fail and every new call fails at once with `StorageError.unavailable` (HTTP 503 with `Retry-After`), instead of
/// queueing behind a pool in exponential backoff (which took up to a minute to notice the database was back). The
/// first fresh pool that answers after an outage replaces the old one, so service resumes within a probe interval
/// of the database returning.
public final class PostgresStore: StockCastStore {
    /// `postgres`.
    public let backendName = "postgres"
    /// Where the store logs (driver errors in full).
    let logger: Logger
    /// The pool configuration (every replacement pool gets the same).
    let configuration: PostgresClient.Configuration
    /// Wait for a connection after which the database is probed (see `withLease`). Defaults to 1 s.
    let leaseTimeout: Duration
    /// How often an outage is probed. Defaults to 250 ms.
    let probeInterval: Duration
    let availability = PostgresAvailability()
    private let current: NIOLockedValueBox<PostgresClient>

    /// Key of the advisory lock held while migrating ("StockCas" in ASCII).
    static let migrationLockKey: Int64 = 0x5374_6F63_6B43_6173

    /// Most rows sent in one bulk statement (bounds the message size to a few MB).
    static let rowsPerStatement = 10_000

    /// Creates a store for `url` (`postgres://user:password@host:port/database?sslmode=disable`).
    public convenience init(url: String, logger: Logger) throws {
        self.init(configuration: try PostgresURL(url).configuration, logger: logger)
    }

    /// Creates a store with an explicit client configuration.
    public init(
        configuration: PostgresClient.Configuration, logger: Logger, leaseTimeout: Duration = .seconds(1),
        probeInterval: Duration = .milliseconds(250)
    ) {
        self.configuration = configuration
        self.logger = logger
        self.leaseTimeout = leaseTimeout
        self.probeInterval = probeInterval
        self.current = NIOLockedValueBox(PostgresClient(configuration: configuration, backgroundLogger: logger))
    }

    /// The pool in use.
    var client: PostgresClient { self.current.withLockedValue { $0 } }

    /// Runs the connection pool, and during outages the probes, until graceful shutdown or cancellation.
    ///
    /// Every `probeInterval` while the store is not `up`: when `suspect`, a TCP connect to the server tells an outage
    /// (refused or timed out: the store goes `down`, and the pool is replaced by a fresh one so that calls waiting in
    /// the old pool's backoff fail at once) from a busy pool (connected: `up` again). When `down`, a fresh pool must
    /// answer `SELECT 1`; the first that does becomes the pool.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var retireCurrent = Self.start(self.client, in: &group)
                while !Task.isCancelled {
                    try? await Task.sleep(for: self.probeInterval)
                    guard !Task.isCancelled else { break }
                    switch self.availability.current {
                    case .up:
                        continue
                    case .suspect:
                        if await self.serverAcceptsConnections() {
                            self.availability.markUp()
                            continue
                        }
                        self.availability.markDown()
                        self.logger.error("PostgreSQL does not accept connections; calls fail at once until it does")
                        let fresh = PostgresClient(configuration: self.configuration, backgroundLogger: self.logger)
                        let retireFresh = Self.start(fresh, in: &group)
                        self.current.withLockedValue { $0 = fresh }
                        retireCurrent()
                        retireCurrent = retireFresh
                    case .down:
                        let candidate = PostgresClient(configuration: self.configuration, backgroundLogger: self.logger)
                        let retireCandidate = Self.start(candidate, in: &group)
                        guard await self.answers(candidate) else {
                            retireCandidate()
                            continue
                        }
                        // The pool that was current sits in exponential backoff; the one that answered replaces it.
                        self.current.withLockedValue { $0 = candidate }
                        retireCurrent()
                        retireCurrent = retireCandidate
                        if let outage = self.availability.markUp() {
                            self.logger.notice("PostgreSQL answers again; serving from a fresh connection pool", metadata: ["outage": "\(outage)"])
                        }
                    }
                }
                group.cancelAll()
            }
        }
    }

    /// Runs `client` in `group` until the returned function is called (or the group is cancelled).
    private static func start(_ client: PostgresClient, in group: inout DiscardingTaskGroup) -> @Sendable () -> Void {
        let (retired, retire) = AsyncStream.makeStream(of: Void.self)
        group.addTask {
            await withTaskGroup(of: Void.self) { pool in
                pool.addTask { await client.run() }
                pool.addTask { for await _ in retired {} }
                await pool.next()
                pool.cancelAll()
            }
        }
        return { retire.finish() }
    }

    /// Whether a fresh pool answers `SELECT 1` within a second.
    private func answers(_ candidate: PostgresClient) async -> Bool {
        let logger = self.logger
        return await Self.firstOf(timeout: .seconds(1), false) {
            (try? await candidate.withConnection { try await Self.allRows("SELECT 1", on: $0, logger: logger, file: #fileID, line: #line) }) != nil
        }
    }

    /// Whether the server's TCP port accepts a connection within a second (a Unix socket counts as accepting). The
    /// second is the connect timeout, kept by the event loop: it is not raced against a `Task.sleep`, which on a
    /// machine whose cooperative threads are busy (trainings) woke first and declared a busy database down.
    private func serverAcceptsConnections() async -> Bool {
        guard let host = self.configuration.host, let port = self.configuration.port else { return true }
        guard let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(1)).connect(host: host, port: port).get()
        else { return false }
        try? await channel.close()
        return true
    }

    /// `operation`'s result, or `fallback` when it takes longer than `timeout`.
    private static func firstOf<T: Sendable>(timeout: Duration, _ fallback: T, _ operation: @escaping @Sendable () async -> T) async -> T {
        await withTaskGroup(of: T.self) { group in
            group.addTask { await operation() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return fallback
            }
            let first = await group.next() ?? fallback
            group.cancelAll()
            return first
        }
    }

    // MARK: Statements

    /// Runs `body` on a leased connection of the current pool. Fails at once while PostgreSQL is down. A call that
    /// waits longer than `leaseTimeout` for a connection asks for a probe and keeps waiting: a busy pool serves it
    /// in time, while an outage retires the pool and the call fails with `unavailable`. The body has no deadline: a
    /// long bulk write or migration is not cut short.
    private func withLease<Result: Sendable>(
        file: String, line: Int, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        guard !self.availability.isDown else {
            throw StorageError(.unavailable, "the database is unavailable; retry shortly", file: file, line: line)
        }
        let client = self.client
        let leased = NIOLockedValueBox(false)
        let timeout = self.leaseTimeout
        let availability = self.availability
        let logger = self.logger
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    leased.withLockedValue { $0 = true }
                    return try await body(connection)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                if !leased.withLockedValue({ $0 }), availability.suspect() {
                    logger.warning("no PostgreSQL connection within the lease timeout; probing the database", metadata: ["timeout": "\(timeout)"])
                }
                return nil
            }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
            }
            throw StorageError(.queryFailed, "the database call ended without a result", file: file, line: line)
        }
    }

    /// Runs `body` in a transaction (`BEGIN … COMMIT`, rolled back when it throws). Every statement goes through
    /// `allRows`, so a connection that closes mid-transaction fails it instead of leaving it waiting (PostgresNIO's
    /// `withTransaction` sends BEGIN and COMMIT through the async row stream).
    @discardableResult
    func transaction<Result: Sendable>(
        file: String = #fileID, line: Int = #line, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            let logger = self.logger
            return try await self.withLease(file: file, line: line) { connection in
                _ = try await Self.allRows("BEGIN", on: connection, logger: logger, file: file, line: line)
                let result: Result
                do {
                    result = try await body(connection)
                } catch {
                    _ = try? await Self.allRows("ROLLBACK", on: connection, logger: logger, file: file, line: line)
                    throw error
                }
                _ = try await Self.allRows("COMMIT", on: connection, logger: logger, file: file, line: line)
                return result
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
            return try await Self.allRows(query, on: connection, logger: self.logger, file: file, line: line)
        } catch {
            throw self.storageError(error, file: file, line: line)
        }
    }

    /// Runs one statement on any pooled connection (autocommit) and collects its rows.
    @discardableResult
    func rows(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> [PostgresRow] {
        do {
            let logger = self.logger
            return try await self.withLease(file: file, line: line) { connection in
                try await Self.allRows(query, on: connection, logger: logger, file: file, line: line)
            }
        } catch {
            throw self.storageError(error, file: file, line: line)
        }
    }

    /// Every row of `query`, collected on the connection's event loop (`PostgresQueryResult`): no back-pressured row
    /// stream. PostgresNIO 1.33's async row sequence trapped (`RowStreamStateMachine`: "How can we receive a body part,
    /// after a channelReadComplete…") or never finished when the server closed the connection while rows waited for
    /// demand, which the fault stage hit by stopping PostgreSQL during a read; the collected form ends with an error.
    ///
    /// A query written to a connection that has just closed is never answered either (PostgresNIO writes it with no
    /// promise, so the closed channel's failure is dropped), and the pool can still hand out a connection the server
    /// closed a moment ago (57P01 on shutdown). A watchdog on the connection's event loop fails such a query with
    /// `ConnectionLost` once the connection is closed: it checks every `closedCheckInterval` while the query runs.
    static func allRows(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger, file: String, line: Int) async throws -> [PostgresRow] {
        guard !connection.isClosed else { throw ConnectionLost() }
        let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        let watchdog = connection.eventLoop.scheduleRepeatedTask(initialDelay: closedCheckInterval, delay: closedCheckInterval) { task in
            guard connection.isClosed else { return }
            answer.fail(ConnectionLost())
            task.cancel()
        }
        answer.futureResult.whenComplete { _ in watchdog.cancel() }
        let result: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger, file: file, line: line)
        result.cascade(to: answer)
        return Array(try await answer.futureResult.get().rows)
    }

    /// How often a running query checks that its connection is still open (see `allRows`).
    static let closedCheckInterval = TimeAmount.milliseconds(250)

    /// A query's connection closed before the query was answered.
    struct ConnectionLost: Error {}

    /// SQLSTATEs that mean the server went away or is not accepting work, not that the statement was wrong: class 08
    /// (connection exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now.
    static func isOutage(sqlState: String) -> Bool {
        sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// Turns driver errors into `StorageError`s whose message is safe to show; the full error is logged.
    func storageError(_ error: any Error, file: String, line: Int) -> any Error {
        switch error {
        case let error as StorageError:
            return error
        case is CancellationError:
            return error
        case is ConnectionLost:
            if self.availability.suspect() {
                self.logger.warning("a PostgreSQL connection closed under a query; probing the database")
            }
            return StorageError(.unavailable, "the database connection closed; retry shortly", file: file, line: line)
        case let error as PSQLError:
            if error.code == .server, let state = error.serverInfo?[.sqlState], Self.isOutage(sqlState: state) {
                if self.availability.suspect() {
                    self.logger.warning("PostgreSQL is shutting down or refusing work; probing the database", metadata: ["sqlstate": "\(state)"])
                }
                return StorageError(.unavailable, "the database is unavailable (SQLSTATE \(state)); retry shortly", file: file, line: line)
            }
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? "unknown"
                self.logger.error(
                    "PostgreSQL statement failed",
                    metadata: ["sqlstate": "\(state)", "message": "\(error.serverInfo?[.message] ?? "")"])
                return StorageError(.queryFailed, "database statement failed (SQLSTATE \(state))", file: file, line: line)
            }
            if error.code == .poolClosed || error.code == .clientClosedConnection {
                // A retired pool (after an outage) or shutdown: the next call uses the current pool.
                return StorageError(self.availability.isDown ? .unavailable : .closed, "the database connection was closed; retry shortly", file: file, line: line)
            }
            if self.availability.suspect() {
                self.logger.warning("PostgreSQL connection failed; probing the database", metadata: ["error": "\(String(reflecting: error))"])
            }
            return StorageError(.unavailable, "the database is unavailable (\(error.code)); retry shortly", file: file, line: line)
        default:
            // The pool's own errors (a lease on a pool retired for an outage) carry no PSQLError code: while an outage
            // is suspected or confirmed, any failed call is part of it.
            if self.availability.current != .up {
                return StorageError(.unavailable, "the database is unavailable; retry shortly", file: file, line: line)
            }
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
