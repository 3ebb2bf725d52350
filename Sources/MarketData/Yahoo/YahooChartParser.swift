import Foundation
import PredictionCore

/// Turns a Yahoo `v8/finance/chart` JSON body into a `FetchedSeries`. Pure: no I/O.
///
/// - Dates: each timestamp is converted to the EXCHANGE-LOCAL calendar date, using the IANA zone in
///   `meta.exchangeTimezoneName` (with its DST rules), or the fixed `meta.gmtoffset` when the name is unknown.
///   Never the UTC date, never the server's zone (the original system shifted Taiwan sessions by a day).
/// - Rows are numbered by their 1-based position in the `timestamp` array; an entry with a `null` (or missing)
///   open, high, low, close or volume becomes a `RowIssue(.unparseable)`.
/// - `chart.error` with code `Not Found`, or an empty result → `.notFound`; other errors and bodies that are not
///   chart JSON → `.malformed`.
/// - Events are returned sorted by session; splits use `numerator / denominator` (or `splitRatio` text).
public struct YahooChartParser: Sendable {
    /// First session wanted (inclusive); earlier rows and events are dropped.
    public var since: SessionDate?

    /// Creates a parser.
    public init(since: SessionDate? = nil) {
        self.since = since
    }

    /// Parses a chart response body.
    public func parse(bytes: [UInt8]) throws(ProviderError) -> FetchedSeries {
        let document: YahooChartDocument
        do {
            document = try JSONDecoder().decode(YahooChartDocument.self, from: Data(bytes))
        } catch {
            throw ProviderError(.malformed, "yahoo response is not chart JSON")
        }
        if let error = document.chart.error {
            let detail = String((error.description ?? error.code ?? "unknown error").prefix(200))
            if error.code == "Not Found" { throw ProviderError(.notFound, "yahoo: \(detail)") }
            throw ProviderError(.malformed, "yahoo error \(error.code ?? "?"): \(detail)")
        }
        guard let result = document.chart.result?.first else {
            throw ProviderError(.notFound, "yahoo returned no result")
        }
        guard let timestamps = result.timestamp, !timestamps.isEmpty else {
            throw ProviderError(.notFound, "yahoo returned no rows")
        }
        let zone = try Self.exchangeTimeZone(result.meta)
        var series = FetchedSeries()
        series.rows.reserveCapacity(timestamps.count)
        let quote = result.indicators?.quote?.first
        let adjusted = result.indicators?.adjclose?.first?.adjclose

        for (index, timestamp) in timestamps.enumerated() {
            let row = index + 1
            guard let session = Self.sessionDate(timestamp, in: zone) else {
                series.issues.append(
                    RowIssue(row: row, session: nil, reason: .unparseable, detail: "timestamp \(timestamp) is out of range"))
                continue
            }
            if let since = self.since, session < since { continue }
            func value(_ array: [Double?]?) -> Double? {
                guard let array, index < array.count, let value = array[index], value.isFinite else { return nil }
                return value
            }
            let open = value(quote?.open)
            let high = value(quote?.high)
            let low = value(quote?.low)
            let close = value(quote?.close)
            let volume = value(quote?.volume).flatMap { abs($0) < 9.0e18 ? Int64($0.rounded()) : nil }
            guard let open, let high, let low, let close, let volume else {
                let missing = [("open", open), ("high", high), ("low", low), ("close", close), ("volume", volume.map(Double.init))]
                    .filter { $0.1 == nil }.map(\.0)
                series.issues.append(
                    RowIssue(row: row, session: session, reason: .unparseable, detail: "null " + missing.joined(separator: ", ")))
                continue
            }
            let bar = PriceBar(
                session: session, open: open, high: high, low: low, close: close, volume: volume,
                sourceAdjustedClose: value(adjusted))
            series.rows.append(NumberedBar(row: row, bar: bar))
        }
        let actions = self.actions(result.events, zone: zone)
        series.actions = actions.filter { $0.implausibility == nil }
        for action in actions {
            if let reason = action.implausibility {
                series.issues.append(RowIssue(row: nil, session: action.session, reason: .implausibleValue, detail: "\(reason); event ignored"))
            }
        }
        return series
    }

    /// Dividends and splits with a valid date and a positive value, sorted by session then kind.
    private func actions(_ events: YahooChartDocument.Events?, zone: TimeZone) -> [CorporateAction] {
        var actions: [CorporateAction] = []
        for (key, dividend) in events?.dividends ?? [:] {
            guard let amount = dividend.amount, amount > 0, amount.isFinite,
                let timestamp = dividend.date ?? Int64(key), let session = Self.sessionDate(timestamp, in: zone)
            else { continue }
            actions.append(CorporateAction(session: session, kind: .dividend, value: amount))
        }
        for (key, split) in events?.splits ?? [:] {
            guard let timestamp = split.date ?? Int64(key), let session = Self.sessionDate(timestamp, in: zone),
                let ratio = Self.splitRatio(split), ratio > 0, ratio.isFinite, ratio != 1
            else { continue }
            actions.append(CorporateAction(session: session, kind: .split, value: ratio))
        }
        let kept = actions.filter { action in self.since.map { action.session >= $0 } ?? true }
        return kept.sorted { ($0.session, $0.kind.rawValue) < ($1.session, $1.kind.rawValue) }
    }

    /// `numerator / denominator`, or the `splitRatio` text `new:old`.
    private static func splitRatio(_ split: YahooChartDocument.Split) -> Double? {
        if let numerator = split.numerator, let denominator = split.denominator, numerator > 0, denominator > 0 {
            return numerator / denominator
        }
        guard let text = split.splitRatio else { return nil }
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "/" })
        guard parts.count == 2, let new = Double(parts[0]), let old = Double(parts[1]), new > 0, old > 0 else { return nil }
        return new / old
    }

    /// The exchange's zone: the IANA name when known, else the fixed `gmtoffset`; `.malformed` when neither is given.
    static func exchangeTimeZone(_ meta: YahooChartDocument.Meta?) throws(ProviderError) -> TimeZone {
        if let name = meta?.exchangeTimezoneName, let zone = TimeZone(identifier: name) { return zone }
        if let offset = meta?.gmtoffset, abs(offset) <= 18 * 3600, let zone = TimeZone(secondsFromGMT: offset) {
            return zone
        }
        throw ProviderError(.malformed, "yahoo chart has no exchange time zone; cannot date the sessions")
    }

    /// The calendar date, in `zone`, of a Unix timestamp (seconds); `nil` outside SessionDate's year range.
    static func sessionDate(_ timestamp: Int64, in zone: TimeZone) -> SessionDate? {
        // 1800-01-01 ... 2200-12-31 in seconds, with a day of slack for the offset.
        guard timestamp > -5_364_662_400 - 86_400, timestamp < 7_289_654_400 + 86_400 else { return nil }
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(timestamp))))
        let local = timestamp + offset
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let date = SessionDate(dayNumber: Int32(day))
        return (1800...2200).contains(date.year) ? date : nil
    }
}
