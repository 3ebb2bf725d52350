import Crypto
import Foundation

/// A freshly generated API key secret: `sck_` + 64 hex characters (256 random bits). Only its SHA-256 is stored;
/// a plain hash is the right tool for high-entropy random tokens (no dictionary to defend against).
struct APIKeySecret: Sendable {
    /// The full secret, shown once.
    let value: String

    /// Generates a new random secret.
    init() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.value = "sck_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The first 12 characters, stored to recognise the key in lists.
    var prefix: String { String(self.value.prefix(12)) }

    /// Lower-case hex SHA-256 of the secret.
    var hash: String { Self.hash(of: self.value) }

    /// What may be logged of a presented key: its first 12 characters (`sck_` and 8 hex digits, as stored to recognise
    /// keys in lists) when it is at least key-sized, so a mistyped short secret is never written out whole; else only
    /// its length.
    static func loggablePrefix(of presented: String) -> String {
        guard presented.count >= 24 else { return "<\(presented.count) characters>" }
        return String(presented.prefix(12).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "?" })
    }

    /// Lower-case hex SHA-256 of any presented key.
    static func hash(of presented: String) -> String {
        SHA256.hash(data: Data(presented.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
