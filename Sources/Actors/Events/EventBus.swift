/// Carries events between the parts of one process and, with Kafka, between instances. The embedded default is
/// `InProcessEventBus`; the App binds a Kafka-backed bus when `kafka.bootstrap_servers` is set.
public protocol EventBus: Sendable {
    /// Publishes to every subscriber (and to Kafka when configured). Never blocks and never suspends: a subscriber that
    /// falls behind loses its oldest events, counted in `event_bus_dropped_total`.
    func publish(_ event: BusEvent)
    /// Every event on `topics` from now on, local and remote, buffering at most `bufferingNewest` unread events.
    func subscribe(to topics: Set<EventTopic>, bufferingNewest: Int) -> AsyncStream<BusEvent>
}
