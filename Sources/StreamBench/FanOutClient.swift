import HummingbirdWSClient
import Logging
import NIOCore

/// One benchmark WebSocket client on `/ws/predictions`, running in this process. A live client reads every frame and
/// records each event's delivery latency (receive time − the publish time stamped in the frame) in its own histogram;
/// a stalled client reads only the `hello` and then nothing until `release` is fulfilled after the measured phase, so
/// its socket buffers fill and the server's outbox for it drops its oldest frames. Both then read until the closing
/// `bench_end` frame and hand their totals to `tally` once.
struct FanOutClient: Sendable {
    /// How a client reads.
    enum Role: Sendable {
        case live
        case stalled
    }

    /// Position among the clients (the tally's slot).
    let index: Int
    let role: Role
    let url: String
    let tally: RunTally
    /// Fulfilled when stalled clients may start reading.
    let release: OneShot<Void>

    /// Frames a client counts before adding them to the shared progress counter.
    static let progressStep = 64

    /// Connects, reads until the end frame or the connection ends, and records the outcome.
    func run(logger: Logger) async {
        do {
            try await WebSocketClient.connect(url: self.url, configuration: .init(maxFrameSize: 1 << 16), logger: logger) { inbound, _, _ in
                var result = ClientResult(role: self.role)
                var iterator = inbound.makeAsyncIterator()
                var unreported = 1  // the hello, once it arrives (the server counts it as written)
                do {
                    guard try await iterator.next() != nil else {
                        self.tally.failed(self.index, role: self.role, error: "the connection closed before the hello frame")
                        return
                    }
                    self.tally.connected(self.role)
                    if self.role == .stalled { await self.release.value() }
                    reading: while let frame = try await iterator.next() {
                        let now = MonotonicTime.now()
                        let kind = frame.data.withUnsafeReadableBytes(FrameKind.init(frame:))
                        if case .dropped = kind {} else { unreported += 1 }
                        if unreported >= Self.progressStep {
                            self.tally.addReceived(unreported)
                            unreported = 0
                        }
                        switch kind {
                        case .event(let sent):
                            result.delivered += 1
                            if self.role == .live { result.latency.record(microseconds: (now &- min(sent, now)) / 1000) }
                        case .dropped(let count):
                            result.dropped += count
                            result.droppedNotices += 1
                        case .end:
                            result.finished = true
                            result.finishedAt = now
                            break reading
                        case .other:
                            result.other += 1
                        }
                    }
                } catch {
                    result.error = "\(error)"
                }
                self.tally.addReceived(unreported)
                self.tally.record(self.index, result)
            }
        } catch {
            self.tally.failed(self.index, role: self.role, error: "\(error)")
        }
    }
}

/// What one frame is, read from its first bytes without parsing the JSON.
enum FrameKind {
    /// A benchmark event published at this `MonotonicTime`.
    case event(UInt64)
    /// `{"count":n,"total":m,"type":"dropped"}`: n frames were dropped.
    case dropped(Int)
    /// The closing `bench_end` frame.
    case end
    /// Anything else (hello, replay).
    case other

    private static let droppedPrefix = Array(#"{"count":"#.utf8)

    init(frame: UnsafeRawBufferPointer) {
        if let sent = PredictionPayload.sentNanoseconds(in: frame) {
            self = .event(sent)
        } else if frame.starts(with: Self.droppedPrefix) {
            var count = 0
            for byte in frame.dropFirst(Self.droppedPrefix.count) {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
                count = count * 10 + Int(byte - UInt8(ascii: "0"))
            }
            self = .dropped(count)
        } else if frame.elementsEqual(PredictionPayload.endFrame) {
            self = .end
        } else {
            self = .other
        }
    }
}

/// One client's totals.
struct ClientResult: Sendable {
    let role: FanOutClient.Role
    /// Benchmark events received.
    var delivered = 0
    /// Frames the server dropped for it (sum of its `dropped` notices).
    var dropped = 0
    /// `dropped` notices received.
    var droppedNotices = 0
    /// Other frames after the hello (replay; none expected).
    var other = 0
    /// Whether the end frame arrived.
    var finished = false
    /// When it arrived (`MonotonicTime`).
    var finishedAt: UInt64 = 0
    /// Why reading stopped early.
    var error: String?
    /// Delivery latencies (live clients only).
    var latency = LatencyHistogram()

    init(role: FanOutClient.Role) {
        self.role = role
    }
}
