import Foundation
import PostgresNIO
import PredictionCore

/// A parsed `postgres://user:password@host:port/database?sslmode=…` URL (also `postgresql://`).
///
/// Defaults follow libpq: port 5432, user `postgres`, database = user, `sslmode=prefer`. Supported `sslmode`
/// values: `disable`, `allow`/`prefer` (TLS when the server offers it, without certificate checks), `require`
/// (TLS, without certificate checks), `verify-ca` (checks the chain) and `verify-full` (chain and host name).
/// Percent-encoded user names, passwords and database names are decoded. `description` never shows the password.
public struct PostgresURL: Sendable, CustomStringConvertible {
    /// How TLS is used.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// User name.
    public var username: String
    /// Password, when the URL has one.
    public var password: String?
    /// Database name.
    public var database: String
    /// TLS mode.
    public var sslMode: SSLMode

    /// Parses `text`; throws `StorageError(.invalidConfiguration)` with a message that never repeats the password.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw StorageError(
                .invalidConfiguration, "the database URL must look like postgres://user:password@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StorageError(.invalidConfiguration, "the database URL has no host")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw StorageError(.invalidConfiguration, "the database URL has an invalid port")
        }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        let user = components.user ?? ""
        self.username = user.isEmpty ? "postgres" : user
        self.password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else {
            throw StorageError(.invalidConfiguration, "the database URL path must be a single database name")
        }
        let database = path
        self.database = database.isEmpty ? self.username : database
        self.sslMode = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    let allowed = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw StorageError(.invalidConfiguration, "sslmode must be one of \(allowed)")
                }
                self.sslMode = mode
            default:
                throw StorageError(.invalidConfiguration, "unsupported database URL parameter \(item.name)")
            }
        }
    }

    /// The URL without the password.
    public var description: String {
        let credentials = self.password == nil ? self.username : "\(self.username):***"
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "postgres://\(credentials)@\(host):\(self.port)/\(self.database)?sslmode=\(self.sslMode.rawValue)"
    }

    /// The client configuration for this URL.
    public var configuration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch self.sslMode {
        case .disable:
            tls = .disable
        case .allow, .prefer:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = .prefer(config)
        case .require:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = .require(config)
        case .verifyCA:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .noHostnameVerification
            tls = .require(config)
        case .verifyFull:
            tls = .require(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: self.host, port: self.port, username: self.username, password: self.password,
            database: self.database, tls: tls)
    }
}
