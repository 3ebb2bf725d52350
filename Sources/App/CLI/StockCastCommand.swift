import ArgumentParser
import Foundation
import Logging

/// `stockcast`: the server and its command-line tools, all reading the same configuration.
@main
struct StockCastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stockcast",
        abstract: "Stock market data, ETL and forecasting in one binary.",
        subcommands: [
            ServeCommand.self, ETLCommand.self, DatasetsCommand.self, TrainCommand.self, PredictCommand.self, BacktestCommand.self,
            KafkaMockCommand.self, BackupCommand.self, RestoreCommand.self, ArtifactsCommand.self,
        ]
    )
}

/// Options every command shares: they select the configuration (see README "Configuration").
struct CommonOptions: ParsableArguments {
    @Option(help: "JSON configuration file (overrides Config/default.json; env STOCKCAST_CONFIG).")
    var config: String?

    @Option(help: "Data directory holding the SQLite database, admin.key and import/ (env STOCKCAST_DATA_DIR; default ./var).")
    var dataDir: String?

    @Option(help: "Address to bind or to reach the server at (env STOCKCAST_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to bind or to reach the server at (env STOCKCAST_PORT; default 8080).")
    var port: Int?

    @Option(help: "PostgreSQL URL; selects PostgreSQL instead of SQLite (env STOCKCAST_POSTGRES_URL).")
    var postgresURL: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    /// Loads the merged configuration with these flags on top.
    func load(_ extra: [String: String] = [:]) throws -> AppConfiguration {
        var overrides = extra
        overrides["data_dir"] = self.dataDir
        overrides["http.host"] = self.host
        overrides["http.port"] = self.port.map(String.init)
        overrides["storage.postgres.url"] = self.postgresURL
        overrides["log.level"] = self.logLevel
        do {
            return try AppConfiguration.load(configFile: self.config, overrides: overrides)
        } catch let error as ConfigurationError {
            throw ValidationError("configuration: \(error.description)")
        }
    }

    /// Bootstraps logging to standard error at the configured level and returns the process logger.
    func makeLogger(_ configuration: AppConfiguration, label: String = "stockcast") -> Logger {
        LoggingBootstrap.once(level: Logger.Level(rawValue: configuration.logLevel) ?? .info)
        return Logger(label: label)
    }
}

/// Bootstraps swift-log exactly once per process.
enum LoggingBootstrap {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var done = false

    static func once(level: Logger.Level) {
        lock.lock()
        defer { lock.unlock() }
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
