/// A fitted XGBoost model (gradient boosting or random forest) used as a `HorizonRegressor`.
///
/// The model lives in libxgboost; it is loaded from XGBoost's JSON format (what `artifact()` and `modelJSON` give
/// back, and what the Python xgboost package saves), so a model fitted here, one loaded from an artifact and one
/// saved by Python all predict identically. Features are read as `Float` (as XGBoost does); NaN means missing.
///
/// Predictions use XGBoost's inplace prediction (`XGBoosterPredictFromDense`) straight from the caller's `[Double]`,
/// without building a DMatrix, and run concurrently from any number of threads without a lock (documented as safe
/// and lock-free by XGBoost; the booster is configured once in `init` and never changed afterwards).
public final class XGBoostRegressor: HorizonRegressor, @unchecked Sendable {  // Sendable: immutable after init; see XGBoostBooster.
    /// Longest model JSON accepted (bytes).
    public static let maximumModelBytes = 256 * 1024 * 1024

    /// The booster; configured in `init`, never mutated afterwards.
    private let booster: XGBoostBooster
    /// Feature columns every row must have.
    public let featureCount: Int
    /// Threads XGBoost uses for one prediction call (`nthread`).
    public let threads: Int

    /// Loads a model saved in XGBoost's JSON format (`XGBoosterLoadModelFromBuffer`) and prepares it for prediction
    /// with `threads` threads per call. Throws `XGBoostError`: `.malformedModel` for anything that is not a
    /// single-output XGBoost model in JSON, `.unsupportedVersion` for a model saved by a newer XGBoost than the linked
    /// library (see `XGBoostRelease`); never crashes on bad input.
    public init(modelJSON: String, threads: Int = 1) throws {
        guard (1...XGBoostFitter.maximumThreads).contains(threads) else {
            throw XGBoostError(.invalidParameter, "threads must be in 1…\(XGBoostFitter.maximumThreads), got \(threads)")
        }
        guard modelJSON.utf8.count <= Self.maximumModelBytes else {
            throw XGBoostError(.malformedModel, "the model JSON is larger than \(Self.maximumModelBytes) bytes")
        }
        // XGBoost reads anything not starting with "{" as its legacy binary format, which trusts the bytes it reads:
        // only JSON objects are handed to it.
        guard modelJSON.utf8.first(where: { !Self.isJSONWhitespace($0) }) == UInt8(ascii: "{") else {
            throw XGBoostError(.malformedModel, "the model is not a JSON object")
        }
        let library = XGBoostRelease.library
        if let saved = XGBoostRelease(modelJSON: modelJSON), (saved.major, saved.minor) > (library.major, library.minor) {
            throw XGBoostError(
                .unsupportedVersion,
                "the model was saved by XGBoost \(saved), newer than the linked libxgboost \(library); "
                    + "save it with XGBoost \(library.major).\(library.minor) or older"
            )
        }
        let booster = try XGBoostBooster(training: nil)
        try booster.loadModel(json: modelJSON)
        try booster.setParameter("nthread", String(threads))
        let featureCount = try booster.featureCount()
        guard featureCount > 0 else {
            throw XGBoostError(.malformedModel, "the model has no features")
        }
        // Warm-up: the first prediction configures the booster (once, under XGBoost's own lock); afterwards the
        // booster is only read. It also proves the model predicts one value per row.
        let probe = [Double](repeating: .nan, count: featureCount)
        let output = try probe.withUnsafeBufferPointer { try booster.predict($0, rows: 1, columns: featureCount) }
        guard output.count == 1 else {
            throw XGBoostError(.malformedModel, "the model is not a single-output regressor")
        }
        self.booster = booster
        self.featureCount = featureCount
        self.threads = threads
    }

    /// Predicted log return for one row; NaN when the row does not have `featureCount` values (see `predictions`).
    public func predict(_ row: [Double]) -> Double {
        (try? self.predictions(rows: row, columns: row.count).first) ?? .nan
    }

    /// Predicted log returns for many rows; all NaN when the shape is wrong (see `predictions` for the error).
    public func predict(rows: [Double], columns: Int) -> [Double] {
        if let values = try? self.predictions(rows: rows, columns: columns) { return values }
        return [Double](repeating: .nan, count: columns > 0 ? rows.count / columns : 0)
    }

    /// Predicted log returns for `rows` (row-major, `columns` values each); throws `XGBoostError` when `columns` is
    /// not `featureCount` or `rows` is not whole rows, or when XGBoost fails.
    public func predictions(rows: [Double], columns: Int) throws -> [Double] {
        guard columns == self.featureCount else {
            throw XGBoostError(.invalidInput, "the model expects \(self.featureCount) features per row, got \(columns)")
        }
        guard rows.count % columns == 0 else {
            throw XGBoostError(.invalidInput, "\(rows.count) values are not whole rows of \(columns) features")
        }
        return try rows.withUnsafeBufferPointer {
            try self.booster.predict($0, rows: rows.count / columns, columns: columns)
        }
    }

    /// The model in XGBoost's JSON format (`XGBoosterSaveModelToBuffer` with `{"format": "json"}`), loadable by
    /// `init(modelJSON:)` and by the Python xgboost package.
    public var modelJSON: String {
        get throws { try self.booster.modelJSON() }
    }

    /// The model as an artifact: `.xgboost(json:)`.
    public func artifact() throws -> RegressorArtifact {
        .xgboost(json: try self.modelJSON)
    }

    /// Number of boosting rounds (a random forest has one round of `n_estimators` parallel trees).
    public func boostedRounds() throws -> Int {
        try self.booster.boostedRounds()
    }

    /// XGBoost's configuration of this booster as JSON (`XGBoosterSaveJsonConfig`), e.g. to check `nthread`.
    public func configurationJSON() throws -> String {
        try self.booster.configurationJSON()
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
