import Logging
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
        _ = try? await self.writeLock.withLock {
            try await self.readLock.withLock {
                let previous = self.state.withLock { state -> ConnectionState in
                    defer { state = .closed }
                    return state
                }
                guard case .open(let connections) = previous else { return }
                await Self.closeQuietly(connections.writer.connection, logger: self.logger)
                if let reader = connections.reader {
                    await Self.closeQuietly(reader.connection, logger: self.logger)
                }
                self.logger.debug("SQLite store closed", metadata: ["path": "\(self.path)"])
            }
        }
    }

    private static func closeQuietly(_ connection: SQLiteConnection, logger: Logger) async {
        do {
            try await connection.close()
        } catch {
            logger.warning("closing an SQLite connection failed", metadata: ["error": "\(error)"])
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
                try await writer.query("COMMIT")
                return result
            } catch {
                do {
                    try await writer.query("ROLLBACK")
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
        let writer = try await self.openConnection(storage, pragmas: Self.writerPragmas)
        var reader: SQLiteSession?
        if !inMemory {
            do {
                reader = try await self.openConnection(storage, pragmas: Self.readerPragmas)
            } catch {
                await Self.closeQuietly(writer.connection, logger: self.logger)
                throw error
            }
        }
        let connections = Connections(writer: writer, reader: reader)
        self.state.withLock { $0 = .open(connections) }
        self.logger.debug("SQLite store opened", metadata: ["path": "\(self.path)"])
        return connections
    }

    private static let writerPragmas = [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA foreign_keys = ON",
        "PRAGMA busy_timeout = 10000",
        "PRAGMA temp_store = MEMORY",
        "PRAGMA cache_size = -65536",
    ]

    private static let readerPragmas = [
        "PRAGMA busy_timeout = 10000",
        "PRAGMA query_only = ON",
        "PRAGMA cache_size = -65536",
    ]

    private func openConnection(_ storage: SQLiteConnection.Storage, pragmas: [String]) async throws -> SQLiteSession {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: storage, logger: self.logger)
        } catch {
            self.logger.error("opening SQLite database failed", metadata: ["path": "\(self.path)", "error": "\(error)"])
            throw StorageError(.unavailable, "cannot open the SQLite database")
        }
        let session = SQLiteSession(connection: connection, logger: self.logger)
        do {
            for pragma in pragmas {
                try await session.query(pragma)
            }
        } catch {
            await Self.closeQuietly(connection, logger: self.logger)
            throw error
        }
        return session
    }

    // MARK: Schema

    /// Applies pending migrations, each in its own `BEGIN IMMEDIATE` transaction (which also serialises several
    /// processes migrating the same file: each re-checks the applied versions inside its transaction).
    public func migrate() async throws {
        try await self.writeLock.withLock {
            let writer = try await self.openIfNeeded().writer
            try await writer.query(SchemaMigrationsTable.sqlite)
        }
        for migration in Migration.all {
            let applied = try await self.write { session -> Bool in
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
