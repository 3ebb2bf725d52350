/// Turns the feature names a user registers into `FeatureName`s: ours (snake_case, `validNames`) and the original
/// system's column names (`originalNames`, ORIGINAL.md §3.1), each mapped to a scale-free version.
///
/// The original fed raw price levels (`Close`, `MA5`, …) to its models; those do not carry over from one price level
/// to another, so `MA5` becomes `close / MA5 − 1`, `Open` becomes `open / close − 1`, `Close` the one-session log
/// return, `Volume` the 20-session volume z-score, `RSI` the RSI14 / 100 (the original's UI offered `RSI`, which its
/// backend did not have).
public enum FeatureCatalog {
    /// Our feature names, in declaration order.
    public static let validNames: [String] = FeatureName.allCases.map(\.rawValue)

    /// The original's names (plus the indicator API names `RSI14`, `log_return`, `volatility20`) and what each
    /// maps to, in the order they are listed to users.
    public static let originalNames: [(name: String, feature: FeatureName)] = [
        ("Open", .openToClose), ("High", .highToClose), ("Low", .lowToClose), ("Close", .returnLag1),
        ("Volume", .volumeZScore20), ("MA5", .closeToSMA5), ("MA10", .closeToSMA10), ("EMA12", .closeToEMA12),
        ("EMA26", .closeToEMA26), ("MACD", .macdNorm), ("MACD_signal", .macdSignalNorm), ("MACD_hist", .macdHistNorm),
        ("BB_upper", .closeToBBUpper), ("BB_middle", .closeToSMA20), ("BB_lower", .closeToBBLower),
        ("VOL_MA10", .volumeToMA10), ("RSI", .rsi14), ("RSI14", .rsi14), ("log_return", .returnLag1),
        ("volatility20", .volatility20),
    ]

    /// Every accepted name: ours, then the original's.
    public static let acceptedNames: [String] = validNames + originalNames.map(\.name)

    /// The features used when none are given: the six return lags, price/SMA and price/EMA ratios, RSI14, the
    /// MACD family, Bollinger %b, 20-session volatility, the volume z-score and the day of the week (19 columns).
    public static let defaultFeatures: [FeatureName] = [
        .returnLag1, .returnLag2, .returnLag3, .returnLag5, .returnLag10, .returnLag20,
        .closeToSMA5, .closeToSMA10, .closeToSMA20, .closeToEMA12, .closeToEMA26,
        .rsi14, .macdNorm, .macdSignalNorm, .macdHistNorm, .bollingerPercentB,
        .volatility20, .volumeZScore20, .dayOfWeek,
    ]

    /// The feature one name stands for, or `nil` when it is not accepted. Exact matches win; otherwise the
    /// comparison ignores case and surrounding spaces (`ma5`, ` Close `).
    public static func feature(named name: String) -> FeatureName? {
        if let feature = FeatureName(rawValue: name) { return feature }
        if let entry = self.originalNames.first(where: { $0.name == name }) { return entry.feature }
        let folded = name.trimmingSpaces().lowercased()
        if let feature = FeatureName(rawValue: folded) { return feature }
        return self.originalNames.first { $0.name.lowercased() == folded }?.feature
    }

    /// Resolves a registered list: every name mapped, duplicates (also after mapping, e.g. `Close` and
    /// `return_lag_1`) removed keeping the first occurrence; an empty list gives `defaultFeatures`.
    ///
    /// - Throws: `ForecastError` `.unknownFeature` naming the unknown names and listing every accepted one.
    public static func resolve(_ names: [String]) throws -> [FeatureName] {
        if names.isEmpty { return self.defaultFeatures }
        var result: [FeatureName] = []
        var unknown: [String] = []
        for name in names {
            guard let feature = self.feature(named: name) else {
                unknown.append(name)
                continue
            }
            if !result.contains(feature) { result.append(feature) }
        }
        guard unknown.isEmpty else {
            let shown = unknown.prefix(10).map { "\"\(String($0.prefix(40)))\"" }.joined(separator: ", ")
            throw ForecastError(
                .unknownFeature,
                "unknown feature name(s): \(shown)\(unknown.count > 10 ? " …" : ""); valid names: "
                    + self.acceptedNames.joined(separator: ", ")
            )
        }
        return result
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (no Foundation needed).
    fileprivate func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
