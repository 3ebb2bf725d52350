/// Where a consumer group starts reading a partition for which it has no committed offset (`auto.offset.reset`).
public enum KafkaStartPosition: Sendable, Hashable {
    /// Only messages produced after the group joined (`latest`).
    case latest
    /// Everything still retained in the partition (`earliest`).
    case earliest

    /// The `auto.offset.reset` value.
    var autoOffsetReset: String {
        switch self {
        case .latest: "latest"
        case .earliest: "earliest"
        }
    }
}
