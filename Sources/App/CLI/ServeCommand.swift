import ArgumentParser
import Foundation
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

    @Option(help: "What this instance does, comma-separated: api (REST, UI, streams), worker (runs training and forecast tasks), scheduler (claims the daily ETL). Default all (instance.roles).")
    var roles: String?

    func run() async throws {
        var extra: [String: String] = [:]
        extra["instance.roles"] = self.roles
        let configuration = try self.common.load(extra)
        let logger = self.common.makeLogger(configuration)
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        // Every service has finished (requests answered, runs and tasks recorded, store closed). Exit now rather than
        // when `app` is released: destroying a Kafka client joins librdkafka's threads, which can wait ~30 s for
        // brokers that are gone.
        withExtendedLifetime(app) { Foundation.exit(0) }
    }
}
