import Crypto
import Foundation
import NIOPosix
import PredictionCore

/// Model artifacts on local disk, content-addressed: `<root>/sha256/<first two hex>/<sha256>.json`.
///
/// Writing the same bytes twice stores one file; reading verifies the SHA-256, so a corrupted or swapped file is
/// refused instead of loaded. Artifacts are data (JSON), never code. Files are written to a temporary name and
/// renamed, so a crash never leaves a half-written artifact under its final name. The `ArtifactRepository` methods
/// run the blocking file calls on NIO's thread pool; the synchronous ones are for tools that own the directory
/// (backup and restore).
public struct LocalArtifactRepository: ArtifactRepository {
    /// Directory holding the `sha256/` tree.
    public let root: URL

    /// Artifacts under `root` (created on first write).
    public init(root: URL) {
        self.root = root
    }

    public var location: String { self.root.path }

    public func put(_ bytes: Data) async throws -> (uri: String, sha256: String) {
        try await Self.offloaded { try self.write(bytes) }
    }

    public func get(sha256: String) async throws -> Data {
        try await Self.offloaded { try self.read(sha256: sha256) }
    }

    public func contains(sha256: String) async throws -> Bool {
        try await Self.offloaded { Self.isHash(sha256) && FileManager.default.fileExists(atPath: self.url(for: sha256).path) }
    }

    public func remove(sha256: String) async throws {
        try await Self.offloaded { try self.delete(sha256: sha256) }
    }

    public func checkReachable() async throws {
        try await Self.offloaded {
            do {
                try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
            } catch {
                throw StorageError(.unavailable, "artifact directory \(self.root.path) cannot be created: \(error.localizedDescription)")
            }
            guard FileManager.default.isWritableFile(atPath: self.root.path) else {
                throw StorageError(.unavailable, "artifact directory \(self.root.path) is not writable")
            }
        }
    }

    // MARK: Synchronous file access

    /// Stores `bytes` and returns their `file://` URI and lower-case hex SHA-256.
    public func write(_ bytes: Data) throws -> (uri: String, sha256: String) {
        let sha = Self.sha256(bytes)
        let url = self.url(for: sha)
        if !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(sha).\(UUID().uuidString).tmp")
            try bytes.write(to: temporary)
            if rename(temporary.path, url.path) != 0 {
                try? FileManager.default.removeItem(at: temporary)
                throw StorageError(.unavailable, "cannot store artifact \(sha)")
            }
        }
        return (url.absoluteString, sha)
    }

    /// Reads the artifact `sha256` and verifies its hash.
    public func read(sha256: String) throws -> Data {
        guard Self.isHash(sha256) else { throw StorageError(.invalidValue, "not a SHA-256: \(sha256)") }
        let url = self.url(for: sha256)
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw StorageError(.notFound, "artifact \(sha256) is missing from \(self.root.path)")
        }
        guard Self.sha256(bytes) == sha256 else {
            throw StorageError(.corruptRow, "artifact \(sha256) does not match its hash; refusing to load it")
        }
        return bytes
    }

    /// Removes the artifact `sha256` (no error when it is already gone).
    public func delete(sha256: String) throws {
        guard Self.isHash(sha256) else { return }
        let url = self.url(for: sha256)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
    }

    /// Where the artifact `sha256` lives.
    public func url(for sha256: String) -> URL {
        self.root.appendingPathComponent("sha256").appendingPathComponent(String(sha256.prefix(2))).appendingPathComponent("\(sha256).json")
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: Data) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `text` is a lower-case hex SHA-256.
    public static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Runs blocking file work on NIO's shared thread pool.
    private static func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
