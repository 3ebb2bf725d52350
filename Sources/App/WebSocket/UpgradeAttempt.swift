import Foundation
import Hummingbird
import NIOHTTP1

/// What a WebSocket upgrade request presents, read the same way from the raw head (`FirstRequestGate`) and from a
/// routed request (the WebSocket router, the HTTP refusal route), so every path applies one check.
///
/// Keys travel in `Sec-WebSocket-Protocol` (browsers: `new WebSocket(url, ["stockcast", "bearer." + key])`, the
/// server selects `stockcast`) or, for programs, in `Authorization: Bearer`. Never in the URL: a `key` or `token`
/// query parameter is refused, since URLs end up in logs and browser consoles.
struct UpgradeAttempt: Sendable {
    /// The subprotocol the server selects when a client offers it.
    static let subprotocol = "stockcast"
    /// Prefix of the subprotocol entry that carries a key.
    static let keyProtocolPrefix = "bearer."

    /// Path without query, e.g. `/ws/predictions`.
    let path: String
    /// Names of the query parameters.
    let queryNames: Set<String>
    /// `Origin`, when sent (browsers always send it).
    let origin: String?
    /// The offered subprotocols, in order.
    let protocols: [String]
    /// `Authorization` header.
    let authorization: String?
    /// Client address.
    let address: String?

    init(head: HTTPRequestHead, address: String?) {
        let (path, query) = Self.split(head.uri)
        self.init(
            path: path, query: query, origin: head.headers.first(name: "Origin"),
            protocols: head.headers[canonicalForm: "Sec-WebSocket-Protocol"].map(String.init),
            authorization: head.headers.first(name: "Authorization"), address: address
        )
    }

    init(request: Request, address: String?) {
        let protocols = request.headers[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
        self.init(
            path: request.uri.path, query: request.uri.query, origin: request.headers[.origin],
            protocols: protocols.map { $0.trimmingCharacters(in: .whitespaces) }, authorization: request.headers[.authorization], address: address
        )
    }

    private init(path: String, query: String?, origin: String?, protocols: [String], authorization: String?, address: String?) {
        self.path = path
        self.queryNames = Set((query ?? "").split(separator: "&").map { String($0.split(separator: "=", maxSplits: 1).first ?? "") })
        self.origin = origin
        self.protocols = protocols
        self.authorization = authorization
        self.address = address
    }

    /// Whether the head asks for a WebSocket (`Upgrade: websocket`, any case).
    static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
        head.headers["Upgrade"].contains { $0.lowercased().contains("websocket") }
    }

    /// The channel name of `/ws/{channel}`, or `nil` for any other path.
    var channelName: String? {
        let parts = self.path.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0] == "ws" else { return nil }
        return String(parts[1])
    }

    /// The key from `Sec-WebSocket-Protocol: bearer.<key>` or `Authorization: Bearer <key>`.
    var presentedKey: String? {
        if let entry = self.protocols.first(where: { $0.hasPrefix(Self.keyProtocolPrefix) }) {
            let key = String(entry.dropFirst(Self.keyProtocolPrefix.count))
            return key.isEmpty ? nil : key
        }
        return self.authorization.flatMap(AuthMiddleware.bearerKey(fromHeader:))
    }

    /// Whether the client put a key in the URL (refused).
    var hasKeyInURL: Bool { !self.queryNames.isDisjoint(with: ["key", "token", "api_key"]) }

    /// Whether the client offered our subprotocol (then the server must select it).
    var offersSubprotocol: Bool { self.protocols.contains(Self.subprotocol) }

    private static func split(_ uri: String) -> (String, String?) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, nil) }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }
}
