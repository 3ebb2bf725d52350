import CXGBoost

/// A training matrix inside libxgboost (a `DMatrixHandle`): dense `Float` features, NaN meaning missing, and the
/// labels. It lives for one fit and is freed when released, after the booster trained on it (see `XGBoostBooster`).
/// It is used by one thread only, so it is deliberately not `Sendable`.
final class XGBoostMatrix {
    /// The library's handle; valid until `deinit`.
    let handle: DMatrixHandle

    /// Copies `features` (row-major, `columns` per row) and `labels` (one per row) into a new DMatrix.
    init(features: [Float], rows: Int, columns: Int, labels: [Float]) throws {
        precondition(rows > 0 && columns > 0 && features.count == rows * columns && labels.count == rows)
        var created: DMatrixHandle?
        let status = features.withUnsafeBufferPointer { buffer in
            XGDMatrixCreateFromMat(buffer.baseAddress, bst_ulong(rows), bst_ulong(columns), Float.nan, &created)
        }
        try XGBoostError.check(status, "XGDMatrixCreateFromMat")
        guard let created else {
            throw XGBoostError(.libraryFailure, "XGDMatrixCreateFromMat returned no matrix", function: "XGDMatrixCreateFromMat")
        }
        self.handle = created
        // From here on a throw releases `self`, and `deinit` frees the handle.
        let labelStatus = labels.withUnsafeBufferPointer { buffer in
            XGDMatrixSetFloatInfo(created, "label", buffer.baseAddress, bst_ulong(rows))
        }
        try XGBoostError.check(labelStatus, "XGDMatrixSetFloatInfo")
    }

    deinit {
        // Only fails for an invalid handle, which cannot happen here; nothing useful to do with the status.
        _ = XGDMatrixFree(self.handle)
    }
}
