import Foundation
import PredictionCore
import TestSupport

/// Series for the forecasting tests: the GOOG fixture cleaned with `BarCleaner`, and seeded random walks.
enum ForecastSeries {
    /// The first `count` bars of goog.csv, cleaned (no corporate actions in the fixture).
    static func goog(count: Int) throws -> [CleanBar] {
        let bars = Array(try FixtureSeries.bars("goog.csv").prefix(count))
        return BarCleaner.clean(bars: bars, actions: [], flagged: [])
    }

    /// Raw bars of a geometric random walk on weekday sessions from 2010-01-04: log returns `drift + σ·N(0, 1)`,
    /// volumes log-normal around 1e6. Deterministic for a seed.
    static func randomWalkBars(count: Int, seed: UInt64, sigma: Double = 0.01, drift: Double = 0) -> [PriceBar] {
        var generator = SplitMix64(seed: seed)
        var day = FixtureSeries.day("2010-01-04")
        var close = 100.0
        var bars: [PriceBar] = []
        bars.reserveCapacity(count)
        for _ in 0..<count {
            let open = close * exp(0.002 * generator.nextNormal())
            close *= exp(drift + sigma * generator.nextNormal())
            let high = max(open, close) * (1 + 0.003 * abs(generator.nextNormal()))
            let low = min(open, close) * (1 - 0.003 * abs(generator.nextNormal()))
            let volume = Int64(1_000_000 * exp(0.3 * generator.nextNormal()))
            bars.append(PriceBar(session: day, open: open, high: high, low: low, close: close, volume: volume))
            day = WeekdayCalendar().nextSession(after: day)
        }
        return bars
    }

    /// `randomWalkBars`, cleaned.
    static func randomWalk(count: Int, seed: UInt64, sigma: Double = 0.01, drift: Double = 0) -> [CleanBar] {
        BarCleaner.clean(
            bars: self.randomWalkBars(count: count, seed: seed, sigma: sigma, drift: drift), actions: [], flagged: []
        )
    }

    /// Parses a JSON fixture under `forecasting/`.
    static func json<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(try Fixtures.text("forecasting/\(name)").utf8))
    }

    /// `|a − b| ≤ relative × max(|a|, |b|) + absolute`.
    static func close(_ a: Double, _ b: Double, relative: Double = 1e-9, absolute: Double = 1e-14) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b)) + absolute
    }
}

/// Standard normal draws (Box–Muller) from the shared SplitMix64.
extension SplitMix64 {
    /// A standard normal draw.
    mutating func nextNormal() -> Double {
        let u1 = Double(self.next() >> 11 | 1) / Double(1 << 53)
        let u2 = Double(self.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
