import Logging
import NIOCore
import PredictionCore
import SQLiteNIO

/// One SQLite connection with the store's logger: runs statements and turns driver errors into `StorageError`s
/// whose message is safe to show (the driver's message, which may quote values, is only logged).
///
/// `query` is cancellable (sqlite-nio skips a statement whose task was cancelled before it started, throwing
/// `CancellationError`). Transaction control and closing go through `execute`/`close`, which always run: a cancelled
/// task must still be able to roll back and close, or the connection would be left inside a transaction.
struct SQLiteSession: Sendable {
    /// The connection statements run on.
    let connection: SQLiteConnection
    /// Where driver errors are logged.
    let logger: Logger

    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    func query(_ sql: String, _ binds: [SQLiteData] = [], file: String = #fileID, line: Int = #line) async throws
        -> [SQLiteRow]
    {
        do {
            return try await self.connection.query(sql, binds)
        } catch let error as SQLiteError {
            self.logger.error(
                "SQLite statement failed", metadata: ["error": "\(error)", "sql.prefix": "\(sql.prefix(80))"])
            throw StorageError(.queryFailed, "database statement failed (\(error.reason))", file: file, line: line)
        }
    }

    /// Runs one statement with bound parameters, calling `onRow` for each row without collecting them.
    func forEachRow(
        _ sql: String, _ binds: [SQLiteData], file: String = #fileID, line: Int = #line,
        _ onRow: @escaping @Sendable (SQLiteRow) -> Void
    ) async throws {
        do {
            try await self.connection.query(sql, binds, onRow)
        } catch let error as SQLiteError {
            self.logger.error(
                "SQLite statement failed", metadata: ["error": "\(error)", "sql.prefix": "\(sql.prefix(80))"])
            throw StorageError(.queryFailed, "database statement failed (\(error.reason))", file: file, line: line)
        }
    }

    /// Runs one statement that must not be skipped when the task is cancelled (`COMMIT`, `ROLLBACK`).
    func execute(_ sql: String, file: String = #fileID, line: Int = #line) async throws {
        let done: EventLoopFuture<Void> = self.connection.query(sql, [], logger: self.logger) { _ in }
        do {
            try await done.get()
        } catch let error as SQLiteError {
            self.logger.error("SQLite statement failed", metadata: ["error": "\(error)", "sql": "\(sql)"])
            throw StorageError(.queryFailed, "database statement failed (\(error.reason))", file: file, line: line)
        }
    }

    /// Closes the connection, also from a cancelled task; failures are logged.
    func close() async {
        let closed: EventLoopFuture<Void> = self.connection.close()
        do {
            try await closed.get()
        } catch {
            self.logger.warning("closing an SQLite connection failed", metadata: ["error": "\(error)"])
        }
    }
}
