import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import NIOCore
import NIOSSL

extension HTTPServerBuilder {
    /// HTTP/1.1 with the WebSocket upgrade of `webSocketRouter`, behind the connection defences of `HardenedChannel`:
    /// the decoder enforces the same head limits as `ConnectionGuard` on every later request of a connection, and
    /// keep-alive connections close after `limits.idleTimeout` between requests. With `tls`, everything runs inside
    /// TLS (the guard sees decrypted bytes, and its deadline bounds the handshake too).
    static func stockcast(
        webSocketRouter: Router<StreamRequestContext>, limits: ConnectionLimits, counter: ConnectionCounter, pingSeconds: Int,
        tls: TLSConfiguration?, upgradeCheck: @escaping FirstRequestGate.UpgradeCheck
    ) -> HTTPServerBuilder {
        let webSocketResponder = webSocketRouter.buildResponder()
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes, maxHeaderFieldCount: limits.maxHeaderCount)
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(idleTimeout: TimeAmount(limits.idleTimeout), httpDecoderConfiguration: decoder),
            ws: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(pingSeconds)))
        )
        return HTTPServerBuilder { responder -> any ServerChildChannel in
            let hardened = HardenedChannel(
                inner: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder, configuration: configuration),
                limits: limits, counter: counter, upgradeCheck: upgradeCheck)
            guard let tls else { return hardened }
            return try TLSChannel(hardened, tlsConfiguration: tls)
        }
    }
}
