import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A real HTTP/1.1 server on `127.0.0.1` (port chosen by the OS) that answers with canned responses, for testing
/// HTTP clients over a real socket.
///
/// Responses are queued per path (the percent-decoded path, without the query): each request to a path takes the
/// next response in its queue, so a test can make the first call a 429 and the second a 200. A request with no
/// queued response gets status 599 with a body naming the path, which no client maps to success. Every request is
/// recorded (method, path, query) in arrival order, keeping the last `maxRecordedRequests`.
///
/// ```swift
/// try await FakeHTTPServer.withRunning { server in
///     server.enqueue(.init(status: 200, body: "ok"), path: "/hello")
///     ... request "\(server.baseURL)/hello?x=1" ...
///     #expect(server.receivedRequests.map(\.path) == ["/hello"])
/// }
/// ```
public final class FakeHTTPServer: Sendable {
    /// How many received requests are kept for assertions (older ones are dropped).
    public static let maxRecordedRequests = 1_000
    /// How many responses one path may have queued.
    public static let maxQueuedResponsesPerPath = 1_000

    /// A response to send.
    public struct CannedResponse: Sendable {
        /// How the body is delivered.
        public enum Delivery: Sendable, Hashable {
            /// The whole body, `Content-Length` matching it.
            case complete
            /// `Content-Length` of the whole body, but only the first `bytes` bytes are sent, then the connection
            /// is closed (a transfer cut mid-body).
            case truncated(afterBytes: Int)
            /// `Content-Length` of the whole body, the first `bytes` bytes, then silence with the connection open
            /// (a server that stalls mid-body; the client's timeout must end it).
            case stalled(afterBytes: Int)
            /// Nothing at all is sent; the connection stays open until the client gives up or the server stops.
            case noResponse
        }

        /// HTTP status code.
        public var status: Int
        /// Extra headers (`Content-Length` is added unless given here).
        public var headers: [(name: String, value: String)]
        /// The body.
        public var body: [UInt8]
        /// How the body is delivered.
        public var delivery: Delivery

        /// A response with a byte body.
        public init(
            status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8], delivery: Delivery = .complete
        ) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delivery = delivery
        }

        /// A response with a UTF-8 text body.
        public init(
            status: Int = 200, headers: [(name: String, value: String)] = [], body: String = "",
            delivery: Delivery = .complete
        ) {
            self.init(status: status, headers: headers, body: Array(body.utf8), delivery: delivery)
        }
    }

    /// A request the server received.
    public struct RecordedRequest: Sendable, Hashable {
        /// `GET`, `POST`, ...
        public var method: String
        /// The request target as sent (path and query, still percent-encoded).
        public var uri: String
        /// The percent-decoded path without the query.
        public var path: String
        /// The percent-decoded query parameters (the last value wins for repeated names).
        public var query: [String: String]
        /// Request headers, names lower-cased.
        public var headers: [String: String]
    }

    private struct State: Sendable {
        var queues: [String: [CannedResponse]] = [:]
        var requests: [RecordedRequest] = []
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var port = 0
    }

    private let state = Mutex(State())

    /// Creates a stopped server.
    public init() {}

    /// Starts a server, runs `body`, and stops the server whether `body` returns or throws.
    public static func withRunning<Result>(_ body: (FakeHTTPServer) async throws -> Result) async throws -> Result {
        let server = FakeHTTPServer()
        try await server.start()
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    /// Binds `127.0.0.1` on a free port and starts accepting connections.
    public func start() async throws {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                self.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FakeHTTPHandler(server: self))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        self.state.withLock {
            $0.serverChannel = channel
            $0.port = port
        }
    }

    /// Stops accepting, closes every open connection and waits for the listening socket to close.
    public func stop() async throws {
        let (server, connections) = self.state.withLock { state in
            let taken = (state.serverChannel, Array(state.connections.values))
            state.serverChannel = nil
            state.connections = [:]
            return taken
        }
        for connection in connections {
            try? await connection.close()
        }
        try await server?.close()
    }

    /// The bound port (0 before `start`).
    public var port: Int { self.state.withLock { $0.port } }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(self.port)" }

    /// Appends a response to the queue of `path` (percent-decoded, without query, e.g. `/v8/finance/chart/^GSPC`).
    public func enqueue(_ response: CannedResponse, path: String) {
        self.state.withLock { state in
            precondition(
                state.queues[path, default: []].count < Self.maxQueuedResponsesPerPath, "too many queued responses")
            state.queues[path, default: []].append(response)
        }
    }

    /// Requests received so far, oldest first.
    public var receivedRequests: [RecordedRequest] { self.state.withLock { $0.requests } }

    /// Records a request and takes the next response queued for its path.
    func respond(to request: RecordedRequest) -> CannedResponse {
        self.state.withLock { state in
            state.requests.append(request)
            if state.requests.count > Self.maxRecordedRequests { state.requests.removeFirst() }
            guard var queue = state.queues[request.path], !queue.isEmpty else {
                return CannedResponse(status: 599, body: "FakeHTTPServer: no response queued for \(request.path)")
            }
            let next = queue.removeFirst()
            state.queues[request.path] = queue
            return next
        }
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        self.state.withLock { $0.connections[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }
}
