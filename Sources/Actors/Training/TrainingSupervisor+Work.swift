import Foundation
import PredictionCore
import Storage

/// The work of each task kind: training a model and computing a multi-day forecast.
extension TrainingSupervisor {
    /// Runs the task's work and returns its result JSON.
    func perform(_ task: TaskRecord, control: TaskControl) async throws -> String? {
        switch task.kind {
        case .train: try await self.train(task, control: control)
        case .forecast: try await self.forecast(task, control: control)
        }
    }

    /// Least number of cleaned bars a training window must have.
    static let minimumTrainingBars = 120

    private func train(_ task: TaskRecord, control: TaskControl) async throws -> String {
        guard let modelID = task.modelID else { throw RegistryError(.invalidRequest, "training task \(task.id) names no model") }
        let model = try await self.registryForWork.beginTraining(modelID, takingOver: task.attempt > 1)
        let calendar = TradingCalendars.calendar(for: model.instrument.exchange)
        let bars = try await self.pricesForWork.cleanBars(for: model.instrument, from: model.trainStart, through: model.trainEnd, after: nil, limit: 1_000_000)
        guard bars.count >= Self.minimumTrainingBars else {
            throw RegistryError(
                .invalidRequest, "the training window of model \(modelID) holds \(bars.count) sessions; at least \(Self.minimumTrainingBars) are needed"
            )
        }
        let features = try FeatureCatalog.resolve(model.features)
        let fitter: (any RegressorFitter)? =
            switch model.modelType {
            case .xgboost: XGBoostFitter(mode: .gradientBoosting)
            case .randomForest: XGBoostFitter(mode: .randomForest)
            default: nil
            }
        _ = control.report(0, "training \(model.modelType.rawValue) on \(bars.count) sessions")
        let started = ContinuousClock.now
        let (type, parameters, valSize, shuffle) = (model.modelType, model.hyperParameters, model.valSize, model.shuffle)
        // Training and the encoding of its (possibly large) artifact run on the compute queue, not on this actor.
        let (artifact, report) = try await ComputeQueue.run {
            let outcome = try ForecastTrainer.train(
                bars: bars, calendar: calendar, modelType: type, features: features, parameters: parameters, valSize: valSize,
                fitter: fitter, shuffleRequested: shuffle, stop: StopSignal { control.isCancelled },
                progress: { fraction, message in control.report(fraction, message) }
            )
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return (try encoder.encode(outcome.artifact), String(decoding: try encoder.encode(outcome.report), as: UTF8.self))
        }
        // The result is registered only by the instance that still holds this attempt (another may have reclaimed it):
        // checked before the upload (renewing the lease for it) and again, atomically, by the fenced model write.
        try await self.ensureLeaseHeld(task.id, attempt: task.attempt)
        let elapsed = ContinuousClock.now - started
        let seconds = elapsed.timeInterval
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let trained = try await self.registryForWork.finishTraining(
            modelID, artifact: artifact, metricsJSON: report, seconds: seconds, dataStart: bars.first?.session, dataEnd: bars.last?.session,
            fence: self.fence(task.id, attempt: task.attempt)
        )
        let verdict = PromotionVerdict.evaluate(metricsJSON: report, maxMASE: 1)
        let result = TrainingResultPayload(
            status: "completed", ticker: trained.instrument.ticker.rawValue, exchange: trained.instrument.exchange.rawValue,
            model_id: modelID, run_id: trained.runID, rmse: verdict.rmse, mase: verdict.mase, theil_u: verdict.theilU,
            training_seconds: seconds, artifact_sha256: trained.artifactSHA256 ?? ""
        )
        return String(decoding: try encoder.encode(result), as: UTF8.self)
    }

    private func forecast(_ task: TaskRecord, control: TaskControl) async throws -> String {
        let request = try JSONDecoder().decode(ForecastRequest.self, from: Data(task.payloadJSON.utf8))
        guard let ticker = TickerSymbol(request.ticker), let exchange = ExchangeCode(request.exchange) else {
            throw RegistryError(.invalidRequest, "invalid ticker or exchange in task \(task.id)")
        }
        let instrument = InstrumentKey(ticker: ticker, exchange: exchange)
        let (model, points) = try await self.hubForWork.forecastAhead(instrument, days: request.days, modelID: request.modelID)
        var done: [FuturePointPayload] = []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for point in points {
            if control.isCancelled { throw ForecastError(.cancelled, "cancelled after \(done.count) of \(points.count) sessions") }
            done.append(FuturePointPayload(point, modelID: model.id))
            await self.partial(task.id, attempt: task.attempt, json: String(decoding: try encoder.encode(done), as: UTF8.self), fraction: Double(done.count) / Double(points.count), message: "\(done.count)/\(points.count) sessions")
        }
        _ = try await self.hubForWork.record(points, instrument: instrument, model: model, taskID: task.id)
        return String(decoding: try encoder.encode(FutureResultPayload(status: "success", predictions: done)), as: UTF8.self)
    }
}

/// `result` of a completed training task.
struct TrainingResultPayload: Codable {
    let status: String
    let ticker: String
    let exchange: String
    let model_id: Int64
    let run_id: String
    let rmse: Double?
    let mase: Double?
    let theil_u: Double?
    let training_seconds: Double
    let artifact_sha256: String
}

/// One point of a multi-day forecast, in the original's `FuturePoint` shape plus intervals.
public struct FuturePointPayload: Codable, Sendable {
    public let target_date: String
    public let horizon: Int
    public let origin_date: String
    public let predicted_close: Double
    public let lower_80: Double
    public let upper_80: Double
    public let lower_95: Double
    public let upper_95: Double
    public let actual_close: Double?
    public let model_metadata_id: Int64
    public let msg: String

    init(_ point: ForecastPoint, modelID: Int64) {
        self.target_date = point.targetDate.description
        self.horizon = point.horizon
        self.origin_date = point.originDate.description
        self.predicted_close = point.predictedClose
        self.lower_80 = point.lower80
        self.upper_80 = point.upper80
        self.lower_95 = point.lower95
        self.upper_95 = point.upper95
        self.actual_close = nil
        self.model_metadata_id = modelID
        self.msg = "session \(point.horizon) after \(point.originDate): \(String(format: "%.2f", point.predictedClose)) (80% \(String(format: "%.2f", point.lower80))–\(String(format: "%.2f", point.upper80)))"
    }
}

/// `result` of a completed forecast task (the original's `{"status": "success", "predictions": [...]}`).
public struct FutureResultPayload: Codable, Sendable {
    public let status: String
    public let predictions: [FuturePointPayload]
}
