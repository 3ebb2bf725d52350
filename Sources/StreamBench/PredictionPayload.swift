import Actors
import Foundation

/// The event the publisher sends: a `prediction` on `stock_predictions` with the fields of docs/STREAMS.md, encoded
/// once through the real envelope (`BusEvent(_:origin:at:)`), with one field put first that the clients read without
/// parsing JSON: `"bench_sent_ns":"<20 digits>"`, the publish time in `MonotonicTime` nanoseconds (a string, because
/// JSON numbers may not have leading zeros and the width must stay fixed). Each event copies the template (about
/// 600 bytes) and overwrites the digits.
struct PredictionPayload: Sendable {
    /// What a client sees at the start of a benchmark frame, before the digits.
    static let prefix = Array(#"{"bench_sent_ns":""#.utf8)
    /// Digits of the send time.
    static let digits = 20
    /// The frame that tells clients the run is over (after every event).
    static let endFrame = Array(#"{"type":"bench_end"}"#.utf8)
    /// The ticker of every event.
    static let ticker = "GOOG"

    /// The encoded event with zeros where the send time goes.
    let template: [UInt8]

    /// Encodes the template.
    init() {
        let body = SamplePrediction()
        let event = BusEvent(body, origin: "bench", at: Date(timeIntervalSince1970: 1_795_795_501.123))
        var bytes = Self.prefix
        bytes += [UInt8](repeating: UInt8(ascii: "0"), count: Self.digits)
        bytes += Array(#"","#.utf8)
        bytes += event.payload.dropFirst()  // the encoded object without its opening brace
        self.template = bytes
    }

    /// Size of one event frame, bytes.
    var size: Int { self.template.count }

    /// The bus event for one publish at `sentNanoseconds`.
    func event(sentNanoseconds: UInt64) -> BusEvent {
        var bytes = self.template
        var value = sentNanoseconds
        var position = Self.prefix.count + Self.digits - 1
        while position >= Self.prefix.count {
            bytes[position] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
            position -= 1
        }
        return BusEvent(topic: .predictions, ticker: Self.ticker, origin: "bench", payload: bytes)
    }

    /// The closing event.
    static func endEvent() -> BusEvent {
        BusEvent(topic: .predictions, ticker: Self.ticker, origin: "bench", payload: Self.endFrame)
    }

    /// The send time in a frame that starts with `prefix`, or `nil` for any other frame.
    static func sentNanoseconds(in frame: UnsafeRawBufferPointer) -> UInt64? {
        guard frame.count >= Self.prefix.count + Self.digits else { return nil }
        for index in 0..<Self.prefix.count where frame[index] != Self.prefix[index] { return nil }
        var value: UInt64 = 0
        for index in Self.prefix.count..<(Self.prefix.count + Self.digits) {
            let digit = frame[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ UInt64(digit)
        }
        return value
    }
}

/// A realistic single prediction (PredictionEvent's fields; that type is built from stored records, which the bench
/// has none of).
struct SamplePrediction: EventBody {
    static let topic = EventTopic.predictions
    let type = "prediction"
    let ticker: String? = PredictionPayload.ticker
    let exchange = "NASDAQ"
    let targetDate = "2026-11-30"
    let predictedClose = 176.4213
    let actualClose: Double? = nil
    let predictedAt = Date(timeIntervalSince1970: 1_795_795_501.045)
    let modelMetadataId: Int64 = 42
    let msg = "GOOG 2026-11-30: predicted close 176.42 (80% 172.95–179.89)\nmodel linear_regression v7 (id 42), 1 session(s) after 2026-11-27"
    let predictionId: Int64 = 918_273
    let originDate = "2026-11-27"
    let originClose = 175.8800
    let horizon = 1
    let modelType = "linear_regression"
    let modelVersion = 7
    let taskId: String? = nil
    let lower80 = 172.9521
    let upper80 = 179.8905
    let lower95 = 171.1184
    let upper95 = 181.7242

    private enum CodingKeys: String, CodingKey {
        case ticker, exchange, targetDate, predictedClose, actualClose, predictedAt, modelMetadataId, msg, predictionId
        case originDate, originClose, horizon, modelType, modelVersion, taskId
        case lower80 = "lower_80", upper80 = "upper_80", lower95 = "lower_95", upper95 = "upper_95"
    }

    // Encodes `null` for the unknown actual close and the missing task, as docs/STREAMS.md describes.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.ticker, forKey: .ticker)
        try container.encode(self.exchange, forKey: .exchange)
        try container.encode(self.targetDate, forKey: .targetDate)
        try container.encode(self.predictedClose, forKey: .predictedClose)
        try container.encode(self.actualClose, forKey: .actualClose)
        try container.encode(self.predictedAt, forKey: .predictedAt)
        try container.encode(self.modelMetadataId, forKey: .modelMetadataId)
        try container.encode(self.msg, forKey: .msg)
        try container.encode(self.predictionId, forKey: .predictionId)
        try container.encode(self.originDate, forKey: .originDate)
        try container.encode(self.originClose, forKey: .originClose)
        try container.encode(self.horizon, forKey: .horizon)
        try container.encode(self.modelType, forKey: .modelType)
        try container.encode(self.modelVersion, forKey: .modelVersion)
        try container.encode(self.taskId, forKey: .taskId)
        try container.encode(self.lower80, forKey: .lower80)
        try container.encode(self.upper80, forKey: .upper80)
        try container.encode(self.lower95, forKey: .lower95)
        try container.encode(self.upper95, forKey: .upper95)
    }
}
