import CXGBoost

/// A booster inside libxgboost (a `BoosterHandle`): the only place, with `XGBoostMatrix`, that holds XGBoost's C
/// handles and pointers (house style 13).
///
/// Lifetimes and teardown order: a training booster is created over one `XGBoostMatrix` and must be freed before it
/// (the fitter creates and frees the booster inside `withExtendedLifetime(matrix)`); XGBoost itself only keeps a weak
/// reference to the matrix. A prediction booster is created empty and filled by `loadModel(json:)`.
/// Output buffers returned by XGBoost belong to the calling thread and stay valid only until that thread's next
/// XGBoost call, so every method copies them out before returning.
///
/// Thread-safety: training and parameter calls mutate the booster and are made by one thread, before the booster is
/// shared. After `XGBoostRegressor` has configured it (one warm-up prediction), only reading calls are made on it:
/// `XGBoosterPredictFromDense`, which XGBoost documents as safe and lock-free from many threads ("calling only
/// inplace_predict in multiple threads is safe and lock free"), and saving, feature-count and round-count calls, which
/// on a configured booster only read the model and write into the calling thread's own buffers.
///
/// Memory: those per-thread buffers are keyed by booster and a freed booster only erases the freeing thread's entry,
/// so large outputs (JSON) are produced on a scratch thread (`XGBoostScratchThread`); a prediction leaves at most
/// its own output (4 bytes a row) per thread that predicted with a booster freed elsewhere.
final class XGBoostBooster: @unchecked Sendable {  // Sendable: mutated only before sharing; then read-only calls (above).
    /// The library's handle; valid until `deinit`.
    private let handle: BoosterHandle

    /// Prediction options for inplace prediction: plain values, all trees, NaN is missing.
    private static let predictionConfiguration = #"{"type": 0, "training": false, "iteration_begin": 0, "#
        + #""iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0}"#

    /// `__array_interface__` type string of a native `Double`.
    private static let doubleTypeString = (1.littleEndian == 1) ? "<f8" : ">f8"

    /// Creates a booster, for training on `matrix` or (with `nil`) empty for `loadModel(json:)`.
    init(training matrix: XGBoostMatrix?) throws {
        var created: BoosterHandle?
        let status: Int32
        if let matrix {
            var matrices: [DMatrixHandle?] = [matrix.handle]
            status = XGBoosterCreate(&matrices, 1, &created)
        } else {
            status = XGBoosterCreate(nil, 0, &created)
        }
        try XGBoostError.check(status, "XGBoosterCreate")
        guard let created else {
            throw XGBoostError(.libraryFailure, "XGBoosterCreate returned no booster", function: "XGBoosterCreate")
        }
        self.handle = created
    }

    deinit {
        // Only fails for an invalid handle, which cannot happen here; nothing useful to do with the status.
        _ = XGBoosterFree(self.handle)
    }

    /// Sets one training or prediction parameter (`XGBoosterSetParam`). Not for a shared booster.
    func setParameter(_ name: String, _ value: String) throws {
        try XGBoostError.check(XGBoosterSetParam(self.handle, name, value), "XGBoosterSetParam", code: .invalidParameter)
    }

    /// Runs boosting round `iteration` on `matrix` (`XGBoosterUpdateOneIter`). Not for a shared booster.
    func updateOneIteration(_ iteration: Int, on matrix: XGBoostMatrix) throws {
        try XGBoostError.check(XGBoosterUpdateOneIter(self.handle, Int32(iteration), matrix.handle), "XGBoosterUpdateOneIter")
    }

    /// Replaces the model with one in XGBoost's JSON format (`XGBoosterLoadModelFromBuffer`). Not for a shared booster.
    func loadModel(json: String) throws {
        var text = json
        let status = text.withUTF8 { bytes in
            XGBoosterLoadModelFromBuffer(self.handle, bytes.baseAddress, bst_ulong(bytes.count))
        }
        try XGBoostError.check(status, "XGBoosterLoadModelFromBuffer", code: .malformedModel)
    }

    /// The model in XGBoost's JSON format (`XGBoosterSaveModelToBuffer` with `{"format": "json"}`), saved on a
    /// scratch thread so XGBoost's copy of the output does not outlive the call (see `XGBoostScratchThread`).
    func modelJSON() throws -> String {
        try XGBoostScratchThread.run {
            Result {
                var length: bst_ulong = 0
                var bytes: UnsafePointer<CChar>?
                try XGBoostError.check(
                    XGBoosterSaveModelToBuffer(self.handle, #"{"format": "json"}"#, &length, &bytes),
                    "XGBoosterSaveModelToBuffer"
                )
                return Self.text(bytes, length)
            }
        }.get()
    }

    /// The booster's whole configuration as JSON (`XGBoosterSaveJsonConfig`): parameters such as `nthread`.
    func configurationJSON() throws -> String {
        try XGBoostScratchThread.run {
            Result {
                var length: bst_ulong = 0
                var bytes: UnsafePointer<CChar>?
                try XGBoostError.check(XGBoosterSaveJsonConfig(self.handle, &length, &bytes), "XGBoosterSaveJsonConfig")
                return Self.text(bytes, length)
            }
        }.get()
    }

    /// A copy of an output buffer of XGBoost as text.
    private static func text(_ bytes: UnsafePointer<CChar>?, _ length: bst_ulong) -> String {
        guard let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(length)), as: UTF8.self)
    }

    /// Number of feature columns the model was trained on (`XGBoosterGetNumFeature`).
    func featureCount() throws -> Int {
        var count: bst_ulong = 0
        try XGBoostError.check(XGBoosterGetNumFeature(self.handle, &count), "XGBoosterGetNumFeature", code: .malformedModel)
        return Int(count)
    }

    /// Number of boosting rounds in the model (`XGBoosterBoostedRounds`): a random forest has one.
    func boostedRounds() throws -> Int {
        var rounds: Int32 = 0
        try XGBoostError.check(XGBoosterBoostedRounds(self.handle, &rounds), "XGBoosterBoostedRounds")
        return Int(rounds)
    }

    /// Predicts `rows` rows of `columns` values each, read in place from `values` (`XGBoosterPredictFromDense`;
    /// XGBoost reads the doubles as `Float`, as it does for training). Safe from many threads at once.
    func predict(_ values: UnsafeBufferPointer<Double>, rows: Int, columns: Int) throws -> [Double] {
        guard rows > 0 else { return [] }
        guard let base = values.baseAddress, values.count == rows * columns else {
            throw XGBoostError(.invalidInput, "\(values.count) values are not \(rows) rows of \(columns) columns")
        }
        let arrayInterface = """
            {"data": [\(UInt(bitPattern: base)), true], "shape": [\(rows), \(columns)], \
            "typestr": "\(Self.doubleTypeString)", "version": 3}
            """
        var shape: UnsafePointer<bst_ulong>?
        var dimensions: bst_ulong = 0
        var result: UnsafePointer<Float>?
        let status = arrayInterface.withCString { interface in
            Self.predictionConfiguration.withCString { configuration in
                XGBoosterPredictFromDense(self.handle, interface, configuration, nil, &shape, &dimensions, &result)
            }
        }
        try XGBoostError.check(status, "XGBoosterPredictFromDense")
        var produced = 1
        if let shape {
            for axis in 0..<Int(dimensions) { produced *= Int(shape[axis]) }
        }
        guard let result, produced == rows else {
            throw XGBoostError(
                .malformedModel, "the model predicted \(produced) values for \(rows) rows; it is not a single-output regressor"
            )
        }
        return (0..<rows).map { Double(result[$0]) }
    }
}
