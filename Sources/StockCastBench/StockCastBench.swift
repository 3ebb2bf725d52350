import Foundation
import PredictionCore

/// `StockCastBench`: the Swift side of issue 3's forecasting benchmarks (bench/run-forecast-bench.sh runs it next
/// to bench/forecast_bench.py). Not a product: built on demand with
/// `swift build -c release --product StockCastBench --scratch-path .build-release`.
@main
enum StockCastBench {
    /// Entry point: runs the command, writes its JSON, exits 2 on a usage error and 1 on any other failure.
    static func main() async {
        do {
            let options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
            try await self.run(options)
        } catch let error as BenchError {
            self.printError("StockCastBench: \(error)")
            if error.code == .usage { self.printError(BenchOptions.usage) }
            exit(error.code == .usage ? 2 : 1)
        } catch {
            self.printError("StockCastBench: \(error)")
            exit(1)
        }
    }

    /// Dispatches one command.
    static func run(_ options: BenchOptions) async throws {
        let log: (String) -> Void = { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        switch options.command {
        case "accuracy":
            let out = try options.required("out")
            let series = try self.series(options)
            if let path = options.optional("features-out") {
                try self.write(series.featureCSV(features: FeatureCatalog.defaultFeatures), to: path)
            }
            let results = try AccuracyBench(series: series).run(log: log)
            try self.writeJSON(AccuracyOutput(ticker: series.ticker, sessions: series.bars.count, models: results), to: out)
        case "speed":
            let out = try options.required("out")
            let series = try self.series(options)
            let calls = try options.integer("latency-calls", default: 50_000, in: 100...10_000_000)
            let result = try SpeedBench(series: series, latencyCalls: calls).run(log: log)
            try self.writeJSON(result, to: out)
        case "store-read":
            let out = try options.required("out")
            guard let ticker = TickerSymbol(try options.required("ticker")),
                let exchange = ExchangeCode(try options.required("exchange"))
            else { throw BenchError(.usage, "--ticker and --exchange must be a ticker symbol and an exchange code") }
            let probe = StoreReadProbe(
                path: try options.required("sqlite"), instrument: InstrumentKey(ticker: ticker, exchange: exchange),
                repeats: try options.integer("repeats", default: 50, in: 1...10_000)
            )
            let result = try await probe.run()
            log("store read of \(result.bars) bars: median \(String(format: "%.2f", result.millis.median)) ms")
            try self.writeJSON(result, to: out)
        default:
            throw BenchError(.usage, "unknown command \"\(options.command)\"")
        }
    }

    /// What `accuracy` writes.
    struct AccuracyOutput: Codable {
        /// The series' name.
        var ticker: String
        /// Sessions in the series.
        var sessions: Int
        /// One result per model family.
        var models: [AccuracyBench.ModelResult]
    }

    /// The series named by `--csv`, `--exchange` and `--ticker`.
    static func series(_ options: BenchOptions) throws -> SampleSeries {
        try SampleSeries(
            csvPath: try options.required("csv"), exchange: try options.required("exchange"),
            ticker: try options.required("ticker")
        )
    }

    /// Writes `value` as pretty JSON with sorted keys.
    static func writeJSON(_ value: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(value)
        guard FileManager.default.createFile(atPath: path, contents: data) else {
            throw BenchError(.input, "cannot write \(path)")
        }
    }

    /// Writes `text` to `path`.
    static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw BenchError(.input, "cannot write \(path)")
        }
    }

    /// A line on standard error.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
