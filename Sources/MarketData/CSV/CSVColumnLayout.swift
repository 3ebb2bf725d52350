/// Where each column of a price CSV is, found from its header line.
///
/// Names are matched case-insensitively, ignoring spaces, underscores, hyphens and quotes, so `Date`, `date`,
/// `Adj Close`, `adj_close` and `Stock Splits` are all recognised. Required: Date, Open, High, Low, Close, Volume.
/// Optional: Adj Close, Dividends, Stock Splits (yfinance). Unknown columns are ignored.
struct CSVColumnLayout: Sendable {
    /// Column index of the date.
    var date: Int
    /// Column index of the opening price.
    var open: Int
    /// Column index of the high.
    var high: Int
    /// Column index of the low.
    var low: Int
    /// Column index of the (unadjusted) close.
    var close: Int
    /// Column index of the volume.
    var volume: Int
    /// Column index of `Adj Close`, when present.
    var adjustedClose: Int?
    /// Column index of `Dividends`, when present.
    var dividends: Int?
    /// Column index of `Stock Splits`, when present.
    var splits: Int?
    /// Fields a data row needs at least (one past the largest required index).
    var requiredFieldCount: Int

    /// The canonical name of each required column, in the order they are reported when missing.
    private static let required: [(name: String, keys: Set<String>)] = [
        ("Date", ["date", "datetime", "timestamp"]),
        ("Open", ["open"]),
        ("High", ["high"]),
        ("Low", ["low"]),
        ("Close", ["close"]),
        ("Volume", ["volume", "vol"]),
    ]

    /// Builds the layout from the header's field texts; throws `.malformed` naming every missing required column.
    init(headerFields: [String]) throws(ProviderError) {
        var index: [String: Int] = [:]
        for (position, field) in headerFields.enumerated() {
            let key = Self.normalised(field)
            if index[key] == nil { index[key] = position }
        }
        var found: [Int] = []
        var missing: [String] = []
        for column in Self.required {
            if let position = column.keys.compactMap({ index[$0] }).min() {
                found.append(position)
            } else {
                missing.append(column.name)
            }
        }
        guard missing.isEmpty else {
            let header = headerFields.joined(separator: ",")
            let shown = header.count > 200 ? String(header.prefix(200)) + "…" : header
            throw ProviderError(
                .malformed,
                "CSV header is missing column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) "
                    + "(header: \(shown)); expected Date,Open,High,Low,Close,Volume")
        }
        self.date = found[0]
        self.open = found[1]
        self.high = found[2]
        self.low = found[3]
        self.close = found[4]
        self.volume = found[5]
        self.adjustedClose = index["adjclose"] ?? index["adjustedclose"]
        self.dividends = index["dividends"] ?? index["dividend"]
        self.splits = index["stocksplits"] ?? index["splits"]
        self.requiredFieldCount = (found.max() ?? 0) + 1
    }

    /// Lower-cased with spaces, underscores, hyphens and quotes removed.
    static func normalised(_ name: String) -> String {
        String(name.lowercased().filter { $0 != " " && $0 != "_" && $0 != "-" && $0 != "\"" && $0 != "\u{FEFF}" })
    }
}
