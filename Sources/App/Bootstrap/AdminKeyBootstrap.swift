import Foundation
import Logging
import Storage

/// First start: when no API key exists, creates an admin key and writes it to `<data_dir>/admin.key` (mode 0600) for
/// the CLI and the person starting the server. The key itself is never printed or logged (logs are read by more
/// people than the data directory); the start-up banner says where the file is.
enum AdminKeyBootstrap {
    /// Creates the first admin key if there is none; returns `true` when one was created.
    @discardableResult
    static func ensureAdminKey(keys: any APIKeyStore, file: URL, logger: Logger) async throws -> Bool {
        guard try await keys.apiKeys(after: nil, limit: 1).isEmpty else { return false }
        let secret = APIKeySecret()
        let record = try await keys.createAPIKey(
            NewAPIKey(name: "admin (created at first start)", role: .admin, prefix: secret.prefix, hash: secret.hash))
        if !AdminKeyFile(url: file).write(secret.value) {
            // Without the file nobody could ever use the key: revoke it and stop rather than run with no usable admin.
            _ = try? await keys.revokeAPIKey(id: record.id)
            throw ConfigurationError("cannot write the admin key file \(file.path): check that the data directory is writable")
        }
        logger.notice("created the first admin API key", metadata: ["file": "\(file.path)", "key_prefix": "\(secret.prefix)"])
        return true
    }
}
