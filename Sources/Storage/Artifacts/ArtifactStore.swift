import Crypto
import Foundation
import PredictionCore

/// Model artifacts on local disk, content-addressed: `<root>/sha256/<first two hex>/<sha256>.json`.
///
/// Writing the same bytes twice stores one file; reading verifies the SHA-256, so a corrupted or swapped file is
/// refused instead of loaded. Artifacts are data (JSON), never code. Files are written to a temporary name and
/// renamed, so a crash never leaves a half-written artifact under its final name.
public struct ArtifactStore: Sendable {
    /// Directory holding the `sha256/` tree.
    public let root: URL

    /// An artifact store under `root` (created on first write).
    public init(root: URL) {
        self.root = root
    }

    /// Stores `bytes` and returns their `file://` URI and lower-case hex SHA-256.
    public func put(_ bytes: Data) throws -> (uri: String, sha256: String) {
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
    public func get(sha256: String) throws -> Data {
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
    public func remove(sha256: String) throws {
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

    private static func isHash(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
