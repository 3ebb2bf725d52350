import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A raw TCP client for requests no HTTP library would send (malformed lines, oversized heads, idle connections).
enum RawHTTP {
    /// What the server did with a connection.
    struct Exchange {
        /// Everything the server wrote, as text.
        var text: String
        /// Whether the server closed the connection before the timeout.
        var closed: Bool

        /// The status code of the first response line, if any.
        var status: Int? {
            guard self.text.hasPrefix("HTTP/1.1 ") else { return nil }
            return Int(self.text.dropFirst(9).prefix(3))
        }

        /// The body after the first blank line.
        var body: String {
            guard let range = self.text.range(of: "\r\n\r\n") else { return "" }
            return String(self.text[range.upperBound...])
        }
    }

    /// Opens a connection (from `source`, e.g. `127.0.0.2`), writes `bytes` (if any) and collects what the server
    /// answers until it closes the connection or `timeout` passes.
    static func exchange(port: Int, _ bytes: [UInt8], from source: String? = nil, timeout: Duration = .seconds(5)) async throws -> Exchange {
        let channel = try await self.connect(port: port, from: source)
        return try await channel.executeThenClose { inbound, outbound in
            // The server may answer and close before the request is written (a refused connection): still read its answer.
            if !bytes.isEmpty { try? await outbound.write(ByteBuffer(bytes: bytes)) }
            return try await self.collect(inbound, timeout: timeout)
        }
    }

    /// `exchange` with text.
    static func exchange(port: Int, _ text: String, from source: String? = nil, timeout: Duration = .seconds(5)) async throws -> Exchange {
        try await self.exchange(port: port, Array(text.utf8), from: source, timeout: timeout)
    }

    /// Runs `body` while `count` idle connections from `source` are open, then closes them.
    static func withIdleConnections<T: Sendable>(
        _ count: Int, port: Int, from source: String? = nil, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let (release, releaser) = AsyncStream.makeStream(of: Void.self)
        defer { releaser.finish() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                let channel = try await self.connect(port: port, from: source)
                group.addTask { try await channel.executeThenClose { _, _ in for await _ in release {} } }
            }
            let result = try await body()
            releaser.finish()
            try await group.waitForAll()
            return result
        }
    }

    /// A connection that stays open (and idle); use it with `executeThenClose`.
    static func connect(port: Int, from source: String? = nil) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        return try await bootstrap.connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    }

    private static func collect(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, timeout: Duration) async throws -> Exchange {
        let received = Received()
        let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    for try await buffer in inbound { received.text.withLock { $0 += String(buffer: buffer) } }
                } catch {
                    // A reset after the answer counts as closed.
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        return Exchange(text: received.text.withLock { $0 }, closed: closed)
    }

    private final class Received: Sendable {
        let text = Mutex("")
    }
}
