import Logging
import PredictionCore
import Storage

/// A diagnostic for the serving benchmark: how long the read that `POST /api/predict/` makes on every request
/// (`cleanBars` of the whole series, as `ForecastService.predict` does) takes on its own, in process, on the SQLite
/// file the benchmarked server wrote. Run after the server stopped.
struct StoreReadProbe {
    /// What the probe measured.
    struct Result: Codable {
        /// Bars returned by one read.
        var bars: Int
        /// Milliseconds per read (sequential).
        var millis: TimingSummary
    }

    /// The SQLite file.
    let path: String
    /// The instrument read.
    let instrument: InstrumentKey
    /// Timed reads (after 3 untimed ones).
    let repeats: Int

    /// Reads the whole series `repeats` times.
    func run() async throws -> Result {
        var logger = Logger(label: "stockcast.bench")
        logger.logLevel = .warning
        let store = SQLiteStore(path: self.path, logger: logger)
        do {
            var bars = 0
            var millis: [Double] = []
            for index in 0..<(self.repeats + 3) {
                let start = Stopwatch.now()
                let read = try await store.cleanBars(for: self.instrument, from: nil, through: nil, after: nil, limit: 100_000)
                let elapsed = Double(Stopwatch.now() - start) / 1e6
                if index >= 3 { millis.append(elapsed) }
                bars = read.count
            }
            await store.close()
            guard bars > 0 else { throw BenchError(.input, "\(self.path) has no bars of \(self.instrument)") }
            return Result(bars: bars, millis: TimingSummary(millis))
        } catch {
            await store.close()
            throw error
        }
    }
}
