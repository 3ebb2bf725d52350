import Logging
import NIOPosix
import PredictionCore
import SQLiteNIO
import ServiceLifecycle
import Synchronization

/// The embedded store: one SQLite file (WAL mode), the default backend.
///
/// Connections: one writer and one reader. Every write is a transaction on the writer, taken behind a FIFO
/// `AsyncMutex`, so transactions of concurrent tasks never interleave (a re-entrant actor could not promise that).
/// Reads run on the reader connection, which in WAL mode sees the last committed state and never blocks the
/// writer. With the path `:memory:` there is only the writer connection and reads queue behind writes.
///
/// Connections are opened on first use (not in `init`); `run()` waits for graceful shutdown and then closes them
/// after the transaction in flight. Calls made after that throw `StorageError(.closed)`.
public final class SQLiteStore: StockCastStore {
    /// The open connections.
    struct Connections: Sendable {
        var writer: SQLiteSession
        /// `nil` for an in-memory database, whose reads use the writer.
        var reader: SQLiteSession?
        /// The store's own threads for blocking SQLite calls: one per connection, so a statement waiting for
        /// another process's lock (busy timeout) never starves this store's other connection or the process's
        /// shared NIO thread pool.
        var threads: NIOThreadPool
    }

    private enum ConnectionState: Sendable {
        case notOpened
        case open(Connections)
        case closed
    }

    /// `sqlite`.
    public let backendName = "sqlite"
    /// The database file, or `:memory:`.
    public let path: String
    /// Where the store logs (driver errors in full, opening and closing at debug).
    let logger: Logger
    private let writeLock = AsyncMutex()
    private let readLock = AsyncMutex()
    private let state = Mutex<ConnectionState>(.notOpened)

