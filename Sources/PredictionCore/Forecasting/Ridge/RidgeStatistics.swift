/// Sufficient statistics of a block of rows for ridge regression: count, column sums and cross-products of
/// `[x − shift, y]`. Rows can be added one at a time (an expanding window) and blocks subtracted (a validation
/// block = all rows − the first rows), so every refit of a walk-forward backtest costs O(p²) per new row instead of
/// a pass over the whole window.
///
/// `shift` (normally the first training row) is subtracted from every row before accumulating: it leaves the
/// centred statistics unchanged and keeps the sums small, so `Σxxᵀ − n μμᵀ` does not lose precision.
struct RidgeStatistics: Sendable {
    /// Number of feature columns.
    let columns: Int
    /// Subtracted from every row before accumulating.
    let shift: [Double]
    /// Rows accumulated.
    private(set) var count = 0
    /// `Σ (x − shift)`.
    private(set) var sumX: [Double]
    /// `Σ y`.
    private(set) var sumY = 0.0
    /// `Σ (x − shift)(x − shift)ᵀ`, row-major; only the upper triangle (`i ≤ j`) is maintained.
    private(set) var crossX: [Double]
    /// `Σ (x − shift) y`.
    private(set) var crossXY: [Double]
    /// `Σ y²`.
    private(set) var sumYY = 0.0

    /// Empty statistics.
    init(columns: Int, shift: [Double]) {
        precondition(shift.count == columns, "shift has \(shift.count) values for \(columns) columns")
        self.columns = columns
        self.shift = shift
        self.sumX = [Double](repeating: 0, count: columns)
        self.crossX = [Double](repeating: 0, count: columns * columns)
        self.crossXY = [Double](repeating: 0, count: columns)
    }

    /// Adds one row (`columns` values starting at `offset` of `values`) with its target.
    mutating func add(_ values: [Double], offset: Int, target: Double) {
        let p = self.columns
        self.count += 1
        self.sumY += target
        self.sumYY += target * target
        for i in 0..<p {
            let xi = values[offset + i] - self.shift[i]
            self.sumX[i] += xi
            self.crossXY[i] += xi * target
            let base = i * p
            for j in i..<p {
                self.crossX[base + j] += xi * (values[offset + j] - self.shift[j])
            }
        }
    }

    /// The statistics of the rows in `self` but not in `earlier` (which must be a prefix of the same stream).
    func subtracting(_ earlier: RidgeStatistics) -> RidgeStatistics {
        precondition(earlier.columns == self.columns && earlier.count <= self.count, "not a prefix block")
        var block = self
        block.count -= earlier.count
        block.sumY -= earlier.sumY
        block.sumYY -= earlier.sumYY
        for i in 0..<self.columns {
            block.sumX[i] -= earlier.sumX[i]
            block.crossXY[i] -= earlier.crossXY[i]
        }
        for k in 0..<(self.columns * self.columns) { block.crossX[k] -= earlier.crossX[k] }
        return block
    }

    /// `Σ (y − ŷ)²` over the accumulated rows for the model `ŷ = a + wᵀ(x − shift)`, from the statistics alone.
    func sumOfSquaredErrors(intercept a: Double, weights w: [Double]) -> Double {
        let p = self.columns
        var quadratic = 0.0
        for i in 0..<p {
            let base = i * p
            quadratic += w[i] * w[i] * self.crossX[base + i]
            var off = 0.0
            for j in (i + 1)..<p { off += w[j] * self.crossX[base + j] }
            quadratic += 2 * w[i] * off
        }
        var linearXY = 0.0
        var linearX = 0.0
        for i in 0..<p {
            linearXY += w[i] * self.crossXY[i]
            linearX += w[i] * self.sumX[i]
        }
        let n = Double(self.count)
        let sse = self.sumYY - 2 * a * self.sumY - 2 * linearXY + n * a * a + 2 * a * linearX + quadratic
        return max(sse, 0)
    }
}
