import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Fans events out to WebSocket clients. It subscribes to the bus once, keeps the last `replay` events of each channel
/// for clients that connect later, and pushes each event into the bounded outbox of every client of its channel whose
/// ticker filter accepts it. Pushing never suspends, so one stalled client cannot delay the others (its outbox drops
/// its oldest frames instead). Knows nothing of HTTP: the App's routes own the sockets.
public actor WebSocketBroadcaster: Service {
    /// Bounds.
    public struct Configuration: Sendable {
        /// Frames each client may have queued (`websocket.client_buffer`).
        public var clientBuffer = 256
        /// Events of its channel a new client receives first (`websocket.replay`).
        public var replay = 50
        /// Events waiting between the bus and the fan-out loop.
        public var busBuffer = 8192
        public init() {}
    }

    /// Subscribed at init, so events published before `run()` starts are kept (within `busBuffer`), not lost.
    private let events: AsyncStream<BusEvent>
    private let configuration: Configuration
    private let instance: String
    private let logger: Logger
    private var clients: [StreamChannel: [ObjectIdentifier: ClientOutbox]] = [:]
    private var recent: [StreamChannel: [BusEvent]] = [:]
    private let sent: [StreamChannel: Counter]
    private let dropped: [StreamChannel: Counter]
    private let connected: [StreamChannel: Gauge]

    public init(bus: any EventBus, instance: String, configuration: Configuration = .init(), logger: Logger) {
        self.events = bus.subscribe(to: Set(StreamChannel.allCases.map(\.topic)), bufferingNewest: configuration.busBuffer)
        self.instance = instance
        self.configuration = configuration
        self.logger = logger
        var sent: [StreamChannel: Counter] = [:]
        var dropped: [StreamChannel: Counter] = [:]
        var connected: [StreamChannel: Gauge] = [:]
        for channel in StreamChannel.allCases {
            sent[channel] = Counter(label: "websocket_frames_sent_total", dimensions: [("channel", channel.rawValue)])
            dropped[channel] = Counter(label: "websocket_dropped_frames_total", dimensions: [("channel", channel.rawValue)])
            let gauge = Gauge(label: "websocket_clients", dimensions: [("channel", channel.rawValue)])
            gauge.record(0)
            connected[channel] = gauge
        }
        (self.sent, self.dropped, self.connected) = (sent, dropped, connected)
    }

    /// Fans out bus events until graceful shutdown, then closes every client's outbox.
    public func run() async throws {
        for await event in self.events.cancelOnGracefulShutdown() {
            self.fanOut(event)
        }
        for outbox in self.clients.values.flatMap(\.values) { outbox.close() }
        self.clients.removeAll()
    }

    /// Registers a client: its outbox starts with a `hello` frame and the channel's recent events that pass the filter.
    public func connect(channel: StreamChannel, tickers: Set<String>) -> ClientOutbox {
        let outbox = ClientOutbox(channel: channel, capacity: self.configuration.clientBuffer, tickers: tickers)
        let replay = (self.recent[channel] ?? []).filter { outbox.accepts(ticker: $0.ticker) }.suffix(self.configuration.clientBuffer - 1)
        outbox.push(Self.hello(channel: channel, instance: self.instance, replay: replay.count, buffer: outbox.capacity))
        for event in replay { outbox.push(event.payload) }
        self.clients[channel, default: [:]][ObjectIdentifier(outbox)] = outbox
        self.connected[channel]?.record(self.clients[channel]?.count ?? 0)
        return outbox
    }

    /// Forgets a client (its socket closed).
    public func disconnect(_ outbox: ClientOutbox) {
        outbox.close()
        self.clients[outbox.channel]?.removeValue(forKey: ObjectIdentifier(outbox))
        self.connected[outbox.channel]?.record(self.clients[outbox.channel]?.count ?? 0)
    }

    /// Events of `channel` kept for replay.
    public func replayCount(_ channel: StreamChannel) -> Int {
        self.recent[channel]?.count ?? 0
    }

    /// Connected clients per channel.
    public func clientCounts() -> [StreamChannel: Int] {
        self.clients.mapValues(\.count)
    }

    private func fanOut(_ event: BusEvent) {
        guard let channel = StreamChannel(topic: event.topic) else { return }
        if self.configuration.replay > 0 {
            var recent = self.recent[channel] ?? []
            recent.append(event)
            if recent.count > self.configuration.replay { recent.removeFirst(recent.count - self.configuration.replay) }
            self.recent[channel] = recent
        }
        guard let clients = self.clients[channel] else { return }
        var sent = 0
        var dropped = 0
        for outbox in clients.values where outbox.accepts(ticker: event.ticker) {
            sent += 1
            if !outbox.push(event.payload) { dropped += 1 }
        }
        if sent > 0 { self.sent[channel]?.increment(by: sent) }
        if dropped > 0 { self.dropped[channel]?.increment(by: dropped) }
    }

    static func hello(channel: StreamChannel, instance: String, replay: Int, buffer: Int) -> [UInt8] {
        struct Hello: Encodable {
            let type = "hello"
            let channel: String
            let instance: String
            let replay: Int
            let buffer: Int
        }
        let hello = Hello(channel: channel.rawValue, instance: instance, replay: replay, buffer: buffer)
        return (try? EventCoding.encoder.encode(hello)).map(Array.init) ?? []
    }

    /// The frame that tells a client how many frames it lost.
    public static func droppedFrame(count: Int, total: Int) -> [UInt8] {
        Array(#"{"count":\#(count),"total":\#(total),"type":"dropped"}"#.utf8)
    }
}
