import Actors
import Logging
import ServiceLifecycle
import Storage
import UnixSignals

/// Runs the services of this process's work (`ServiceParts.services`: no HTTP server) around a piece of CLI work, for when
/// no server is reachable or `--offline` is given. SIGINT/SIGTERM shut it down gracefully like the server.
enum LocalRuntime {
    static func with<T: Sendable>(
        _ configuration: AppConfiguration, logger: Logger, _ body: @escaping @Sendable (ServiceParts) async throws -> T
    ) async throws -> T {
        let parts = try makeServices(configuration, logger: logger)
        let group = ServiceGroup(
            services: parts.services,
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger
        )
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask {
                do {
                    try await parts.storage.database.migrate()
                    await parts.readiness.open()
                    let result = try await body(parts)
                    await group.triggerGracefulShutdown()
                    return result
                } catch {
                    await group.triggerGracefulShutdown()
                    throw error
                }
            }
            var result: T?
            for try await value in tasks {
                if let value { result = value }
            }
            guard let result else { throw CancellationError() }
            return result
        }
    }
}
