import struct Foundation.Date
import PredictionCore

/// What an alert is about. A string, so detectors can add kinds without a schema change: any lower_snake_case name
/// of 1...64 characters (a letter, then letters, digits and underscores) is a kind.
public struct AlertKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Most characters a kind may have.
    public static let maxLength = 64

    /// The kind's name, e.g. `return_drift`.
    public let rawValue: String

    /// The kind named `rawValue`, or `nil` when it is not lower_snake_case of 1...64 characters.
    public init?(rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) {
        precondition(Self.isValid(rawValue), "invalid built-in alert kind \(rawValue)")
        self.rawValue = rawValue
    }

    private static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= Self.maxLength, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
        else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_")
        }
    }

    /// Recent returns drifted away from the training distribution.
    public static let returnDrift = AlertKind(known: "return_drift")
    /// Scored predictions miss the actual closes by more than the threshold.
    public static let forecastError = AlertKind(known: "forecast_error")
    /// Prediction intervals cover the actual closes less often than their level.
    public static let lowCoverage = AlertKind(known: "low_coverage")
    /// The newest cleaned bar is older than expected.
    public static let staleData = AlertKind(known: "stale_data")
    /// The service answers with too many errors.
    public static let errorRate = AlertKind(known: "error_rate")
    /// The service answers too slowly.
    public static let latency = AlertKind(known: "latency")

    public var description: String { self.rawValue }
}

/// Lifecycle of an alert: raised `active`, later `resolved`; a resolved alert never becomes active again (a new
/// raise of the same kind and instrument is a new alert).
public enum AlertState: String, Hashable, Sendable, Codable, CaseIterable {
    case active, resolved
}

/// A stored alert.
public struct AlertRecord: Hashable, Sendable {
    public var id: Int64
    public var kind: AlertKind
    /// The instrument concerned; `nil` for a service-level alert (error rate, latency).
    public var instrument: InstrumentKey?
    /// The session the alert was computed for, when there is one.
    public var targetDate: SessionDate?
    /// Human-readable findings, as of the last raise.
    public var messages: [String]
    /// Machine-readable details: JSON text, stored and returned byte for byte.
    public var details: String
    public var state: AlertState
    /// When the alert was first raised.
    public var raisedAt: Date
    /// When it was last raised again (deduplicated) or resolved.
    public var updatedAt: Date
    /// When it was resolved; `nil` while active.
    public var resolvedAt: Date?
    /// The StockCast instance that first raised it.
    public var instance: String

    public init(
        id: Int64, kind: AlertKind, instrument: InstrumentKey?, targetDate: SessionDate?, messages: [String], details: String,
        state: AlertState, raisedAt: Date, updatedAt: Date, resolvedAt: Date?, instance: String
    ) {
        self.id = id
        self.kind = kind
        self.instrument = instrument
        self.targetDate = targetDate
        self.messages = messages
        self.details = details
        self.state = state
        self.raisedAt = raisedAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
        self.instance = instance
    }
}

/// An alert to raise with `AlertStore.raiseAlert(_:)`.
public struct NewAlert: Hashable, Sendable {
    public var kind: AlertKind
    /// `nil` for a service-level alert.
    public var instrument: InstrumentKey?
    public var targetDate: SessionDate?
    public var messages: [String]
    /// JSON text (any JSON value); anything else is refused with `.invalidValue`.
    public var details: String
    /// The raising StockCast instance.
    public var instance: String
    /// When it is raised: `raisedAt` of a new alert, `updatedAt` of a deduplicated one.
    public var at: Date

    public init(
        kind: AlertKind, instrument: InstrumentKey?, targetDate: SessionDate?, messages: [String], details: String,
        instance: String, at: Date
    ) {
        self.kind = kind
        self.instrument = instrument
        self.targetDate = targetDate
        self.messages = messages
        self.details = details
        self.instance = instance
        self.at = at
    }
}
