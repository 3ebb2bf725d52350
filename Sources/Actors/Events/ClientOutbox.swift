import Foundation
import Synchronization

/// One WebSocket client's queue of outgoing frames: bounded, dropping the oldest frame when full, and never suspending
/// the producer. The client's writer task waits on `batches()` and sends what has accumulated; a client that reads too
/// slowly loses old frames (counted, and reported to it in a `dropped` frame), never delaying anyone else.
public final class ClientOutbox: Sendable {
    /// What the writer sends next: the frames dropped since the last batch (then the frames themselves).
    public struct Batch: Sendable {
        /// Frames dropped since the previous batch.
        public let dropped: Int
        /// Frames dropped since the client connected.
        public let totalDropped: Int
        /// UTF-8 JSON frames, oldest first.
        public let frames: [[UInt8]]
    }

    private struct State {
        var frames: [[UInt8]] = []
        var head = 0
        var dropped = 0
        var totalDropped = 0
        var tickers: Set<String>
        var closed = false
    }

    /// Most frames held at once.
    public let capacity: Int
    /// The client's channel.
    public let channel: StreamChannel
    private let state: Mutex<State>
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - channel: the channel the client watches.
    ///   - capacity: frames held before the oldest is dropped.
    ///   - tickers: only events of these tickers (events without a ticker always pass); empty = every event.
    public init(channel: StreamChannel, capacity: Int, tickers: Set<String>) {
        self.channel = channel
        self.capacity = max(1, capacity)
        self.state = Mutex(State(tickers: tickers))
        (self.wakeups, self.wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Changes the ticker filter (a client message `{"tickers": [...]}`).
    public func setTickers(_ tickers: Set<String>) {
        self.state.withLock { $0.tickers = tickers }
    }

    /// Whether an event about `ticker` passes the filter.
    public func accepts(ticker: String?) -> Bool {
        guard let ticker else { return true }
        return self.state.withLock { $0.tickers.isEmpty || $0.tickers.contains(ticker) }
    }

    /// Queues a frame; returns `false` when an older frame had to be dropped to make room.
    @discardableResult
    public func push(_ frame: [UInt8]) -> Bool {
        let kept = self.state.withLock { state -> Bool? in
            guard !state.closed else { return nil }
            state.frames.append(frame)
            guard state.frames.count - state.head > self.capacity else { return true }
            state.head += 1
            state.dropped += 1
            state.totalDropped += 1
            if state.head > self.capacity {
                state.frames.removeFirst(state.head)
                state.head = 0
            }
            return false
        }
        guard let kept else { return true }
        self.wake.yield()
        return kept
    }

    /// Takes everything queued (the writer calls this after a wake-up).
    public func drain() -> Batch? {
        self.state.withLock { state in
            guard state.frames.count > state.head || state.dropped > 0 else { return nil }
            let batch = Batch(dropped: state.dropped, totalDropped: state.totalDropped, frames: Array(state.frames[state.head...]))
            state.frames.removeAll(keepingCapacity: true)
            state.head = 0
            state.dropped = 0
            return batch
        }
    }

    /// Batches as they become available; ends after `close()`. One writer iterates it.
    public func batches() -> Batches {
        Batches(outbox: self)
    }

    /// The sequence of batches of one outbox.
    public struct Batches: AsyncSequence, Sendable {
        let outbox: ClientOutbox

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(outbox: self.outbox, wakeups: self.outbox.wakeups.makeAsyncIterator())
        }

        public struct AsyncIterator: AsyncIteratorProtocol {
            let outbox: ClientOutbox
            var wakeups: AsyncStream<Void>.AsyncIterator

            public mutating func next() async -> Batch? {
                while true {
                    if let batch = self.outbox.drain() { return batch }
                    if self.outbox.isClosed { return nil }
                    guard await self.wakeups.next() != nil else { return self.outbox.drain() }
                }
            }
        }
    }

    private var isClosed: Bool { self.state.withLock { $0.closed } }

    /// Stops accepting frames and ends `batches()` once drained.
    public func close() {
        self.state.withLock { $0.closed = true }
        self.wake.finish()
    }
}
