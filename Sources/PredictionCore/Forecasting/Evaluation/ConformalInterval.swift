/// Split-conformal prediction intervals in log-return space: the half-width for coverage `1 − a` is the
/// `⌈(m + 1)(1 − a)⌉`-th smallest of `m` absolute residuals (the finite-sample correction); the interval of a
/// forecast `ŷ` from origin close `c` is `[c·e^(ŷ−q), c·e^(ŷ+q)]`.
public enum ConformalInterval {
    /// The two coverage levels every forecast carries.
    public static let levels: (low: Double, high: Double) = (0.80, 0.95)
    /// Residuals a backtest point's interval needs before one is given (earlier points only).
    public static let minimumResiduals = 20

    /// The half-width for `coverage` from ascending absolute residuals, or `nil` when there are too few for the
    /// finite-sample rank (`⌈(m + 1) × coverage⌉ > m`).
    public static func halfWidth(sortedAbsoluteResiduals sorted: [Double], coverage: Double) -> Double? {
        let m = sorted.count
        guard m > 0, coverage > 0, coverage < 1 else { return nil }
        // The small tolerance keeps e.g. 20 × 0.95 = 19.000000000000004 from rounding up to 20.
        let rank = Int((Double(m + 1) * coverage - 1e-9).rounded(.up))
        guard rank >= 1, rank <= m else { return nil }
        return sorted[rank - 1]
    }

    /// `widths` made non-decreasing (each value raised to the largest before it), so the fan widens with h.
    /// `nil` entries stay `nil`.
    public static func monotoneEnvelope(_ widths: [Double?]) -> [Double?] {
        var running = 0.0
        return widths.map { width in
            guard let width else { return nil }
            running = max(running, width)
            return running
        }
    }

    /// Inserts `value` into an ascending array, keeping it ascending (binary search, O(m) move).
    static func insertSorted(_ value: Double, into sorted: inout [Double]) {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] <= value { low = middle + 1 } else { high = middle }
        }
        sorted.insert(value, at: low)
    }
}
