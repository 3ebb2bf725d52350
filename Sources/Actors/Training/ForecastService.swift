import Metrics
import PredictionCore
import Storage

/// Computes forecasts with a registry model over the stored bars, for `PredictionHub`: the single-day prediction of
/// `POST /api/predict/` and the points of a multi-day forecast task. The model call runs on `ComputeQueue`.
struct ForecastService: Sendable {
    let prices: any PriceStore
    let registry: ModelRegistry

    /// Sessions read before the origin: more than any feature's look-back (the longest window is 26 sessions; the
    /// stored indicators carry the longer history), so a prediction reads a few hundred bars, not the whole series.
    static let historySessions = 260

    /// A single-day forecast for `target`: the origin is the last stored session before `target`; the horizon is the
    /// number of sessions between them (at most the model's `maxHorizon`, else `invalidRequest`).
    ///
    /// Counted in `predictions_total{model_type, outcome}` and timed in `prediction_duration_seconds{model_type}`
    /// (`unknown` model type when no model was reached).
    func predict(
        _ instrument: InstrumentKey, target: SessionDate, modelID: Int64?
    ) async throws -> (model: ModelRecord, point: ForecastPoint, actualClose: Double?) {
        let started = ContinuousClock.now
        var modelType = "unknown"
        do {
            let result = try await self.computePrediction(instrument, target: target, modelID: modelID, modelType: &modelType)
            PredictionMetrics.count(modelType: modelType, outcome: "success")
            Timer(label: "prediction_duration_seconds", dimensions: [("model_type", modelType)]).recordInterval(since: started)
            return result
        } catch {
            PredictionMetrics.count(modelType: modelType, outcome: "failure")
            throw error
        }
    }

    private func computePrediction(
        _ instrument: InstrumentKey, target: SessionDate, modelID: Int64?, modelType: inout String
    ) async throws -> (model: ModelRecord, point: ForecastPoint, actualClose: Double?) {
        let calendar = TradingCalendars.calendar(for: instrument.exchange)
        guard calendar.isSession(target) else {
            throw RegistryError(
                .invalidRequest, "\(target) is not a trading session of \(instrument.exchange) (\(calendar.identifier)); next session: \(calendar.nextSession(after: target))"
            )
        }
        let (model, forecaster) = try await self.registry.servingModel(for: instrument, modelID: modelID)
        modelType = model.modelType.rawValue
        let from = calendar.sessions(before: target, count: Self.historySessions + model.hyperParameters.maxHorizon).first
        let bars = try await self.prices.cleanBars(for: instrument, from: from, through: target, after: nil, limit: Self.historySessions * 2 + 64)
        guard let origin = bars.last(where: { $0.session < target })?.session else {
            if let last = try await self.prices.datasets().first(where: { $0.instrument == instrument })?.lastSession, last < target {
                throw RegistryError(
                    .invalidRequest,
                    "\(target) is more than \(model.hyperParameters.maxHorizon) sessions after the last stored session \(last); model \(model.id) forecasts at most \(model.hyperParameters.maxHorizon) sessions ahead"
                )
            }
            throw RegistryError(.invalidRequest, "no stored session of \(instrument) before \(target)")
        }
        let horizon = calendar.sessions(in: origin.adding(days: 1)...target).count
        guard horizon <= model.hyperParameters.maxHorizon else {
            throw RegistryError(
                .invalidRequest,
                "\(target) is \(horizon) sessions after the last stored session \(origin); model \(model.id) forecasts at most \(model.hyperParameters.maxHorizon) sessions ahead"
            )
        }
        let history = bars.filter { $0.session <= origin }
        let points = try await ComputeQueue.run { try forecaster.forecast(bars: history, calendar: calendar, origin: origin, horizons: horizon...horizon) }
        guard let point = points.first else { throw RegistryError(.invalidRequest, "the model produced no forecast for \(target)") }
        let actual = bars.first { $0.session == target }?.bar.close
        return (model, point, actual)
    }

    /// The next `days` sessions after the last stored one, one point per session, in order.
    func forecastAhead(
        _ instrument: InstrumentKey, days: Int, modelID: Int64?
    ) async throws -> (model: ModelRecord, points: [ForecastPoint]) {
        let (model, forecaster) = try await self.registry.servingModel(for: instrument, modelID: modelID)
        guard days <= model.hyperParameters.maxHorizon else {
            throw RegistryError(.invalidRequest, "model \(model.id) forecasts at most \(model.hyperParameters.maxHorizon) sessions ahead; asked for \(days)")
        }
        let calendar = TradingCalendars.calendar(for: instrument.exchange)
        guard let summary = try await self.prices.datasets().first(where: { $0.instrument == instrument }) else {
            throw RegistryError(.invalidRequest, "no stored data for \(instrument)")
        }
        let from = calendar.sessions(before: summary.lastSession, count: Self.historySessions).first
        let bars = try await self.prices.cleanBars(for: instrument, from: from, through: nil, after: nil, limit: Self.historySessions * 2 + 64)
        guard let last = bars.last else { throw RegistryError(.invalidRequest, "no stored data for \(instrument)") }
        do {
            let points = try await ComputeQueue.run { try forecaster.forecast(bars: bars, calendar: calendar, origin: last.session, horizons: 1...days) }
            PredictionMetrics.count(modelType: model.modelType.rawValue, outcome: "success", points: points.count)
            return (model, points)
        } catch {
            PredictionMetrics.count(modelType: model.modelType.rawValue, outcome: "failure", points: days)
            throw error
        }
    }
}

/// `predictions_total{model_type, outcome}`.
enum PredictionMetrics {
    static func count(modelType: String, outcome: String, points: Int = 1) {
        Counter(label: "predictions_total", dimensions: [("model_type", modelType), ("outcome", outcome)]).increment(by: points)
    }
}

extension Timer {
    /// Records the time since `start`.
    func recordInterval(since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        self.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
