/// The WebSocket channels, one per event topic that browsers watch.
public enum StreamChannel: String, CaseIterable, Sendable {
    case predictions, metrics, alerts, tasks

    /// The topic whose events the channel carries.
    public var topic: EventTopic {
        switch self {
        case .predictions: .predictions
        case .metrics: .metrics
        case .alerts: .alerts
        case .tasks: .tasks
        }
    }

    /// The channel of a topic, if browsers watch it.
    public init?(topic: EventTopic) {
        guard let channel = Self.allCases.first(where: { $0.topic == topic }) else { return nil }
        self = channel
    }
}
