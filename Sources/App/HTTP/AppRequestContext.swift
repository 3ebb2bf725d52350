import Foundation
import Hummingbird
import NIOCore
import Storage

/// Request context of every route: the client address (for auth rate limiting) and the authenticated key, if any.
struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// Peer address of the connection.
    let remoteAddress: SocketAddress?
    /// The API key that authenticated this request (set by `AuthMiddleware`).
    var apiKey: APIKeyRecord?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// JSON answers: ISO 8601 dates, keys in a stable (sorted) order, slashes unescaped.
    var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Bodies are collected explicitly with per-route limits (`RequestBodyReader`); this is the framework's cap.
    var maxUploadSize: Int { 1 << 30 }
}
