/// Identifies one message accepted by ``KafkaProducer/send(_:)``; its ``KafkaDeliveryReport`` carries the same id.
///
/// Ids increase by one per accepted message of a producer, starting at 1.
public struct KafkaMessageID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number.
    public let rawValue: UInt64

    /// Wraps `rawValue`.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: KafkaMessageID, rhs: KafkaMessageID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(self.rawValue) }
}
