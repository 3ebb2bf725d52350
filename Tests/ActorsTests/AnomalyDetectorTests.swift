import Actors
import Foundation
import Logging
import PredictionCore
import Storage
import Synchronization
import Testing

/// A bus that records what is published (alerts, scored predictions).
final class RecordingBus: EventBus {
    private let events = Mutex<[BusEvent]>([])

    func publish(_ event: BusEvent) {
        self.events.withLock { $0.append(event) }
    }

    func subscribe(to topics: Set<EventTopic>, bufferingNewest: Int) -> AsyncStream<BusEvent> {
        AsyncStream { $0.finish() }
    }

    /// Published payloads of `topic`, decoded.
    func payloads(_ topic: EventTopic) -> [[String: Any]] {
        self.events.withLock { $0 }.filter { $0.topic == topic }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.payload)) as? [String: Any]
        }
    }
}

/// The anomaly detector on the real sample data in a real SQLite store: clean data raises nothing; each injected
/// fault raises exactly its alert, once, and resolves when it clears.
@Suite struct AnomalyDetectorTests {
    static let goog = InstrumentKey(ticker: TickerSymbol("GOOG")!, exchange: ExchangeCode("NASDAQ")!)
    static let gspc = InstrumentKey(ticker: TickerSymbol("^GSPC")!, exchange: ExchangeCode("NYSE")!)
    static let shifted = InstrumentKey(ticker: TickerSymbol("DRIFT")!, exchange: ExchangeCode("NASDAQ")!)

