import Foundation
import Metrics
import Synchronization

/// The embedded event bus: fan-out to bounded `AsyncStream`s of every subscriber in this process.
public final class InProcessEventBus: EventBus {
    private struct Subscriber {
        let topics: Set<EventTopic>
        let continuation: AsyncStream<BusEvent>.Continuation
    }

    private let subscribers = Mutex<[UUID: Subscriber]>([:])
    private let dropped = Counter(label: "event_bus_dropped_total")
    /// `event_bus_events_total{topic, origin}`, made once (publishing is a hot path).
    private let delivered: [String: [EventTopic: Counter]]

    public init() {
        var delivered: [String: [EventTopic: Counter]] = [:]
        for origin in ["local", "remote"] {
            for topic in EventTopic.allCases {
                delivered[origin, default: [:]][topic] = Counter(label: "event_bus_events_total", dimensions: [("topic", topic.rawValue), ("origin", origin)])
            }
        }
        self.delivered = delivered
    }

    public func publish(_ event: BusEvent) {
        self.deliver(event, origin: "local")
    }

    /// Hands an event to local subscribers only; `origin` is `local` or `remote` (events that arrived from Kafka).
    public func deliver(_ event: BusEvent, origin: String) {
        self.delivered[origin]?[event.topic]?.increment()
        self.subscribers.withLock { subscribers in
            for subscriber in subscribers.values where subscriber.topics.contains(event.topic) {
                if case .dropped = subscriber.continuation.yield(event) { self.dropped.increment() }
            }
        }
    }

    public func subscribe(to topics: Set<EventTopic>, bufferingNewest: Int) -> AsyncStream<BusEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: BusEvent.self, bufferingPolicy: .bufferingNewest(max(1, bufferingNewest)))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        self.subscribers.withLock { $0[id] = Subscriber(topics: topics, continuation: continuation) }
        return stream
    }

    /// Ends every subscription (shutdown).
    public func finish() {
        let all = self.subscribers.withLock { subscribers in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        for subscriber in all { subscriber.continuation.finish() }
    }
}
