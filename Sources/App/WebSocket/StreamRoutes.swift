import Actors
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket

/// Request context of WebSocket upgrades: the peer address (auth failures are limited per address).
struct StreamRequestContext: WebSocketRequestContext, RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let remoteAddress: SocketAddress?
    /// The connection's event loop (the writer waits on it after each batch; see `StreamRoutes`).
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
        self.eventLoop = source.channel.eventLoop
    }
}

/// `GET /ws/{predictions,metrics,alerts,tasks}`: live events (docs/STREAMS.md). Every upgrade is checked once, the same
/// way on every path (`check`): the channel, no key in the URL, the browser origin against this server's public
/// origins (never the `Host` header), and the key (`Sec-WebSocket-Protocol: bearer.<key>` or `Authorization`) when one
/// is presented or reads need one. `FirstRequestGate` runs the check before the upgrade machinery and answers a refusal
/// with its JSON error (404, 400, 403, 401, 429); a plain GET reaches the HTTP route of the same path (426).
/// An upgraded connection has two tasks: a writer that sends the client's outbox batches (with a `dropped` frame
/// first when frames were lost) and a reader that accepts `{"tickers": [...]}` filter changes. Either ending closes both.
///
/// Once a writer has sent `framesPerBarrier` frames it waits until the connection's event loop has run them (an empty
/// task submitted to the loop completes after them) before taking the next batch. `outbound.write` returns once a
/// frame is queued for the event loop, and that queue has no bound; without the barrier a busy server would move
/// every outbox into it, and the client's 256-frame outbox would bound nothing. With it, at most one batch plus 32
/// frames per client are in flight beyond the outbox, plus what NIO holds before the channel turns unwritable (64 KiB).
struct StreamRoutes {
    let broadcaster: WebSocketBroadcaster
    let authenticator: APIKeyAuthenticator
    let origins: PublicOrigins
    let configuration: AppConfiguration

    /// Largest client message (a ticker filter).
    static let maxInboundMessage = 16 * 1024
    /// Most tickers in one filter.
    static let maxTickers = 500
    /// Frames a writer sends before it waits for the event loop to have run them (the bound on what one client can
    /// have queued beyond its outbox; waiting after every batch doubled p95 latency at moderate load in StreamBench).
    static let framesPerBarrier = 32

    func addRoutes(to router: Router<StreamRequestContext>) {
        router.ws("/ws/{channel}", shouldUpgrade: self.shouldUpgrade) { inbound, outbound, context in
            guard let channel = context.requestContext.parameters.get("channel").flatMap(StreamChannel.init(rawValue:)) else { return }
            let tickers = Self.tickers(fromQuery: context.request.uri.queryParameters.get("tickers"))
            let outbox = await self.broadcaster.connect(channel: channel, tickers: tickers)
            defer { Task { await self.broadcaster.disconnect(outbox) } }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        var unconfirmed = 0
                        for await batch in outbox.batches() {
                            if batch.dropped > 0 {
                                try await outbound.write(.custom(Self.textFrame(WebSocketBroadcaster.droppedFrame(count: batch.dropped, total: batch.totalDropped))))
                            }
                            for frame in batch.frames { try await outbound.write(.custom(Self.textFrame(frame))) }
                            unconfirmed += batch.frames.count
                            if unconfirmed >= Self.framesPerBarrier {
                                try await context.requestContext.eventLoop.submit {}.get()
                                unconfirmed = 0
                            }
                        }
                    } catch {
                        context.logger.debug("websocket write ended", metadata: ["error": "\(error)"])
                    }
                }
                group.addTask {
                    do {
                        for try await message in inbound.messages(maxSize: Self.maxInboundMessage) {
                            guard case .text(let text) = message, let filter = Self.filter(fromMessage: text) else { continue }
                            outbox.setTickers(filter)
                        }
                    } catch {
                        context.logger.debug("websocket read ended", metadata: ["error": "\(error)"])
                    }
                }
                await group.next()
                outbox.close()
                group.cancelAll()
            }
        }
    }

    /// The same path on the HTTP router: a plain GET (426), or the reason a request cannot be upgraded.
    func addRefusalRoute(to router: Router<AppRequestContext>) {
        router.get("/ws/{channel}") { request, context -> Response in
            _ = try await self.check(UpgradeAttempt(request: request, address: context.remoteAddress?.ipAddress))
            throw APIError(.init(code: 426), code: "websocket_required", "this is a WebSocket channel: connect with a WebSocket client", headers: [.upgrade: "websocket"])
        }
    }

    @Sendable func shouldUpgrade(_ request: Request, context: StreamRequestContext) async throws -> RouterShouldUpgrade {
        let attempt = UpgradeAttempt(request: request, address: context.remoteAddress?.ipAddress)
        do {
            _ = try await self.check(attempt)
        } catch {
            return .dontUpgrade
        }
        return .upgrade(attempt.offersSubprotocol ? [.secWebSocketProtocol: UpgradeAttempt.subprotocol] : [:])
    }

    /// `check` for `FirstRequestGate`: the error a refused client gets, `nil` to upgrade.
    var upgradeCheck: FirstRequestGate.UpgradeCheck {
        { attempt in
            do {
                _ = try await self.check(attempt)
                return nil
            } catch let error as APIError {
                return error
            } catch {
                return APIError(.serviceUnavailable, code: "storage_unavailable", "the key could not be checked now; retry shortly", headers: [.retryAfter: "1"])
            }
        }
    }

    /// The channel, after the URL, origin and key checks; throws the API error a refused client gets.
    func check(_ attempt: UpgradeAttempt) async throws -> StreamChannel {
        guard let name = attempt.channelName, let channel = StreamChannel(rawValue: name) else {
            throw APIError(.notFound, code: "unknown_channel", "no WebSocket channel here; channels: \(StreamChannel.allCases.map { "/ws/\($0.rawValue)" }.joined(separator: ", "))")
        }
        if attempt.hasKeyInURL {
            throw APIError(
                .badRequest, code: "key_in_url",
                "API keys never go in URLs (they end up in logs and browser consoles): offer the WebSocket subprotocols \"stockcast\" and \"bearer.<key>\", or send Authorization: Bearer <key>")
        }
        if let origin = attempt.origin, !self.origins.allows(origin) {
            throw APIError(
                .forbidden, code: "origin_not_allowed",
                "WebSocket connections from \(origin) are not allowed: this server's origins are \(self.origins.origins.joined(separator: ", ")); add others to http.public_origins or websocket.allowed_origins")
        }
        if let key = attempt.presentedKey {
            _ = try await self.authenticator.verify(key, address: attempt.address ?? "unknown")
        } else if self.configuration.readRequiresKey {
            throw APIError(
                .unauthorized, code: "missing_api_key",
                "this server needs a viewer key for streams: offer the WebSocket subprotocols \"stockcast\" and \"bearer.<key>\", or send Authorization: Bearer <key>")
        }
        return channel
    }

    static func tickers(fromQuery query: String?) -> Set<String> {
        guard let query else { return [] }
        return Set(query.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }.prefix(Self.maxTickers))
    }

    static func filter(fromMessage text: String) -> Set<String>? {
        struct Filter: Decodable { let tickers: [String] }
        guard let filter = try? JSONDecoder().decode(Filter.self, from: Data(text.utf8)) else { return nil }
        return Set(filter.tickers.map { $0.uppercased() }.prefix(Self.maxTickers))
    }

    static func textFrame(_ bytes: [UInt8]) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))
    }
}
