import Logging
import ServiceLifecycle
import Storage

/// Writes that record something already acknowledged to a client (a run or task starting or ending) must not be lost
/// to a database outage: they are retried while the store is unavailable, every 250 ms backing off to 2 s, until they
/// succeed. Only a graceful shutdown ends the wait early (the state then stays as last stored, and the next start
/// recovers it: a `running` run or task becomes `failed` "interrupted", a `pending` one is queued again).
enum DurableWrite {
    /// Performs `write`, retrying while the store is unavailable; rethrows any other error, and the outage error once
    /// the process shuts down.
    static func perform<T: Sendable>(_ what: @autoclosure () -> String, logger: Logger, _ write: () async throws -> T) async throws -> T {
        var delay = Duration.milliseconds(250)
        var logged = false
        while true {
            do {
                let value = try await write()
                if logged { logger.notice("stored after the database came back", metadata: ["what": "\(what())"]) }
                return value
            } catch let error as StorageError where error.isOutage && !Task.isShuttingDownGracefully && !Task.isCancelled {
                if !logged {
                    logger.warning("database unavailable; retrying until it answers", metadata: ["what": "\(what())"])
                    logged = true
                }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
