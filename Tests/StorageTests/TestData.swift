import Foundation
import PredictionCore
import Storage
import TestSupport
import Testing

/// Deterministic test rows: prices with many significant bits (so a lossy round trip would show), some missing
/// adjusted closes and indicators.
enum TestData {
    /// `TICKER@EXCHANGE`.
    static func instrument(_ ticker: String, _ exchange: String = "NASDAQ") -> InstrumentKey {
        InstrumentKey(ticker: TickerSymbol(ticker)!, exchange: ExchangeCode(exchange)!)
    }

    /// A date from `YYYY-MM-DD`.
    static func day(_ text: String) -> SessionDate {
        SessionDate(text)!
    }

    /// `count` bars on consecutive weekdays from `start`, prices derived from `seed`.
    static func bars(count: Int, from start: SessionDate = day("2020-01-02"), seed: UInt64 = 1) -> [PriceBar] {
        var generator = SplitMix64(seed: seed)
        var session = start
        var close = 100.0 + Double(seed % 50)
        var bars: [PriceBar] = []
        for index in 0..<count {
            while session.isWeekend { session = session.adding(days: 1) }
            let open = close * (1 + (generator.unit() - 0.5) / 50)
            close = open * (1 + (generator.unit() - 0.5) / 25)
            let high = max(open, close) * (1 + generator.unit() / 100)
            let low = min(open, close) * (1 - generator.unit() / 100)
            bars.append(
                PriceBar(
                    session: session, open: open, high: high, low: low, close: close,
                    volume: Int64(generator.next() % 50_000_000),
                    sourceAdjustedClose: index % 3 == 0 ? nil : close * 0.987_654_321))
            session = session.adding(days: 1)
        }
        return bars
    }

    /// Cleaned bars for `bars`: indicators missing at the start (as when a window is not yet full), flags every 7th.
    static func cleanBars(_ bars: [PriceBar], factor: Double = 0.75) -> [CleanBar] {
        bars.enumerated().map { index, bar in
            let values: [Double?] = IndicatorSet.columnNames.indices.map { column in
                index <= column ? nil : bar.close / Double(column + 3) + Double(index) * 1e-9
            }
            return CleanBar(
                bar: bar, adjustmentFactor: factor, indicators: IndicatorSet(values: values), flagged: index % 7 == 3)
        }
    }

    /// The bars of a fixture CSV (`date,open,high,low,close,volume`).
    static func fixtureBars(_ name: String) throws -> [PriceBar] {
        try Fixtures.text(name).split(whereSeparator: \.isNewline).dropFirst().map { line in
            let fields = line.split(separator: ",").map(String.init)
            guard fields.count == 6, let session = SessionDate(fields[0]), let open = Double(fields[1]),
                let high = Double(fields[2]), let low = Double(fields[3]), let close = Double(fields[4]),
                let volume = Double(fields[5])
            else { throw HarnessError("bad fixture line \(line)") }
            return PriceBar(session: session, open: open, high: high, low: low, close: close, volume: Int64(volume))
        }
    }

    /// A fixed instant (whole milliseconds survive both backends exactly).
    static func instant(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: 1_700_000_000 + seconds)
    }
}

/// Bit-exact expectations (`==` on `Double` would call `0.0` and `-0.0` equal).
enum BitExact {
    static func bits(_ value: Double?) -> UInt64? { value?.bitPattern }

    static func same(_ a: PriceBar, _ b: PriceBar) -> Bool {
        a.session == b.session && a.open.bitPattern == b.open.bitPattern && a.high.bitPattern == b.high.bitPattern
            && a.low.bitPattern == b.low.bitPattern && a.close.bitPattern == b.close.bitPattern && a.volume == b.volume
            && bits(a.sourceAdjustedClose) == bits(b.sourceAdjustedClose)
    }

    static func same(_ a: CleanBar, _ b: CleanBar) -> Bool {
        same(a.bar, b.bar) && a.adjustmentFactor.bitPattern == b.adjustmentFactor.bitPattern && a.flagged == b.flagged
            && a.indicators.values.map(bits) == b.indicators.values.map(bits)
    }

    static func expectSame(_ a: [PriceBar], _ b: [PriceBar], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let mismatches = zip(a, b).filter { !same($0, $1) }.count
        #expect(mismatches == 0, "\(mismatches) bars differ", sourceLocation: sourceLocation)
    }

    static func expectSame(_ a: [CleanBar], _ b: [CleanBar], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let mismatches = zip(a, b).filter { !same($0, $1) }.count
        #expect(mismatches == 0, "\(mismatches) clean bars differ", sourceLocation: sourceLocation)
    }
}

/// Timestamps written by one backend and read back may differ by less than a microsecond.
func expectClose(_ a: Date?, _ b: Date?, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let a, let b else {
        #expect(a == nil && b == nil, "one date is nil", sourceLocation: sourceLocation)
        return
    }
    #expect(abs(a.timeIntervalSince(b)) < 0.000_01, "\(a) vs \(b)", sourceLocation: sourceLocation)
}
