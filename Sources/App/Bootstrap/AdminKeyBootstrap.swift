import Foundation
import Logging
import Storage

/// First start: when no API key exists, creates an admin key, prints it once and writes it to `<data_dir>/admin.key`
/// (mode 0600) for the CLI.
enum AdminKeyBootstrap {
    /// Creates the first admin key if there is none; returns the secret when one was created.
    @discardableResult
    static func ensureAdminKey(store: any StockCastStore, file: URL, logger: Logger) async throws -> String? {
        guard try await store.apiKeys().isEmpty else { return nil }
        let secret = APIKeySecret()
        _ = try await store.createAPIKey(name: "admin (created at first start)", role: .admin, prefix: secret.prefix, hash: secret.hash)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.createFile(atPath: file.path, contents: Data((secret.value + "\n").utf8), attributes: [.posixPermissions: 0o600]) {
            logger.warning("could not write the admin key file; the key is shown only below", metadata: ["file": "\(file.path)"])
        }
        print(
            """

            ┌──────────────────────────────────────────────────────────────────────────────┐
              First start: created an admin API key (shown once, also in \(file.path), mode 0600)
              \(secret.value)
              Use it as  Authorization: Bearer <key>  for routes that change state.
            └──────────────────────────────────────────────────────────────────────────────┘

            """
        )
        logger.notice("created the first admin API key", metadata: ["file": "\(file.path)", "prefix": "\(secret.prefix)"])
        return secret.value
    }
}
