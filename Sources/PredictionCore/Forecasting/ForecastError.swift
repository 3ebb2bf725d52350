/// Why a feature list, a training or a forecast was refused. `message` is safe to show a user.
public typealias ForecastError = CodedError<ForecastFailure>

/// The domain of `ForecastError`.
public enum ForecastFailure {}

extension ErrorCode where Domain == ForecastFailure {
    /// A feature name is neither ours nor one of the original's (the message lists every valid name).
    public static var unknownFeature: Self { Self("unknown_feature") }
    /// Too few sessions (or too few with every feature defined) to train, test or forecast.
    public static var insufficientData: Self { Self("insufficient_data") }
    /// A parameter is out of range (val_size, max_horizon, refit_every, ridge alphas, unsorted bars, …).
    public static var invalidParameter: Self { Self("invalid_parameter") }
    /// A horizon outside `1…maxHorizon` of the model.
    public static var horizonOutOfRange: Self { Self("horizon_out_of_range") }
    /// The forecast origin is not a session of the given bars.
    public static var unknownOrigin: Self { Self("unknown_origin") }
    /// The calendar differs from the one the model was trained with.
    public static var calendarMismatch: Self { Self("calendar_mismatch") }
    /// xgboost / random_forest training was asked for without a fitter.
    public static var missingFitter: Self { Self("missing_fitter") }
    /// A linear system could not be solved (LAPACK reported a failure) or a value is not finite.
    public static var numericalFailure: Self { Self("numerical_failure") }
    /// A model artifact is malformed or of an unsupported format version.
    public static var invalidArtifact: Self { Self("invalid_artifact") }
    /// The progress callback asked to stop.
    public static var cancelled: Self { Self("cancelled") }
}
