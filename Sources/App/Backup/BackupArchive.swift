import Crypto
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// A backup of one data directory: `stockcast.sqlite` (a consistent online snapshot), the model artifacts, and
/// `manifest.json` listing every file with its size and SHA-256.
///
/// - `create` works while a server runs on the same data directory: the database is copied with `VACUUM INTO`
///   (one read transaction), then the artifacts, which are content-addressed and written before any model row names
///   them, so every artifact the snapshot refers to is in the backup.
/// - `restore` refuses a backup whose files do not match the manifest, and a data directory that already holds a
///   database unless forced; it checks the restored database (`PRAGMA integrity_check`) and that every trained model's
///   artifact is present.
/// - With PostgreSQL the database is the operator's to dump (`pg_dump`, README); `create` then backs up the artifacts
///   and says so.
/// Admin key files and uploads are not part of a backup: keys are stored hashed in the database and keep working.
enum BackupArchive {
    /// `manifest.json`.
    struct Manifest: Codable, Equatable {
        struct Entry: Codable, Equatable {
            let path: String
            let bytes: Int
            let sha256: String
        }

        var format = 1
        let created_at: Date
        let storage: String
        let schema_version: Int
        let models_with_artifacts: Int
        let files: [Entry]
    }

    /// What went wrong, for the person running the command.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let databaseName = "stockcast.sqlite"
    static let manifestName = "manifest.json"

    // MARK: Create

