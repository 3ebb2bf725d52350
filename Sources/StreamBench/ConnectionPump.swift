import Actors
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOWebSocket
import Synchronization

/// The per-connection pump of `/ws/{channel}`, reproduced from Sources/App/WebSocket/StreamRoutes.swift (the App is an
/// executable target and cannot be imported): a writer task sends the client's outbox batches as text frames (a
/// `dropped` frame first when frames were lost) and, as StreamRoutes does since f4cd89c, waits for the connection's
/// event loop to run the batch's writes before taking the next batch; a reader task reads `inbound.messages(maxSize:)`;
/// either ending closes both. Left out because the benchmark does not exercise them: the origin and key checks, the
/// ticker filter (query and messages; every benchmark client takes every event), the HTTP refusal route.
struct ConnectionPump: Sendable {
    let broadcaster: WebSocketBroadcaster
    let counters: PumpCounters
    /// When the writer waits for the event loop: 1 = after every batch (StreamRoutes today), 0 = never (the pump
    /// before f4cd89c), n > 1 = after a batch once at least n frames were written since the last wait (a variant that
    /// pays the wait less often while still bounding what one client can queue in NIO).
    let barrierFrames: Int

    /// Largest client message (StreamRoutes.maxInboundMessage).
    static let maxInboundMessage = 16 * 1024

    /// Adds `/ws/{channel}`.
    func addRoutes(to router: Router<PumpRequestContext>) {
        router.ws("/ws/{channel}") { inbound, outbound, context in
            guard let channel = context.requestContext.parameters.get("channel").flatMap(StreamChannel.init(rawValue:)) else { return }
            let outbox = await self.broadcaster.connect(channel: channel, tickers: [])
            defer { Task { await self.broadcaster.disconnect(outbox) } }
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        var unbarred = 0
                        for await batch in outbox.batches() {
                            if batch.dropped > 0 {
                                self.counters.droppedReported.add(batch.dropped, ordering: .relaxed)
                                try await outbound.write(.custom(Self.textFrame(WebSocketBroadcaster.droppedFrame(count: batch.dropped, total: batch.totalDropped))))
                            }
                            for frame in batch.frames { try await outbound.write(.custom(Self.textFrame(frame))) }
                            unbarred += batch.frames.count
                            if self.barrierFrames > 0, unbarred >= self.barrierFrames {
                                try await context.requestContext.eventLoop.submit {}.get()
                                unbarred = 0
                            }
                            self.counters.framesWritten.add(batch.frames.count, ordering: .relaxed)
                            self.counters.batches.add(1, ordering: .relaxed)
                        }
                    } catch {
                        context.logger.debug("websocket write ended", metadata: ["error": "\(error)"])
                    }
                }
                group.addTask {
                    do {
                        for try await _ in inbound.messages(maxSize: Self.maxInboundMessage) {}
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

    static func textFrame(_ bytes: [UInt8]) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(bytes: bytes))
    }
}

/// Request context of the upgrade: StreamRequestContext's event loop (the other fields serve checks the benchmark
/// leaves out).
struct PumpRequestContext: WebSocketRequestContext, RequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    /// The connection's event loop (the writer waits on it after each batch).
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.eventLoop = source.channel.eventLoop
    }
}

/// What the server-side pumps did, summed over connections (updated once per batch, not per frame).
final class PumpCounters: Sendable {
    /// Frames written to sockets (events, hello and replay; not `dropped` notices).
    let framesWritten = Atomic<Int>(0)
    /// Frames the outboxes dropped, as reported in `dropped` notices.
    let droppedReported = Atomic<Int>(0)
    /// Batches taken from outboxes (frames per batch = framesWritten / batches).
    let batches = Atomic<Int>(0)

    init() {}
}
