import HTTPTypes
import Metrics
import NIOCore
import NIOHTTP1

/// Sits right after the HTTP decoder until the first request head has been dealt with, then removes itself:
///
/// - a parse error before that head (invalid request line, bad or duplicate `Content-Length`, `Content-Length` with
///   `Transfer-Encoding`, a head over the decoder's limits) gets a JSON 400 (431 for an oversized head) and the
///   connection is closed: without this the upgrade stage waited for a head forever and the client got no answer;
/// - a WebSocket upgrade is checked (channel, origin, key) before the upgrade machinery sees it, and a refused one
///   gets its JSON error (404, 403, 401, 429, 400) with `Connection: close` instead of the framework's empty 400.
///
/// Parse errors of later requests on a keep-alive connection reach the HTTP server, which answers 400 and closes.
/// Because it leaves the pipeline after the first head, it never sees WebSocket frames.
final class FirstRequestGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    /// Decides whether a WebSocket upgrade may proceed: `nil` to go on, or the error the client gets.
    typealias UpgradeCheck = @Sendable (UpgradeAttempt) async -> APIError?

    private enum State {
        case awaitingHead
        /// The upgrade is being checked; parts that arrive meanwhile wait here (at most `maxBufferedParts`).
        case checking([NIOAny])
        case done
    }

    /// Parts held while an upgrade is checked (a GET upgrade has a head and an end, nothing more).
    static let maxBufferedParts = 16

    private let check: UpgradeCheck
    private var state = State.awaitingHead

    init(check: @escaping UpgradeCheck) {
        self.check = check
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.state {
        case .done:
            context.fireChannelRead(data)
        case .checking(var parts):
            guard parts.count < Self.maxBufferedParts else {
                return self.refuse(context, APIError(.badRequest, code: "bad_upgrade", "a WebSocket upgrade request has no body"))
            }
            parts.append(data)
            self.state = .checking(parts)
        case .awaitingHead:
            guard case .head(let head) = Self.unwrapInboundIn(data), UpgradeAttempt.isWebSocketUpgrade(head) else {
                return self.pass(context, [data])
            }
            self.state = .checking([data])
            let attempt = UpgradeAttempt(head: head, address: context.channel.remoteAddress?.ipAddress)
            let check = self.check
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.makeFutureWithTask { await check(attempt) }.whenSuccess { refusal in
                let (gate, context) = loopBound.value
                gate.checked(context, refusal: refusal)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .awaitingHead = self.state, let parseError = error as? HTTPParserError else {
            return context.fireErrorCaught(error)
        }
        ConnectionGuard.rejectedHeads.increment()
        if parseError == .headerOverflow {
            self.refuse(context, APIError(.requestHeaderFieldsTooLarge, code: "headers_too_large", "the request head is larger than this server accepts"))
        } else {
            self.refuse(context, APIError(.badRequest, code: "malformed_request", "the request is not valid HTTP/1.1 (\(parseError))"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.state = .done
        context.fireChannelInactive()
    }

    private func checked(_ context: ChannelHandlerContext, refusal: APIError?) {
        guard case .checking(let parts) = self.state else { return }
        if let refusal {
            self.refuse(context, refusal)
        } else {
            self.pass(context, parts)
            context.fireChannelReadComplete()
        }
    }

    /// Hands the held parts on and leaves the pipeline.
    private func pass(_ context: ChannelHandlerContext, _ parts: [NIOAny]) {
        self.state = .done
        for part in parts { context.fireChannelRead(part) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Answers with the JSON error and closes once it is written.
    private func refuse(_ context: ChannelHandlerContext, _ error: APIError) {
        self.state = .done
        var headers = HTTPHeaders([("Content-Type", "application/json; charset=utf-8"), ("Connection", "close")])
        for field in error.headers { headers.add(name: field.name.rawName, value: field.value) }
        let body = context.channel.allocator.buffer(bytes: APIError.jsonBody(code: error.code, detail: error.detail))
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: Int(error.status.code)), headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
