import Metrics
import NIOCore
import NIOHTTP1

/// The first handler of every connection (after TLS, when enabled), on raw bytes:
///
/// 1. **Admission**: counts the connection in `ConnectionCounter`; beyond the global or per-address cap it answers
///    503 (JSON, `Retry-After: 1`) and closes, so one client cannot take the descriptors every other client needs.
/// 2. **First request head**: until the head of the first request is complete it enforces the header deadline
///    (silence or a trickled head → closed; 408 when something arrived), the request-line length (414) and the head's
///    size and field count (431), each answered with the JSON error body, then the connection is closed.
///
/// After the first head it only forwards bytes: later requests on a keep-alive connection are bounded by the HTTP
/// decoder's limits (the same sizes; a violation is a 400 and a close) and by the idle timeout between requests.
/// It never buffers: bytes are scanned and passed on as they arrive.
final class ConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum State {
        /// Not yet counted (the channel was not active when added).
        case new
        /// Counted; scanning the first request head.
        case readingHead(HeadScanner)
        /// The first head is complete: bytes pass through.
        case passing
        /// Refused or answered with an error; waiting for the close.
        case closing
    }

    private let counter: ConnectionCounter
    private let limits: ConnectionLimits
    private var state = State.new
    private var address: String?
    private var deadline: Scheduled<Void>?

    static let refused = Counter(label: "http_connections_refused_total", dimensions: [("reason", "server_full")])
    static let refusedAddress = Counter(label: "http_connections_refused_total", dimensions: [("reason", "address_full")])
    static let rejectedHeads = Counter(label: "http_malformed_requests_total")

    init(counter: ConnectionCounter, limits: ConnectionLimits) {
        self.counter = counter
        self.limits = limits
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if case .new = self.state { self.admit(context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        self.deadline = nil
        if let address = self.address {
            self.counter.release(address)
            self.address = nil
        }
        self.state = .closing
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        if let address = self.address {
            self.counter.release(address)
            self.address = nil
        }
    }

    private func admit(_ context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
        if let refusal = self.counter.admit(address) {
            self.state = .closing
            switch refusal {
            case .serverFull:
                Self.refused.increment()
                self.answer(context, status: .serviceUnavailable, code: "too_many_connections",
                            "the server holds its maximum of \(self.counter.maxConnections) connections; retry shortly", retryAfter: true)
            case .addressFull:
                Self.refusedAddress.increment()
                self.answer(context, status: .serviceUnavailable, code: "too_many_connections_from_address",
                            "\(address) already holds \(self.counter.maxPerAddress) connections, the most one address may open", retryAfter: true)
            }
            return
        }
        self.address = address
        self.state = .readingHead(HeadScanner(limits: self.limits))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.deadline = context.eventLoop.scheduleTask(in: TimeAmount(self.limits.headerTimeout)) {
            let (handler, context) = loopBound.value
            handler.headerDeadlinePassed(context)
        }
    }

    private func headerDeadlinePassed(_ context: ChannelHandlerContext) {
        guard case .readingHead(let scanner) = self.state else { return }
        self.state = .closing
        Self.rejectedHeads.increment()
        if scanner.bytesSeen == 0 {
            context.close(promise: nil)
        } else {
            self.answer(context, status: .requestTimeout, code: "request_timeout",
                        "the request head did not arrive within \(self.limits.headerTimeout.components.seconds) s")
        }
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.state {
        case .passing:
            context.fireChannelRead(data)
        case .new, .closing:
            return
        case .readingHead(var scanner):
            let buffer = Self.unwrapInboundIn(data)
            let verdict = buffer.withUnsafeReadableBytes { scanner.scan($0) }
            switch verdict {
            case .needMore:
                self.state = .readingHead(scanner)
                context.fireChannelRead(data)
            case .complete:
                self.state = .passing
                self.deadline?.cancel()
                self.deadline = nil
                context.fireChannelRead(data)
            case .requestLineTooLong:
                self.reject(context, status: .uriTooLong, code: "request_line_too_long",
                            "the request line is longer than \(self.limits.maxRequestLineBytes) bytes")
            case .headTooLarge:
                self.reject(context, status: .requestHeaderFieldsTooLarge, code: "headers_too_large",
                            "the request headers are larger than \(self.limits.maxHeaderBytes) bytes")
            case .tooManyHeaders:
                self.reject(context, status: .requestHeaderFieldsTooLarge, code: "too_many_headers",
                            "the request has more than \(self.limits.maxHeaderCount) header fields")
            }
        }
    }

    private func reject(_ context: ChannelHandlerContext, status: HTTPResponseStatus, code: String, _ detail: String) {
        self.state = .closing
        self.deadline?.cancel()
        self.deadline = nil
        Self.rejectedHeads.increment()
        self.answer(context, status: status, code: code, detail)
    }

    /// Writes a complete HTTP/1.1 error response straight to the socket and closes once it is written.
    private func answer(_ context: ChannelHandlerContext, status: HTTPResponseStatus, code: String, _ detail: String, retryAfter: Bool = false) {
        let bytes = RawErrorResponse.bytes(status: status, code: code, detail: detail, retryAfter: retryAfter)
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in context.close(promise: nil) }
    }
}

/// Scans the bytes of a first request head without copying them: the request line's length, the head's size and
/// field count, and whether the blank line that ends the head has arrived.
struct HeadScanner {
    enum Verdict {
        case needMore
        case complete
        case requestLineTooLong
        case headTooLarge
        case tooManyHeaders
    }

    let limits: ConnectionLimits
    /// Bytes of the head seen so far.
    private(set) var bytesSeen = 0
    private var lineLength = 0
    private var lines = 0
    private var inRequestLine = true
    private var previousWasNewline = false

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    /// Consumes `bytes`; the verdict is final once it is not `needMore`.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        for byte in bytes {
            self.bytesSeen += 1
            if byte == UInt8(ascii: "\n") {
                if self.inRequestLine {
                    // Empty lines before the request line are allowed (RFC 9112 §2.2).
                    if self.lineLength > 0 { self.inRequestLine = false }
                } else if self.previousWasNewline || self.lineLength == 0 {
                    return .complete
                } else {
                    self.lines += 1
                    if self.lines > self.limits.maxHeaderCount { return .tooManyHeaders }
                }
                self.previousWasNewline = true
                self.lineLength = 0
                continue
            }
            if byte != UInt8(ascii: "\r") {
                self.previousWasNewline = false
                self.lineLength += 1
            }
            if self.inRequestLine, self.lineLength > self.limits.maxRequestLineBytes { return .requestLineTooLong }
            if self.bytesSeen > self.limits.maxHeaderBytes { return self.inRequestLine ? .requestLineTooLong : .headTooLarge }
        }
        return .needMore
    }
}

/// A complete HTTP/1.1 error response as bytes, for handlers below the HTTP codec: the same JSON body
/// (`{"detail", "code"}`) as every other error, `Connection: close`.
enum RawErrorResponse {
    static func bytes(status: HTTPResponseStatus, code: String, detail: String, retryAfter: Bool = false) -> [UInt8] {
        let body = APIError.jsonBody(code: code, detail: detail)
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        if retryAfter { head += "Retry-After: 1\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}
