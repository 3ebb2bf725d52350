import Foundation
import NIOConcurrencyHelpers

/// The origins (`scheme://host[:port]`) browsers reach this server at, which WebSocket upgrades must come from.
///
/// `http.public_origins` names them (behind a proxy: `https://stockcast.example.com`); when it is empty they are
/// derived from the bind address and the port actually bound (known once the server listens, so port 0 works):
/// for a loopback or wildcard bind `http://127.0.0.1:P`, `http://localhost:P` and `http://[::1]:P`, else
/// `http://HOST:P`. `websocket.allowed_origins` adds more (e.g. a dashboard on another site). The `Host` header is
/// never consulted: it is chosen by the client, so `Host: evil.example` with `Origin: http://evil.example` (DNS
/// rebinding) must not pass.
final class PublicOrigins: Sendable {
    private let configured: [String]
    private let additional: [String]
    private let host: String
    private let scheme: String
    private let port: NIOLockedValueBox<Int>

    /// - Parameters:
    ///   - configured: `http.public_origins` (empty = derive).
    ///   - additional: `websocket.allowed_origins`.
    ///   - host: `http.host`.
    ///   - port: `http.port` (0 until `bound(port:)` is called).
    ///   - secure: whether TLS is on (`https` origins).
    init(configured: [String], additional: [String], host: String, port: Int, secure: Bool) {
        self.configured = configured.map(Self.normalized)
        self.additional = additional.map(Self.normalized)
        self.host = host
        self.scheme = secure ? "https" : "http"
        self.port = NIOLockedValueBox(port)
    }

    /// Records the port the server listens on.
    func bound(port: Int) {
        self.port.withLockedValue { $0 = port }
    }

    /// The origins of this server, first the one to show users.
    var origins: [String] {
        if !self.configured.isEmpty { return self.configured }
        let port = self.port.withLockedValue { $0 }
        let defaultPort = (self.scheme == "https" && port == 443) || (self.scheme == "http" && port == 80)
        let suffix = defaultPort ? "" : ":\(port)"
        let loopback = ["127.0.0.1", "localhost", "[::1]"]
        let hosts = ["127.0.0.1", "localhost", "::1", "0.0.0.0", "::", ""].contains(self.host) ? loopback : [self.bracketed(self.host)]
        return hosts.map { "\(self.scheme)://\($0)\(suffix)" }
    }

    /// Whether a browser `Origin` may open WebSockets here. A `ws://` or `wss://` origin is what non-browser clients
    /// send (browsers never do): it passes when its host is one of this server's hosts.
    func allows(_ origin: String) -> Bool {
        let origin = Self.normalized(origin)
        let known = self.origins + self.additional
        if known.contains(origin) { return true }
        for (socketScheme, pageScheme) in [("ws://", "http://"), ("wss://", "https://")] where origin.hasPrefix(socketScheme) {
            let host = origin.dropFirst(socketScheme.count)
            return known.contains { $0 == pageScheme + host || $0.hasPrefix(pageScheme + host + ":") }
        }
        return false
    }

    private func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    /// Lower-case, without a trailing slash (`https://Example.com/` → `https://example.com`).
    private static func normalized(_ origin: String) -> String {
        var text = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
