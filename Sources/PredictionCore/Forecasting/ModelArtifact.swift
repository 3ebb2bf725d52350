import Foundation

/// A trained model as data (never code): one regressor per horizon (direct multi-day forecasting), the interval
/// half-widths per horizon, the features, the parameters and the calendar it counts sessions in.
///
/// `jsonData()` is deterministic (sorted keys, no timestamps), so equal models have equal bytes and the SHA-256 of
/// an artifact identifies it. Decoding checks the format version and that the per-horizon arrays agree.
public struct ModelArtifact: Hashable, Sendable, Codable {
    /// The format version this code writes and reads.
    public static let currentFormatVersion = 1

    /// Format version (`1`).
    public var formatVersion: Int
    /// The model family.
    public var modelType: ModelType
    /// Feature columns, in the order the regressors expect them.
    public var features: [FeatureName]
    /// One regressor per horizon: index `h − 1`.
    public var regressors: [RegressorArtifact]
    /// Half-width of the 80 % interval in log-return space, per horizon (non-decreasing in `h`).
    public var halfWidths80: [Double]
    /// Half-width of the 95 % interval in log-return space, per horizon (non-decreasing in `h`).
    public var halfWidths95: [Double]
    /// The hyper-parameters used.
    public var parameters: HyperParameters
    /// `TradingCalendar.identifier` of the calendar target dates are counted in.
    public var calendarIdentifier: String
    /// First session of the training data.
    public var trainedFrom: SessionDate
    /// Last session of the training data.
    public var trainedThrough: SessionDate

    /// Longest horizon the model forecasts.
    public var maxHorizon: Int { self.regressors.count }

    /// Creates an artifact (format version 1).
    public init(
        modelType: ModelType, features: [FeatureName], regressors: [RegressorArtifact], halfWidths80: [Double],
        halfWidths95: [Double], parameters: HyperParameters, calendarIdentifier: String, trainedFrom: SessionDate,
        trainedThrough: SessionDate
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.modelType = modelType
        self.features = features
        self.regressors = regressors
        self.halfWidths80 = halfWidths80
        self.halfWidths95 = halfWidths95
        self.parameters = parameters
        self.calendarIdentifier = calendarIdentifier
        self.trainedFrom = trainedFrom
        self.trainedThrough = trainedThrough
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", modelType = "model_type", features, regressors
        case halfWidths80 = "half_widths_80", halfWidths95 = "half_widths_95", parameters
        case calendarIdentifier = "calendar", trainedFrom = "trained_from", trainedThrough = "trained_through"
    }

    /// Decodes and checks an artifact.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .formatVersion)
        guard version == Self.currentFormatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .formatVersion, in: c,
                debugDescription: "model artifact format \(version) is not supported (this build reads \(Self.currentFormatVersion))"
            )
        }
        self.formatVersion = version
        self.modelType = try c.decode(ModelType.self, forKey: .modelType)
        self.features = try c.decode([FeatureName].self, forKey: .features)
        self.regressors = try c.decode([RegressorArtifact].self, forKey: .regressors)
        self.halfWidths80 = try c.decode([Double].self, forKey: .halfWidths80)
        self.halfWidths95 = try c.decode([Double].self, forKey: .halfWidths95)
        self.parameters = try c.decode(HyperParameters.self, forKey: .parameters)
        self.calendarIdentifier = try c.decode(String.self, forKey: .calendarIdentifier)
        self.trainedFrom = try c.decode(SessionDate.self, forKey: .trainedFrom)
        self.trainedThrough = try c.decode(SessionDate.self, forKey: .trainedThrough)
        let horizons = self.regressors.count
        guard horizons >= 1, self.halfWidths80.count == horizons, self.halfWidths95.count == horizons,
            (self.halfWidths80 + self.halfWidths95).allSatisfy({ $0.isFinite && $0 >= 0 })
        else {
            throw DecodingError.dataCorruptedError(
                forKey: .regressors, in: c,
                debugDescription: "a model artifact needs one regressor and two finite half-widths ≥ 0 per horizon"
            )
        }
    }

    /// The artifact as JSON with sorted keys (deterministic bytes).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            throw ForecastError(.invalidArtifact, "the model artifact could not be encoded (a value is not finite)")
        }
    }

    /// Decodes an artifact.
    ///
    /// - Throws: `ForecastError` `.invalidArtifact` for anything that is not a valid artifact of a supported version.
    public static func decode(jsonData data: Data) throws -> ModelArtifact {
        do {
            return try JSONDecoder().decode(ModelArtifact.self, from: data)
        } catch let error as DecodingError {
            let reason: String
            switch error {
            case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context),
                .valueNotFound(_, let context):
                reason = context.debugDescription
            @unknown default:
                reason = "malformed"
            }
            throw ForecastError(.invalidArtifact, "invalid model artifact: \(reason)")
        }
    }
}
