import ArgumentParser
import Foundation

/// `stockcast backup --to DIR`: a consistent copy of the data directory, online (the server may keep running).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up the database (online, consistent) and the model artifacts into a new directory, with a manifest of SHA-256s.",
        discussion: "With PostgreSQL (storage.postgres.url) only the artifacts are copied: dump the database with pg_dump (see README)."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Directory to write the backup into (created; must be empty).")
    var to: String

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        do {
            let manifest = try await BackupArchive.create(configuration, into: URL(fileURLWithPath: self.to), logger: logger)
            let bytes = manifest.files.reduce(0) { $0 + $1.bytes }
            print("backed up \(manifest.files.count) files (\(bytes) bytes, schema v\(manifest.schema_version), \(manifest.models_with_artifacts) model artifacts) into \(self.to)")
            if manifest.storage == "postgres" {
                print("the database is PostgreSQL: dump it too, e.g. pg_dump --format=custom --file=\(self.to)/stockcast.pgdump \"$STOCKCAST_POSTGRES_URL\"")
            }
        } catch let failure as BackupArchive.Failure {
            throw ValidationError("backup: \(failure.description)")
        }
    }
}

/// `stockcast restore --from DIR`: checks a backup against its manifest and puts it in place.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `stockcast backup` into the data directory (stop the server first).",
        discussion: "Every file is checked against the manifest's SHA-256 before anything is written; an existing database is replaced only with --force."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "Directory of the backup.")
    var from: String

    @Flag(help: "Replace an existing database in the data directory.")
    var force = false

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        do {
            let manifest = try await BackupArchive.restore(configuration, from: URL(fileURLWithPath: self.from), force: self.force, logger: logger)
            print("restored the backup of \(manifest.created_at.formatted(.iso8601)) (\(manifest.files.count) files, \(manifest.models_with_artifacts) model artifacts verified) into \(configuration.dataDirectory.path)")
        } catch let failure as BackupArchive.Failure {
            throw ValidationError("restore: \(failure.description)")
        }
    }
}
