import Actors
import Foundation
import KafkaBridge
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The event bus when `kafka.bootstrap_servers` is set. Every event is delivered to this process's subscribers at once
/// (so REST and WebSocket clients keep working while brokers are unreachable) and produced to Kafka, keyed by ticker;
/// `KafkaEventRelay` consumes every topic with this instance's own consumer group and delivers the other instances'
/// events locally. While brokers are down, librdkafka buffers at most `kafka.producer_queue_max_messages` events and
/// retries them; beyond that `send` refuses and the event is counted in `kafka_produce_errors_total` and dropped from
/// Kafka only (local delivery already happened).
final class KafkaEventBus: EventBus {
    let local = InProcessEventBus()
    let producer: KafkaProducer
    private let logger: Logger
    private let produceErrors = Counter(label: "kafka_produce_errors_total")
    /// When the last refusal was logged (one line per 10 s at most).
    private let lastRefusalLog = Mutex<ContinuousClock.Instant?>(nil)

    init(producer: KafkaProducer, logger: Logger) {
        self.producer = producer
        self.logger = logger
    }

    func publish(_ event: BusEvent) {
        self.local.publish(event)
        do {
            _ = try self.producer.send(KafkaProducerMessage(topic: event.topic.rawValue, key: event.ticker.map { Array($0.utf8) }, value: event.payload))
        } catch {
            self.produceErrors.increment()
            let now = ContinuousClock.now
            let shouldLog = self.lastRefusalLog.withLock { last in
                guard last.map({ now - $0 > .seconds(10) }) ?? true else { return false }
                last = now
                return true
            }
            if shouldLog { self.logger.warning("Kafka refused an event; it was delivered locally only", metadata: ["error": "\(error)"]) }
        }
    }

    func subscribe(to topics: Set<EventTopic>, bufferingNewest: Int) -> AsyncStream<BusEvent> {
        self.local.subscribe(to: topics, bufferingNewest: bufferingNewest)
    }
}

/// Delivers other instances' events from Kafka to local subscribers, and turns delivery reports and consumer lag into
/// metrics (`kafka_messages_produced_total`, `kafka_produce_errors_total`, `kafka_connected`, `kafka_consumer_lag`).
/// Returns only on graceful shutdown.
struct KafkaEventRelay: Service {
    let bus: KafkaEventBus
    let consumer: KafkaConsumer
    let instance: String
    let logger: Logger
    /// How often consumer lag is copied to the gauges.
    var lagInterval: Duration = .seconds(5)

    func run() async throws {
        let connected = Gauge(label: "kafka_connected")
        let errors = Counter(label: "kafka_produce_errors_total")
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    // The consumer stops after this relay (services stop in reverse order), so the relay must stop
                    // iterating on its own graceful shutdown rather than wait for the consumer to close.
                    for try await message in self.consumer.messages.cancelOnGracefulShutdown() {
                        guard let topic = EventTopic(rawValue: message.topic) else { continue }
                        let origin = EventCoding.origin(of: message.value) ?? "unknown"
                        guard origin != self.instance else { continue }  // ours: already delivered locally
                        let ticker = message.key.map { String(decoding: $0, as: UTF8.self) }
                        self.bus.local.deliver(BusEvent(topic: topic, ticker: ticker, origin: origin, payload: message.value), origin: "remote")
                    }
                } catch {
                    self.logger.error("Kafka consumer stopped", metadata: ["error": "\(error)"])
                }
            }
            group.addTask {
                for await report in self.bus.producer.deliveryReports.cancelOnGracefulShutdown() {
                    switch report.result {
                    case .success:
                        Counter(label: "kafka_messages_produced_total", dimensions: [("topic", report.topic)]).increment()
                        connected.record(1)
                    case .failure(let error):
                        errors.increment()
                        connected.record(0)
                        self.logger.warning("Kafka delivery failed", metadata: ["topic": "\(report.topic)", "error": "\(error)"])
                    }
                }
            }
            group.addTask {
                while !Task.isShuttingDownGracefully {
                    for (topic, lag) in self.consumer.consumerLag() {
                        Gauge(label: "kafka_consumer_lag", dimensions: [("topic", topic)]).record(lag)
                    }
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.lagInterval) }
                }
            }
        }
    }
}
