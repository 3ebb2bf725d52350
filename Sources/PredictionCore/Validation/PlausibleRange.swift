/// The ranges a stored market number must lie in. Values outside are not prices of any instrument the platform can
/// serve (the highest share price ever quoted is below 10⁶, sub-penny tokens are above 10⁻⁶), and keeping them out is
/// what guarantees that every indicator, feature and forecast derived from stored bars is finite: with prices in
/// [10⁻⁶, 10⁹], volumes ≤ 10¹⁵ and split ratios in [10⁻⁴, 10⁴], no ratio, square or sum the pipeline computes can
/// overflow a `Double`, and no division can reach a zero.
public enum PlausibleRange {
    /// Open, high, low and close.
    public static let price: ClosedRange<Double> = 1e-6...1e9
    /// Shares traded in one session.
    public static let volume: ClosedRange<Int64> = 0...1_000_000_000_000_000
    /// New shares per old share of a split (a 1-for-10,000 reverse split to a 10,000-for-1 split).
    public static let splitRatio: ClosedRange<Double> = 1e-4...1e4
    /// Cash dividend per share.
    public static let dividend: ClosedRange<Double> = 1e-9...1e9

    /// The price range as written in row reports.
    public static let priceText = "0.000001 … 1,000,000,000"
    /// The volume range as written in row reports.
    public static let volumeText = "0 … 10^15"
}

extension CorporateAction {
    /// Why this event's value cannot be a real dividend or split, or `nil` when it can.
    public var implausibility: String? {
        switch self.kind {
        case .dividend:
            guard self.value.isFinite, PlausibleRange.dividend.contains(self.value) else {
                return "dividend \(self.value) is outside 0.000000001 … 1,000,000,000"
            }
        case .split:
            guard self.value.isFinite, PlausibleRange.splitRatio.contains(self.value) else {
                return "split ratio \(self.value) is outside 0.0001 … 10,000"
            }
        }
        return nil
    }
}