    /// Backs up `configuration`'s data directory into `directory` (created; must be empty or absent).
    static func create(_ configuration: AppConfiguration, into directory: URL, logger: Logger) async throws -> Manifest {
        let fileManager = FileManager.default
        if let contents = try? fileManager.contentsOfDirectory(atPath: directory.path), !contents.isEmpty {
            throw Failure("\(directory.path) is not empty: back up into a new directory")
        }
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        let storage: String
        let schemaVersion: Int
        let referenced: [String]
        if let url = configuration.postgresURL {
            storage = "postgres"
            let store = try PostgresStore(url: url, logger: logger)
            (schemaVersion, referenced) = try await Self.whileRunning(store) {
                (try await store.schemaVersion(), try await Self.referencedArtifacts(store))
            }
        } else {
            storage = "sqlite"
            let path = configuration.dataDirectory.appendingPathComponent(configuration.sqliteFile).path
            guard fileManager.fileExists(atPath: path) else { throw Failure("no database at \(path): nothing to back up") }
            let store = SQLiteStore(path: path, logger: logger)
            let snapshot = directory.appendingPathComponent(Self.databaseName).path
            (schemaVersion, referenced) = try await Self.whileRunning(store) {
                try await store.snapshot(to: snapshot)
                return (try await store.schemaVersion(), try await Self.referencedArtifacts(store))
            }
        }
        // Artifacts after the database: every artifact the snapshot names existed before its row was written.
        let artifacts = configuration.dataDirectory.appendingPathComponent("artifacts")
        for sha in referenced {
            let source = LocalArtifactRepository(root: artifacts).url(for: sha)
            let target = LocalArtifactRepository(root: directory.appendingPathComponent("artifacts")).url(for: sha)
            try fileManager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard fileManager.fileExists(atPath: source.path) else { throw Failure("artifact \(sha) named by the database is missing from \(artifacts.path)") }
            if !fileManager.fileExists(atPath: target.path) { try fileManager.copyItem(at: source, to: target) }
        }
        let manifest = Manifest(
            created_at: Date(), storage: storage, schema_version: schemaVersion, models_with_artifacts: referenced.count,
            files: try Self.entries(in: directory))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: directory.appendingPathComponent(Self.manifestName))
        return manifest
    }

    // MARK: Restore

    /// Restores the backup in `directory` into `configuration`'s data directory.
    static func restore(_ configuration: AppConfiguration, from directory: URL, force: Bool, logger: Logger) async throws -> Manifest {
        let manifest = try Self.verified(directory)
        guard manifest.storage == "sqlite" else {
            throw Failure("this backup holds artifacts only (storage \(manifest.storage)): restore the database with pg_restore, then copy artifacts/ into the data directory")
        }
        guard configuration.postgresURL == nil else { throw Failure("the configuration selects PostgreSQL; a SQLite backup restores into a SQLite data directory") }
        let fileManager = FileManager.default
        let data = configuration.dataDirectory
        let database = data.appendingPathComponent(configuration.sqliteFile)
        if fileManager.fileExists(atPath: database.path) {
            guard force else { throw Failure("\(database.path) exists: stop the server and pass --force to replace it") }
            for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: database.path + suffix) }
        }
        try fileManager.createDirectory(at: data, withIntermediateDirectories: true)
        try fileManager.copyItem(at: directory.appendingPathComponent(Self.databaseName), to: database)
        let target = data.appendingPathComponent("artifacts")
        for entry in manifest.files where entry.path.hasPrefix("artifacts/") {
            let to = data.appendingPathComponent(entry.path)
            try fileManager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !fileManager.fileExists(atPath: to.path) { try fileManager.copyItem(at: directory.appendingPathComponent(entry.path), to: to) }
        }
        let store = SQLiteStore(path: database.path, logger: logger)
        try await Self.whileRunning(store) {
            if let problem = try await store.integrityProblem() { throw Failure("the restored database fails its integrity check: \(problem)") }
            try await store.migrate()
            for sha in try await Self.referencedArtifacts(store) {
                _ = try LocalArtifactRepository(root: target).read(sha256: sha)
            }
        }
        return manifest
    }

    /// The manifest of `directory`, after checking every file it lists (and that it lists every file).
    static func verified(_ directory: URL) throws -> Manifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(Self.manifestName).path),
            let manifest = try? decoder.decode(Manifest.self, from: data)
        else { throw Failure("\(directory.path) has no readable \(Self.manifestName): not a stockcast backup") }
        let present = try Self.entries(in: directory)
        let listed = Dictionary(manifest.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in present {
            guard let expected = listed[entry.path] else { throw Failure("\(entry.path) is not in the manifest") }
            guard expected == entry else { throw Failure("\(entry.path) does not match the manifest (size or SHA-256 differ): the backup is damaged") }
        }
        let missing = Set(listed.keys).subtracting(present.map(\.path))
        guard missing.isEmpty else { throw Failure("missing from the backup: \(missing.sorted().joined(separator: ", "))") }
        return manifest
    }

    // MARK: Helpers

    /// The artifact hashes of every trained model.
    private static func referencedArtifacts(_ store: any StockCastStore) async throws -> [String] {
        var hashes: Set<String> = []
        var offset = 0
        while true {
            let page = try await store.models(of: nil, offset: offset, limit: 500)
            hashes.formUnion(page.compactMap(\.artifactSHA256))
            guard page.count == 500 else { break }
            offset += 500
        }
        return hashes.sorted()
    }

    /// Every file under `directory` except the manifest, with size and SHA-256, by path.
    private static func entries(in directory: URL) throws -> [Manifest.Entry] {
        let root = directory.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var entries: [Manifest.Entry] = []
        for case let relative as String in enumerator where relative != Self.manifestName {
            var isDirectory: ObjCBool = false
            let path = root + "/" + relative
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let (size, digest) = try Self.sha256(ofFile: path)
            entries.append(Manifest.Entry(path: relative, bytes: size, sha256: digest))
        }
        return entries.sorted { $0.path < $1.path }
    }

    /// Size and SHA-256 of a file, read in 1 MiB chunks (a database may be larger than memory should hold).
    private static func sha256(ofFile path: String) throws -> (Int, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        return (size, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// Runs `body` with `store` running, then stops it.
    private static func whileRunning<T: Sendable>(_ store: some StockCastStore, _ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await store.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}
