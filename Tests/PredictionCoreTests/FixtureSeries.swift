import PredictionCore
import TestSupport

/// Loads the daily-bar CSV fixtures (`date,open,high,low,close,volume`) and small synthetic series for tests.
enum FixtureSeries {
    /// The rows of a fixture CSV as numbered bars (row = line number, header = line 1).
    static func rows(_ name: String) throws -> [NumberedBar] {
        var result: [NumberedBar] = []
        for (index, line) in try Fixtures.text(name).split(separator: "\n").enumerated() where index > 0 {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 6, let session = SessionDate(fields[0]), let open = Double(fields[1]),
                let high = Double(fields[2]), let low = Double(fields[3]), let close = Double(fields[4]),
                let volume = Int64(fields[5])
            else { throw FixtureError(line: index + 1, text: String(line)) }
            result.append(
                NumberedBar(
                    row: index + 1,
                    bar: PriceBar(session: session, open: open, high: high, low: low, close: close, volume: volume)
                )
            )
        }
        return result
    }

    /// The bars of a fixture CSV, in file order.
    static func bars(_ name: String) throws -> [PriceBar] {
        try self.rows(name).map(\.bar)
    }

    /// A date from a literal known to be valid.
    static func day(_ text: String) -> SessionDate {
        guard let date = SessionDate(text) else { fatalError("bad test date \(text)") }
        return date
    }

    /// A bar with a plausible range around `close` unless given.
    static func bar(
        _ text: String, open: Double? = nil, high: Double? = nil, low: Double? = nil, close: Double,
        volume: Int64 = 1_000
    ) -> PriceBar {
        PriceBar(
            session: self.day(text), open: open ?? close, high: high ?? close * 1.01, low: low ?? close * 0.99,
            close: close, volume: volume
        )
    }
}

/// A fixture line that did not parse.
struct FixtureError: Error, CustomStringConvertible {
    var line: Int
    var text: String
    var description: String { "fixture line \(self.line) did not parse: \(self.text)" }
}
