import ArgumentParser
import Foundation
import PredictionCore
import ServiceLifecycle
import Storage

/// `stockcast artifacts sync --to s3`.
struct ArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts", abstract: "Manage model artifacts.", subcommands: [SyncCommand.self])

    /// Copies local artifacts to the configured bucket.
    struct SyncCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Copy every trained model's artifact from <data_dir>/artifacts to the S3 bucket of artifacts.s3.* (hash-checked both ways).",
            discussion: "Then start the server with the same artifacts.s3.* settings. Safe to repeat; local files are kept."
        )

        enum Target: String, ExpressibleByArgument, CaseIterable { case s3 }

        @OptionGroup var common: CommonOptions

        @Option(help: "Where to copy to (only s3).")
        var to: Target

        func run() async throws {
            let configuration = try self.common.load()
            let logger = self.common.makeLogger(configuration)
            guard let settings = configuration.artifactsS3 else {
                throw ValidationError("artifacts sync --to s3 needs artifacts.s3.endpoint, artifacts.s3.bucket and credentials in the configuration")
            }
            let storage = try StorageBackends.make(configuration, logger: logger)
            let local = LocalArtifactRepository(root: configuration.dataDirectory.appendingPathComponent("artifacts"))
            let report = try await withThrowingTaskGroup(of: ArtifactSync.Report?.self) { group in
                group.addTask {
                    try await storage.database.run()
                    return nil
                }
                defer { group.cancelAll() }
                try await storage.database.migrate()
                do {
                    return try await ArtifactSync.toS3(storage.models, from: local, to: S3ArtifactRepository(settings: settings), logger: logger)
                } catch let error as StorageError {
                    throw ValidationError("artifacts sync: \(error.message)")
                }
            }
            print("synced model artifacts to s3://\(settings.bucket)/\(settings.prefix): \(report.copied) copied, \(report.alreadyThere) already there")
            if !report.missing.isEmpty {
                print("missing in both places (train these models again): \(report.missing.joined(separator: ", "))")
                throw ExitCode(1)
            }
        }
    }
}
