import ArgumentParser
import Hummingbird
import UnixSignals

/// `stockcast serve`: REST API, ETL pipeline and schedule in one process until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server (embedded SQLite by default; PostgreSQL with --postgres-url).",
        discussion: "Graceful shutdown on SIGINT/SIGTERM: in-flight requests finish, ETL runs stop at a step boundary and are recorded as interrupted."
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }
}