    /// Creates a store for the database file at `path` (created when missing; its directory must exist).
    /// `:memory:` gives a private in-memory database, for tests.
    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Waits for graceful shutdown (or cancellation), then closes the connections after the write in flight.
    public func run() async throws {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled instead of shut down gracefully: close all the same.
        }
        await self.close()
    }

    /// Closes the connections; later calls throw `StorageError(.closed)`.
    public func close() async {
        // Take both locks so no statement is running on a connection that is being closed.
        // Not cancellable: `run()` closes from a task that may have been cancelled.
        _ = try? await self.writeLock.withLock(cancellable: false) {
            try await self.readLock.withLock(cancellable: false) {
                let previous = self.state.withLock { state -> ConnectionState in
                    defer { state = .closed }
                    return state
                }
                guard case .open(let connections) = previous else { return }
                await connections.writer.close()
                await connections.reader?.close()
                do {
                    try await connections.threads.shutdownGracefully()
                } catch {
                    self.logger.warning("stopping the SQLite threads failed", metadata: ["error": "\(error)"])
                }
                self.logger.debug("SQLite store closed", metadata: ["path": "\(self.path)"])
            }
        }
    }

    // MARK: Backup

    /// Writes a consistent copy of the whole database to `path` (`VACUUM INTO`: one read transaction, so writes of
    /// this or another process before or after it are either wholly in the copy or not at all). The store stays open;
    /// writes of this process wait for the copy. `path` must not exist.
    public func snapshot(to path: String) async throws {
        try await self.writeLock.withLock {
            let writer = try await self.openIfNeeded().writer
            try await writer.query("VACUUM INTO ?1", [.text(path)])
        }
    }

    /// `PRAGMA integrity_check`: `nil` when the database is sound, else SQLite's first complaint.
    public func integrityProblem() async throws -> String? {
        try await self.read { session in
            let rows = try await session.query("PRAGMA integrity_check")
            let verdict = try rows.first?.text("integrity_check") ?? "no answer"
            return verdict == "ok" ? nil : verdict
        }
    }

    // MARK: Transactions and reads

    /// Runs `body` in a write transaction (`BEGIN IMMEDIATE … COMMIT`, rolled back when `body` throws), after
    /// every transaction queued before it.
    @discardableResult
    func write<Result: Sendable>(_ body: (SQLiteSession) async throws -> Result) async throws -> Result {
        try await self.writeLock.withLock {
            let writer = try await self.openIfNeeded().writer
            try await writer.query("BEGIN IMMEDIATE")
            do {
                let result = try await body(writer)
                try await writer.execute("COMMIT")
                return result
            } catch {
                do {
                    try await writer.execute("ROLLBACK")
                } catch {
                    self.logger.error("SQLite rollback failed", metadata: ["error": "\(error)"])
                }
                throw error
            }
        }
    }

    /// Runs `body` on the reader connection (or, in memory, on the writer between transactions).
    func read<Result: Sendable>(_ body: (SQLiteSession) async throws -> Result) async throws -> Result {
        let connections: Connections
        switch self.state.withLock({ $0 }) {
        case .open(let open): connections = open
        case .closed: throw StorageError(.closed, "the store is closed")
        case .notOpened: connections = try await self.writeLock.withLock { try await self.openIfNeeded() }
        }
        guard let reader = connections.reader else {
            return try await self.writeLock.withLock {
                try await body(try await self.openIfNeeded().writer)
            }
        }
        return try await self.readLock.withLock {
            guard case .open = self.state.withLock({ $0 }) else { throw StorageError(.closed, "the store is closed") }
            return try await body(reader)
        }
    }

    /// Opens the connections once. Call only while holding `writeLock`.
    private func openIfNeeded() async throws -> Connections {
        switch self.state.withLock({ $0 }) {
        case .open(let connections): return connections
        case .closed: throw StorageError(.closed, "the store is closed")
        case .notOpened: break
        }
        let inMemory = self.path == ":memory:"
        let storage: SQLiteConnection.Storage = inMemory ? .memory : .file(path: self.path)
        let threads = NIOThreadPool(numberOfThreads: inMemory ? 1 : 2)
        threads.start()
        let writer: SQLiteSession
        var reader: SQLiteSession?
        do {
            writer = try await self.openConnection(storage, threads: threads, pragmas: Self.writerPragmas)
            if !inMemory {
                do {
                    reader = try await self.openConnection(storage, threads: threads, pragmas: Self.readerPragmas)
                } catch {
                    await writer.close()
                    throw error
                }
            }
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
        let connections = Connections(writer: writer, reader: reader, threads: threads)
        self.state.withLock { $0 = .open(connections) }
        self.logger.debug("SQLite store opened", metadata: ["path": "\(self.path)"])
        return connections
    }

    private static let writerPragmas = [
        "PRAGMA busy_timeout = 10000",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA temp_store = MEMORY",
        "PRAGMA cache_size = -65536",
    ]

    private static let readerPragmas = [
        "PRAGMA busy_timeout = 10000",
        "PRAGMA query_only = ON",
        "PRAGMA cache_size = -65536",
    ]

    private func openConnection(_ storage: SQLiteConnection.Storage, threads: NIOThreadPool, pragmas: [String])
        async throws -> SQLiteSession
    {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: storage, threadPool: threads, logger: self.logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
        } catch {
            self.logger.error("opening SQLite database failed", metadata: ["path": "\(self.path)", "error": "\(error)"])
            throw StorageError(.unavailable, "cannot open the SQLite database")
        }
        let session = SQLiteSession(connection: connection, logger: self.logger)
        do {
            for pragma in pragmas {
                try await session.query(pragma)
            }
            if pragmas == Self.writerPragmas {
                try await self.enableWriteAheadLog(session)
            }
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// Switches the file to WAL mode (persistent, so only the first opener changes anything). The switch needs an
    /// exclusive lock and SQLite reports `busy` at once, without waiting, while another process opens the same new
    /// file; it is retried with a growing pause, at most 20 times (about 10 s in all).
    private func enableWriteAheadLog(_ session: SQLiteSession) async throws {
        for attempt in 1...20 {
            do {
                let rows = try await session.query("PRAGMA journal_mode = WAL")
                let mode = try rows.first?.text("journal_mode")
                if mode != "wal" && self.path != ":memory:" {
                    self.logger.warning("SQLite did not enable WAL mode", metadata: ["mode": "\(mode ?? "nil")"])
                }
                return
            } catch let error as StorageError where attempt < 20 {
                self.logger.debug("enabling WAL mode is waiting", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(attempt * 50))
            }
        }
    }

    // MARK: Schema

    /// Applies pending migrations, each in its own `BEGIN IMMEDIATE` transaction (which also serialises several
    /// processes migrating the same file: each re-checks the applied versions inside its transaction).
    public func migrate() async throws {
        try await self.migrate(through: Migration.latestVersion)
    }

    /// Applies pending migrations up to and including `version` (tests build older schemas with it).
    func migrate(through version: Int) async throws {
        for migration in Migration.all where migration.version <= version {
            let applied = try await self.write { session -> Bool in
                // Inside the transaction: every write starts with BEGIN IMMEDIATE, so a connection never has to
                // upgrade a read snapshot to a write (which deadlocks against another process's writer).
                try await session.query(SchemaMigrationsTable.sqlite)
                let rows = try await session.query(
                    "SELECT 1 FROM schema_migrations WHERE version = ?1", [.integer(migration.version)])
                guard rows.isEmpty else { return false }
                do {
                    for statement in migration.sqlite {
                        try await session.query(statement)
                    }
                } catch let error as StorageError {
                    throw StorageError(
                        .migrationFailed, "migration \(migration.version) (\(migration.name)) failed: \(error.message)")
                }
                try await session.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    [.integer(migration.version), .text(migration.name), .timestamp(StoredTimestamp.now())])
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
        try await self.read { session in
            let exists = try await session.query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
            guard !exists.isEmpty else { return 0 }
            let rows = try await session.query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
            return try rows.first?.int("version") ?? 0
        }
    }
}
