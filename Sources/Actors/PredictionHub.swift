import Foundation
import Logging
import Metrics
import PredictionCore
import ServiceLifecycle
import Storage

/// Owns predictions, single and multi-day: computes them with a registry model over the stored bars, stores them and
/// publishes them on `stock_predictions`. When the ETL brings actual closes it scores the predictions whose target
/// session has arrived (realised error, error of naive from the same origin, inside the intervals or not), stores the
/// scores, publishes `prediction_scored` events, updates the rolling per-ticker error and coverage gauges and hands the
/// window to the anomaly detector.
///
/// The prediction methods are `nonisolated`: the hub keeps no state for them, so concurrent requests never queue
/// behind each other on the actor; the model call runs on `ComputeQueue`, off the cooperative pool.
public actor PredictionHub: Service {
    /// Scored predictions per ticker behind the rolling gauges and the forecast-quality alerts.
    static let rollingWindow = 20
    /// Predictions scored per store round trip.
    static let scoringBatch = 500

    private let predictions: any PredictionStore
    private let prices: any PriceStore
    private let registry: ModelRegistry
    private let forecasts: ForecastService
    private let bus: any EventBus
    private let detector: AnomalyDetector?
    private let pipeline: MarketDataPipeline?
    private let readiness: ReadinessGate?
    private let instance: String
    nonisolated let logger: Logger

    /// Creates the hub.
    /// - Parameters:
    ///   - predictions: where predictions and their scores are stored.
    ///   - prices: the cleaned bars features are computed from and predictions are scored against.
    ///   - registry: the models predictions are made with.
    ///   - pipeline: its completed ETL runs trigger scoring and drift checks.
    public init(
        predictions: any PredictionStore, prices: any PriceStore, registry: ModelRegistry, bus: any EventBus = InProcessEventBus(),
        detector: AnomalyDetector? = nil, pipeline: MarketDataPipeline? = nil, instance: String = "local", logger: Logger,
        readiness: ReadinessGate? = nil
    ) {
        self.readiness = readiness
        self.predictions = predictions
        self.prices = prices
        self.registry = registry
        self.forecasts = ForecastService(prices: prices, registry: registry)
        self.bus = bus
        self.detector = detector
        self.pipeline = pipeline
        self.instance = instance
        self.logger = logger
    }

    /// Catches up on predictions whose actual close arrived while the server was down, then scores after every
    /// completed ETL run, until graceful shutdown.
    public func run() async throws {
        guard let pipeline else { return try await gracefulShutdown() }
        let events = await pipeline.events()
        try await self.readiness?.wait()
        if let datasets = try? await self.prices.datasets() {
            for dataset in datasets { _ = try? await self.score(dataset.instrument, through: dataset.lastSession) }
        }
        for await event in events.cancelOnGracefulShutdown() where event.step == nil && event.run.status == .completed {
            await self.actualsArrived(for: event.run.instrument)
        }
    }

    // MARK: Predictions

    /// `POST /api/predict/`: the prediction of `instrument`'s close on `target` by `modelID` (else the champion), stored
    /// and published. The origin is the last stored session before `target`; `actualClose` is set when `target` is
    /// already stored.
    public nonisolated func predict(_ instrument: InstrumentKey, target: SessionDate, modelID: Int64?) async throws -> SinglePrediction {
        try await self.requireDataset(instrument)
        let (model, point, actual) = try await self.forecasts.predict(instrument, target: target, modelID: modelID)
        let stored = try await self.record([point], instrument: instrument, model: model, taskID: nil)
        guard let record = stored.first else { throw RegistryError(.invalidRequest, "the prediction for \(target) was not stored") }
        return SinglePrediction(model: model, record: record, actualClose: actual)
    }

    /// The model a multi-day forecast of `instrument` would use (`modelID`, else the champion): checked before a task is
    /// queued, so a request that cannot succeed is refused instead.
    public nonisolated func forecastModel(for instrument: InstrumentKey, modelID: Int64?) async throws -> ModelRecord {
        try await self.requireDataset(instrument)
        return try await self.registry.servingModel(for: instrument, modelID: modelID).0
    }

    /// The next `days` sessions after the last stored one, one point per session, in order (not stored: see `record`).
    public nonisolated func forecastAhead(
        _ instrument: InstrumentKey, days: Int, modelID: Int64?
    ) async throws -> (model: ModelRecord, points: [ForecastPoint]) {
        try await self.forecasts.forecastAhead(instrument, days: days, modelID: modelID)
    }

    /// Stores forecast points of `model` and publishes them.
    public nonisolated func record(
        _ points: [ForecastPoint], instrument: InstrumentKey, model: ModelRecord, taskID: String?
    ) async throws -> [PredictionRecord] {
        let now = Date()
        let records = points.map { point in
            PredictionRecord(
                id: 0, instrument: instrument, targetDate: point.targetDate, originDate: point.originDate, horizon: point.horizon,
                predictedClose: point.predictedClose, lower80: point.lower80, upper80: point.upper80, lower95: point.lower95,
                upper95: point.upper95, originClose: point.originClose, modelID: model.id, taskID: taskID, predictedAt: now
            )
        }
        let stored = try await self.predictions.insertPredictions(records)
        for record in stored {
            self.bus.publish(BusEvent(PredictionEvent(record, model: model), origin: self.instance))
        }
        return stored
    }

    /// Stored predictions newest first (id below `cursor`, at most `limit`, optionally of one ticker), each with the
    /// actual close of its target session when that is stored.
    public nonisolated func history(
        ticker: TickerSymbol?, before cursor: Int64?, limit: Int
    ) async throws -> [(prediction: PredictionRecord, actualClose: Double?)] {
        let page = try await self.predictions.predictions(ticker: ticker, before: cursor, limit: limit)
        var actuals: [InstrumentKey: [SessionDate: Double]] = [:]
        for instrument in Set(page.map(\.instrument)) {
            let dates = page.filter { $0.instrument == instrument }.map(\.targetDate)
            guard let first = dates.min(), let last = dates.max() else { continue }
            let bars = try await self.prices.cleanBars(for: instrument, from: first, through: last, after: nil, limit: 100_000)
            actuals[instrument] = Dictionary(bars.map { ($0.session, $0.bar.close) }, uniquingKeysWith: { a, _ in a })
        }
        return page.map { ($0, actuals[$0.instrument]?[$0.targetDate]) }
    }

    private nonisolated func requireDataset(_ instrument: InstrumentKey) async throws {
        guard try await self.prices.exchanges(listing: instrument.ticker).contains(instrument.exchange) else {
            throw RegistryError(.datasetNotFound, "no data for \(instrument.ticker) on \(instrument.exchange)")
        }
    }

    // MARK: Scoring

    /// Scores what the stored bars allow, then runs the drift check.
    public func actualsArrived(for instrument: InstrumentKey) async {
        do {
            try await self.score(instrument)
            let recent = try await self.predictions.scoredPredictions(of: instrument, limit: Self.rollingWindow)
            self.updateRollingGauges(instrument, recent)
            await self.detector?.checkForecasts(instrument, scored: recent)
            await self.detector?.checkDrift(instrument)
        } catch {
            self.logger.error("scoring failed", metadata: ["instrument": "\(instrument)", "error": "\(error)"])
        }
    }

    /// Scores every unscored prediction of `instrument` whose target session is stored (up to `through`, the last
    /// stored session, looked up when not given); returns how many.
    @discardableResult
    public func score(_ instrument: InstrumentKey, through lastSession: SessionDate? = nil) async throws -> Int {
        var last = lastSession
        if last == nil { last = try await self.prices.datasets().first(where: { $0.instrument == instrument })?.lastSession }
        guard let last else { return 0 }
        var total = 0
        var models: [Int64: ModelRecord?] = [:]
        while true {
            let due = try await self.predictions.unscoredPredictions(of: instrument, through: last, limit: Self.scoringBatch)
            guard let first = due.first?.targetDate, let end = due.map(\.targetDate).max() else { break }
            let bars = try await self.prices.cleanBars(for: instrument, from: first, through: end, after: nil, limit: 1_000_000)
            let closes = Dictionary(bars.map { ($0.session, $0.bar.close) }, uniquingKeysWith: { $1 })
            // A target date with no bar (a holiday the calendar did not know, a rejected row) is scored as missing: the
            // prediction keeps waiting only while later sessions may still bring it, so it does not block the queue.
            let scores = due.compactMap { prediction in closes[prediction.targetDate].map { PredictionScore(id: prediction.id, actualClose: $0) } }
            let unresolvable = due.filter { closes[$0.targetDate] == nil }
            let now = Date()
            let scoredIDs = Set(try await self.predictions.scorePredictions(scores, at: now))
            total += scoredIDs.count
            let actual = Dictionary(uniqueKeysWithValues: scores.map { ($0.id, $0.actualClose) })
            for var prediction in due where scoredIDs.contains(prediction.id) {
                prediction.actualClose = actual[prediction.id]
                prediction.scoredAt = now
                if models[prediction.modelID] == nil { models[prediction.modelID] = try await self.registry.existingModel(prediction.modelID) }
                Counter(label: "predictions_scored_total", dimensions: [("ticker", instrument.ticker.rawValue)]).increment()
                guard let model = models[prediction.modelID] ?? nil else { continue }
                self.bus.publish(BusEvent(PredictionEvent(prediction, model: model), origin: self.instance))
            }
            if !unresolvable.isEmpty {
                self.logger.notice("predictions without an actual close", metadata: ["instrument": "\(instrument)", "count": "\(unresolvable.count)"])
            }
            if scoredIDs.isEmpty || due.count < Self.scoringBatch { break }
        }
        return total
    }

    private func updateRollingGauges(_ instrument: InstrumentKey, _ recent: [PredictionRecord]) {
        let scorings = recent.compactMap { record in record.actualClose.map { PredictionScoring(record, actual: $0) } }
        guard !scorings.isEmpty else { return }
        let count = Double(scorings.count)
        let ticker = instrument.ticker.rawValue
        Gauge(label: "prediction_abs_pct_error", dimensions: [("ticker", ticker)]).record(scorings.map(\.absPctError).reduce(0, +) / count)
        Gauge(label: "prediction_naive_abs_pct_error", dimensions: [("ticker", ticker)]).record(scorings.map(\.naiveAbsPctError).reduce(0, +) / count)
        Gauge(label: "prediction_interval_coverage", dimensions: [("ticker", ticker), ("level", "80")]).record(Double(scorings.filter(\.inside80).count) / count)
        Gauge(label: "prediction_interval_coverage", dimensions: [("ticker", ticker), ("level", "95")]).record(Double(scorings.filter(\.inside95).count) / count)
    }
}

/// A single-day prediction as stored, with the model that made it and the actual close when the target is stored.
public struct SinglePrediction: Sendable {
    public let model: ModelRecord
    public let record: PredictionRecord
    public let actualClose: Double?
}
