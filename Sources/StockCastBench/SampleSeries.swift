import Foundation
import PredictionCore

/// One benchmark series: a `date,open,high,low,close,volume` CSV (../shared/data) cleaned the way the ETL cleans it
/// (`BarCleaner.clean`: adjustment factors, indicators on the adjusted close), with its exchange's calendar.
struct SampleSeries {
    /// Name shown in the results (e.g. `GOOG`).
    let ticker: String
    /// The exchange code the calendar was chosen for.
    let exchange: ExchangeCode
    /// The cleaned bars, ascending.
    let bars: [CleanBar]
    /// The exchange's trading calendar.
    let calendar: any TradingCalendar

    /// Most rows read from one file.
    static let maximumRows = 1_000_000

    /// Reads and cleans `path`.
    ///
    /// - Throws: `BenchError` `.input` for an unreadable file, a wrong header or a malformed row.
    init(csvPath path: String, exchange code: String, ticker: String) throws {
        guard let exchange = ExchangeCode(code) else { throw BenchError(.usage, "\"\(code)\" is not an exchange code") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchError(.input, "cannot read \(path)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let header = lines.first, header.lowercased() == "date,open,high,low,close,volume" else {
            throw BenchError(.input, "\(path): the header must be date,open,high,low,close,volume")
        }
        guard lines.count - 1 <= Self.maximumRows else {
            throw BenchError(.input, "\(path): more than \(Self.maximumRows) rows")
        }
        var bars: [PriceBar] = []
        bars.reserveCapacity(lines.count - 1)
        for (offset, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 6, let session = SessionDate(String(fields[0])),
                let open = Double(fields[1]), let high = Double(fields[2]), let low = Double(fields[3]),
                let close = Double(fields[4]), let volume = Double(fields[5]), volume >= 0, volume < 9e18
            else {
                throw BenchError(.input, "\(path) line \(offset + 2): not date,open,high,low,close,volume")
            }
            bars.append(PriceBar(session: session, open: open, high: high, low: low, close: close, volume: Int64(volume)))
        }
        self.ticker = ticker
        self.exchange = exchange
        self.bars = BarCleaner.clean(bars: bars, actions: [], flagged: [])
        self.calendar = TradingCalendars.calendar(for: exchange)
    }

    /// The feature matrix of the whole series as CSV: `session` then one column per feature, values printed with
    /// 17 significant digits, undefined values empty. The Python side compares its pandas features with this.
    func featureCSV(features: [FeatureName]) -> String {
        let matrix = FeatureBuilder.matrix(bars: self.bars, features: features)
        var text = "session," + features.map(\.rawValue).joined(separator: ",") + "\n"
        for row in 0..<matrix.rowCount {
            text += self.bars[row].session.description
            for value in matrix.row(row) {
                text += value.isFinite ? "," + String(format: "%.17g", value) : ","
            }
            text += "\n"
        }
        return text
    }
}