    static func sample(_ file: String) throws -> [PriceBar] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Sources/App/Resources/SampleData/\(file)"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line -> PriceBar? in
            let f = line.split(separator: ",")
            guard f.count == 6, let d = SessionDate(String(f[0])), let o = Double(f[1]), let h = Double(f[2]), let l = Double(f[3]),
                let c = Double(f[4]), let v = Int64(f[5])
            else { return nil }
            return PriceBar(session: d, open: o, high: h, low: l, close: c, volume: v)
        }
    }

    static func store(_ bars: [PriceBar], as instrument: InstrumentKey, in store: SQLiteStore) async throws {
        _ = try await store.upsertCleanBars(BarCleaner.clean(bars: bars, actions: [], flagged: []), for: instrument)
    }

    /// `bars` with every close from the last `sessions` multiplied so that each of those daily log returns grows by `shift`.
    static func withShiftedReturns(_ bars: [PriceBar], last sessions: Int, shift: Double) -> [PriceBar] {
        bars.enumerated().map { index, bar in
            let step = index - (bars.count - sessions) + 1
            guard step > 0 else { return bar }
            let factor = exp(shift * Double(step))
            return PriceBar(session: bar.session, open: bar.open * factor, high: bar.high * factor, low: bar.low * factor, close: bar.close * factor, volume: bar.volume)
        }
    }

    /// One-session-ahead predictions for the last `count` sessions of `bars`: the origin close times the trailing mean
    /// return, with 80/95 % intervals from an exponentially weighted volatility (λ = 0.94) known at the origin.
    /// `bias` multiplies every point forecast (an error spike).
    static func predictions(for instrument: InstrumentKey, bars: [PriceBar], count: Int, bias: Double = 1) -> [PredictionRecord] {
        let closes = bars.map(\.close)
        var variance = 0.0
        var records: [PredictionRecord] = []
        for t in 1..<closes.count - 1 {
            let r = log(closes[t] / closes[t - 1])
            variance = t == 1 ? r * r : 0.94 * variance + 0.06 * r * r
            guard t >= closes.count - 1 - count, t > 250 else { continue }
            let drift = (log(closes[t] / closes[t - 250])) / 250
            let sd = variance.squareRoot()
            let origin = closes[t]
            let point = origin * exp(drift) * bias
            records.append(PredictionRecord(
                id: 0, instrument: instrument, targetDate: bars[t + 1].session, originDate: bars[t].session, horizon: 1,
                predictedClose: point, lower80: point * exp(-1.2816 * sd), upper80: point * exp(1.2816 * sd),
                lower95: point * exp(-1.96 * sd), upper95: point * exp(1.96 * sd), originClose: origin, modelID: 1, taskID: nil, predictedAt: Date()
            ))
        }
        return records
    }

    /// Runs `body` with a migrated store, a recording bus, a detector and a hub (not running; called directly).
    static func withDetector(
        _ configuration: AnomalyDetector.Configuration = .init(),
        _ body: (SQLiteStore, RecordingBus, AnomalyDetector, PredictionHub) async throws -> Void
    ) async throws {
        let (store, dir) = try await PipelineFixtures.store()
        defer {
            Task { await store.close() }
            try? FileManager.default.removeItem(at: dir)
        }
        let bus = RecordingBus()
        let detector = AnomalyDetector(
            alerts: store, prices: store, models: store, bus: bus, instance: "test", configuration: configuration, logger: Logger(label: "test"))
        let registry = ModelRegistry(models: store, artifacts: LocalArtifactRepository(root: dir.appendingPathComponent("artifacts")), logger: Logger(label: "test"))
        let hub = PredictionHub(
            predictions: store, prices: store, registry: registry, bus: bus, detector: detector, instance: "test", logger: Logger(label: "test"))
        try await body(store, bus, detector, hub)
    }

    static func activeKinds(_ store: SQLiteStore) async throws -> [String] {
        try await store.activeAlerts(limit: 100).map { "\($0.kind.rawValue):\($0.instrument?.ticker.rawValue ?? "-")" }.sorted()
    }

    // MARK: - Clean data

    @Test func replayingTheCleanSampleDataRaisesNoAlert() async throws {
        try await Self.withDetector { store, bus, detector, hub in
            for (file, instrument) in [("goog.csv", Self.goog), ("gspc.csv", Self.gspc)] {
                let bars = try Self.sample(file)
                try await Self.store(bars, as: instrument, in: store)
                _ = try await store.track(TrackedTicker(instrument: instrument, source: "csv:sample/\(file)", addedAt: Date()))
                _ = try await store.insertPredictions(Self.predictions(for: instrument, bars: bars, count: 120))
                let scored = try await hub.score(instrument)
                #expect(scored == 120)
                // Judge every rolling window of 20 scored predictions, as each ETL run would have.
                let all = try await store.scoredPredictions(of: instrument, limit: 120)
                for end in stride(from: all.count, through: 20, by: -1) {
                    await detector.checkForecasts(instrument, scored: Array(all[(end - 20)..<end]))
                }
                await detector.checkDrift(instrument)
                // A CSV-sourced series is not expected to refresh, however old it is.
                await detector.checkFreshness(TrackedTicker(instrument: instrument, source: "csv:sample/\(file)", addedAt: Date()), lastSession: bars.last?.session, sessionsBehind: 3000)
            }
            await detector.checkService(requests: 500, serverErrors: 0, p99Seconds: 0.05)
            #expect(try await Self.activeKinds(store) == [])
            #expect(bus.payloads(.alerts).isEmpty)
            #expect(bus.payloads(.predictions).isEmpty, "no model 1 exists, so scored events are not published")
        }
    }

    // MARK: - Injected faults

    @Test func shiftedReturnsRaiseReturnDriftOnceAndResolveWhenClean() async throws {
        try await Self.withDetector { store, bus, detector, _ async throws in
            let bars = try Self.sample("goog.csv")
            try await Self.store(Self.withShiftedReturns(bars, last: 60, shift: 0.01), as: Self.shifted, in: store)
            await detector.checkDrift(Self.shifted)
            await detector.checkDrift(Self.shifted)  // the condition lasts: no second alert
            #expect(try await Self.activeKinds(store) == ["return_drift:DRIFT"])
            let raised = bus.payloads(.alerts)
            #expect(raised.count == 1)
            #expect(raised.first?["type"] as? String == "alert")
            #expect(raised.first?["kind"] as? String == "return_drift")
            #expect(raised.first?["state"] as? String == "active")
            #expect(raised.first?["ticker"] as? String == "DRIFT")
            #expect(raised.first?["target_date"] as? String == bars.last?.session.description)
            #expect((raised.first?["messages"] as? [String])?.first?.contains("KS") == true)
            try await Self.store(bars, as: Self.shifted, in: store)
            await detector.checkDrift(Self.shifted)
            #expect(try await Self.activeKinds(store) == [])
            #expect(bus.payloads(.alerts).map { $0["state"] as? String } == ["active", "resolved"])
        }
    }

    @Test func staleLiveTickerRaisesStaleData() async throws {
        try await Self.withDetector { store, bus, detector, _ async throws in
            let live = TrackedTicker(instrument: Self.goog, source: "yahoo", addedAt: Date())
            await detector.checkFreshness(live, lastSession: SessionDate("2026-11-20"), sessionsBehind: 1)
            #expect(try await Self.activeKinds(store) == [])
            await detector.checkFreshness(live, lastSession: SessionDate("2026-11-20"), sessionsBehind: 4)
            #expect(try await Self.activeKinds(store) == ["stale_data:GOOG"])
            await detector.checkFreshness(live, lastSession: SessionDate("2026-11-26"), sessionsBehind: 0)
            #expect(try await Self.activeKinds(store) == [])
            // Nothing stored yet: not stale while the first daily run may still be due, stale after 36 hours.
            let fresh = TrackedTicker(instrument: Self.gspc, source: "stooq", addedAt: Date())
            await detector.checkFreshness(fresh, lastSession: nil, sessionsBehind: 0)
            let old = TrackedTicker(instrument: Self.gspc, source: "stooq", addedAt: Date(timeIntervalSinceNow: -48 * 3600))
            await detector.checkFreshness(old, lastSession: nil, sessionsBehind: 0)
            #expect(try await Self.activeKinds(store) == ["stale_data:^GSPC"])
            let message = try await store.activeAlerts(limit: 1).first?.messages.first ?? ""
            #expect(message.hasPrefix("No data stored since the ticker was tracked on"))
            #expect(bus.payloads(.alerts).map { "\($0["kind"] ?? ""):\($0["state"] ?? "")" } == ["stale_data:active", "stale_data:resolved", "stale_data:active"])
        }
    }

    @Test func errorSpikeRaisesForecastErrorOnly() async throws {
        try await Self.withDetector { store, bus, detector, hub in
            let bars = try Self.sample("goog.csv")
            try await Self.store(bars, as: Self.goog, in: store)
            // Point forecasts 4 % too high, intervals still wide enough to cover: error, not coverage.
            let biased = Self.predictions(for: Self.goog, bars: bars, count: 20, bias: 1.04).map { record in
                var wide = record
                (wide.lower80, wide.upper80, wide.lower95, wide.upper95) = (record.originClose * 0.8, record.originClose * 1.2, record.originClose * 0.7, record.originClose * 1.3)
                return wide
            }
            _ = try await store.insertPredictions(biased)
            try await hub.score(Self.goog)
            await detector.checkForecasts(Self.goog, scored: try await store.scoredPredictions(of: Self.goog, limit: 20))
            #expect(try await Self.activeKinds(store) == ["forecast_error:GOOG"])
            #expect(bus.payloads(.alerts).count == 1)
        }
    }

    @Test func intervalsThatMissRaiseLowCoverage() async throws {
        try await Self.withDetector { store, _, detector, hub async throws in
            let bars = try Self.sample("goog.csv")
            try await Self.store(bars, as: Self.goog, in: store)
            let narrow = Self.predictions(for: Self.goog, bars: bars, count: 20).map { record in
                var tight = record
                (tight.lower80, tight.upper80) = (record.predictedClose * 0.9999, record.predictedClose * 1.0001)
                (tight.lower95, tight.upper95) = (record.predictedClose * 0.9998, record.predictedClose * 1.0002)
                return tight
            }
            _ = try await store.insertPredictions(narrow)
            try await hub.score(Self.goog)
            await detector.checkForecasts(Self.goog, scored: try await store.scoredPredictions(of: Self.goog, limit: 20))
            #expect(try await Self.activeKinds(store) == ["low_coverage:GOOG"])
        }
    }

    @Test func serviceLevelsRaiseAndResolve() async throws {
        try await Self.withDetector { store, bus, detector, _ async throws in
            await detector.checkService(requests: 10, serverErrors: 10, p99Seconds: 9)  // too few requests to judge
            #expect(try await Self.activeKinds(store) == [])
            await detector.checkService(requests: 200, serverErrors: 30, p99Seconds: 0.02)
            #expect(try await Self.activeKinds(store) == ["error_rate:-"])
            await detector.checkService(requests: 200, serverErrors: 0, p99Seconds: 2.5)
            #expect(try await Self.activeKinds(store) == ["latency:-"])
            #expect(bus.payloads(.alerts).map { "\($0["kind"] ?? ""):\($0["state"] ?? "")" } == ["error_rate:active", "error_rate:resolved", "latency:active"])
        }
    }

    // MARK: - Scoring

    @Test func scoringPublishesScoredEventsWithNaiveComparison() async throws {
        try await Self.withDetector { store, bus, _, hub in
            let bars = Array(try Self.sample("goog.csv").prefix(400))
            try await Self.store(bars, as: Self.goog, in: store)
            let model = try await store.createModel(NewModel(
                instrument: Self.goog, modelType: .drift, features: [], valSize: 0.2, shuffle: false, trainStart: nil, trainEnd: nil,
                hyperParameters: .init(for: .drift)
            ))
            let points = Self.predictions(for: Self.goog, bars: bars, count: 5).map { record in
                var point = record
                point.modelID = model.id
                return point
            }
            _ = try await store.insertPredictions(points)
            #expect(try await hub.score(Self.goog) == 5)
            #expect(try await hub.score(Self.goog) == 0, "scoring is idempotent")
            let events = bus.payloads(.predictions)
            #expect(events.count == 5)
            let first = try #require(events.first)
            #expect(first["type"] as? String == "prediction_scored")
            let actual = try #require(first["actual_close"] as? Double)
            let origin = try #require(first["origin_close"] as? Double)
            #expect(abs((first["naive_abs_pct_error"] as? Double ?? -1) - abs(actual - origin) / actual) < 1e-12)
            #expect(first["inside_95"] as? Bool != nil)
            #expect(first["model_type"] as? String == "drift")
        }
    }
}
