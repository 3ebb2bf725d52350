import Foundation

/// One event on the bus: its topic, the Kafka key (the ticker, when there is one), the producing instance and the JSON
/// payload. The payload is encoded once when the event is made, so fanning it out to many clients never re-encodes it.
public struct BusEvent: Sendable {
    /// Where it goes.
    public let topic: EventTopic
    /// The ticker the event is about, if any (Kafka message key and WebSocket filter).
    public let ticker: String?
    /// `instance.id` of the process that produced it.
    public let origin: String
    /// UTF-8 JSON, sent verbatim to Kafka and WebSocket clients.
    public let payload: [UInt8]

    /// Wraps an already encoded payload (events read back from Kafka).
    public init(topic: EventTopic, ticker: String?, origin: String, payload: [UInt8]) {
        self.topic = topic
        self.ticker = ticker
        self.origin = origin
        self.payload = payload
    }

    /// Encodes `body` with the shared event conventions (snake_case keys, ISO 8601 UTC dates with milliseconds,
    /// sorted keys) and the common envelope fields (`schema_version`, `type`, `instance`, `emitted_at`).
    public init<Body: EventBody>(_ body: Body, origin: String, at time: Date = Date()) {
        let envelope = EventEnvelope(body: body, instance: origin, emittedAt: time)
        self.init(
            topic: Body.topic, ticker: body.ticker, origin: origin,
            payload: (try? EventCoding.encoder.encode(envelope)).map(Array.init) ?? Array("{}".utf8)
        )
    }
}

/// A payload type: which topic it belongs to and its `type` field.
public protocol EventBody: Encodable, Sendable {
    static var topic: EventTopic { get }
    /// The `type` field of the payload.
    var type: String { get }
    /// The ticker the event is about, if any.
    var ticker: String? { get }
}

/// The fields every payload carries, flattened next to the body's own fields.
struct EventEnvelope<Body: EventBody>: Encodable {
    let body: Body
    let instance: String
    let emittedAt: Date

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, type, instance, emittedAt
    }

    func encode(to encoder: any Encoder) throws {
        try self.body.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(1, forKey: .schemaVersion)
        try container.encode(self.body.type, forKey: .type)
        try container.encode(self.instance, forKey: .instance)
        try container.encode(self.emittedAt, forKey: .emittedAt)
    }
}

/// JSON conventions of every event.
public enum EventCoding {
    /// snake_case keys, `YYYY-MM-DDTHH:MM:SS.sssZ` dates, sorted keys, unescaped slashes.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Self.timestampStyle))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// ISO 8601 UTC with milliseconds.
    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Reads the `instance` field of a payload (events from Kafka), `nil` when the payload has none.
    public static func origin(of payload: [UInt8]) -> String? {
        struct Origin: Decodable { let instance: String? }
        return (try? JSONDecoder().decode(Origin.self, from: Data(payload)))?.instance ?? nil
    }
}
