import Actors
import KafkaBridge
import Logging
import ServiceLifecycle

/// Chooses the event bus: in process (the embedded default), or Kafka when `kafka.bootstrap_servers` is set. With
/// Kafka it also returns the services that must run (producer, consumer and the relay between them and the bus).
enum EventBusFactory {
    static func make(_ configuration: AppConfiguration, logger: Logger) throws -> (any EventBus, [any Service]) {
        guard let servers = configuration.kafka.bootstrapServers else { return (InProcessEventBus(), []) }
        var kafka = KafkaConfiguration(bootstrapServers: servers, clientID: "stockcast-\(configuration.instanceID)")
        kafka.queuedMaxMessagesKBytes = configuration.kafka.queuedMaxMessagesKBytes
        kafka.producerQueueMaxMessages = configuration.kafka.producerQueueMaxMessages
        kafka.messageTimeout = nil  // retry while the bounded buffer holds
        // Shutdown waits at most 5 s each to flush and to leave the group (brokers may be gone).
        kafka.shutdownFlushTimeout = .seconds(5)
        kafka.closeTimeout = .seconds(5)
        kafka.additional["fetch.wait.max.ms"] = String(configuration.kafka.fetchWaitMaxMilliseconds)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let consumer = try KafkaConsumer(
            configuration: kafka, groupID: "\(configuration.kafka.groupPrefix)-\(configuration.instanceID)",
            topics: EventTopic.allCases.map(\.rawValue), startAt: .latest, logger: logger
        )
        let bus = KafkaEventBus(producer: producer, logger: logger)
        let relay = KafkaEventRelay(bus: bus, consumer: consumer, instance: configuration.instanceID, logger: logger)
        logger.notice("event bus: Kafka", metadata: ["bootstrap_servers": "\(servers)", "group": "\(configuration.kafka.groupPrefix)-\(configuration.instanceID)"])
        return (bus, [producer, consumer, relay])
    }
}
