/// Why a feature list, a training or a forecast was refused. `message` is safe to show a user.
public struct ForecastError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownFeature = "unknown_feature"
            case insufficientData = "insufficient_data"
            case invalidParameter = "invalid_parameter"
            case horizonOutOfRange = "horizon_out_of_range"
            case unknownOrigin = "unknown_origin"
            case calendarMismatch = "calendar_mismatch"
            case missingFitter = "missing_fitter"
            case numericalFailure = "numerical_failure"
            case invalidArtifact = "invalid_artifact"
            case cancelled
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A feature name is neither ours nor one of the original's (the message lists every valid name).
        public static let unknownFeature = Code(.unknownFeature)
        /// Too few sessions (or too few with every feature defined) to train, test or forecast.
        public static let insufficientData = Code(.insufficientData)
        /// A parameter is out of range (val_size, max_horizon, refit_every, ridge alphas, unsorted bars, …).
        public static let invalidParameter = Code(.invalidParameter)
        /// A horizon outside `1…maxHorizon` of the model.
        public static let horizonOutOfRange = Code(.horizonOutOfRange)
        /// The forecast origin is not a session of the given bars.
        public static let unknownOrigin = Code(.unknownOrigin)
        /// The calendar differs from the one the model was trained with.
        public static let calendarMismatch = Code(.calendarMismatch)
        /// xgboost / random_forest training was asked for without a fitter.
        public static let missingFitter = Code(.missingFitter)
        /// A linear system could not be solved (LAPACK reported a failure) or a value is not finite.
        public static let numericalFailure = Code(.numericalFailure)
        /// A model artifact is malformed or of an unsupported format version.
        public static let invalidArtifact = Code(.invalidArtifact)
        /// The progress callback asked to stop.
        public static let cancelled = Code(.cancelled)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// Message safe to show a user.
    public var message: String
    /// Where the error was created.
    public var file: String
    /// Line where the error was created.
    public var line: Int

    /// Creates an error at the call site.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { self.message }

    public static func == (lhs: ForecastError, rhs: ForecastError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}
