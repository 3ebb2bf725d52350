import struct Foundation.Data

/// Where model artifacts live: content-addressed by their SHA-256, so writing the same bytes twice stores one object
/// and a reader always verifies what it got. `LocalArtifactRepository` keeps them in a directory.
///
/// Implementations do their I/O off Swift's cooperative pool and off any actor: callers just `await`.
public protocol ArtifactRepository: Sendable {
    /// Where the artifacts are, for messages and the start-up log (never a credential).
    var location: String { get }
    /// Stores `bytes` (once per content) and returns their URI and lower-case hex SHA-256.
    func put(_ bytes: Data) async throws -> (uri: String, sha256: String)
    /// The artifact `sha256`, verified: `.notFound` when it is missing, `.corruptRow` when the bytes do not match.
    func get(sha256: String) async throws -> Data
    /// Whether the artifact `sha256` is stored (not read, not verified).
    func contains(sha256: String) async throws -> Bool
    /// Removes the artifact `sha256`; no error when it is already gone.
    func remove(sha256: String) async throws
    /// Throws `.unavailable` (with a message naming what to fix) when artifacts cannot be written or read now.
    func checkReachable() async throws
}
