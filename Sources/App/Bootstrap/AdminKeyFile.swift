import Foundation
import Logging

/// `<data_dir>/admin.key`: the first admin key, for the CLI on the same machine (mode 0600). It follows the key: a
/// rotation of that key writes the new secret, a revocation removes the file, so it never holds a key that no
/// longer works.
struct AdminKeyFile: Sendable {
    let url: URL

    /// Whether the file holds the key whose SHA-256 is `hash`.
    func holds(hash: String) -> Bool {
        guard let text = try? String(contentsOf: self.url, encoding: .utf8) else { return false }
        return APIKeySecret.hash(of: text.trimmingCharacters(in: .whitespacesAndNewlines)) == hash
    }

    /// Writes `secret` (mode 0600); `false` when it could not be written.
    @discardableResult
    func write(_ secret: String) -> Bool {
        try? FileManager.default.createDirectory(at: self.url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: self.url)
        return FileManager.default.createFile(atPath: self.url.path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
    }

    /// Keeps the file in step after key `hash` was retired: the replacement's secret when there is one, else no file.
    func follow(retiredHash hash: String, replacement: String?, logger: Logger) {
        guard self.holds(hash: hash) else { return }
        if let replacement {
            if self.write(replacement) {
                logger.notice("admin.key now holds the rotated admin key", metadata: ["file": "\(self.url.path)"])
            } else {
                logger.warning("could not write the rotated admin key to admin.key", metadata: ["file": "\(self.url.path)"])
            }
        } else {
            try? FileManager.default.removeItem(at: self.url)
            logger.notice("removed admin.key: it held the revoked key", metadata: ["file": "\(self.url.path)"])
        }
    }
}
