import TestSupport
import Foundation
import PredictionCore
import Storage

/// Models, tasks and predictions for the registry cases of the store contract.
extension TestData {
    /// Hyper-parameters with every field away from its default, doubles with many significant bits, the largest
    /// seed, so a lossy or partial JSON round trip would show.
    static let unusualHyperParameters: HyperParameters = {
        var parameters = HyperParameters(for: .randomForest)
        parameters.nEstimators = 317
        parameters.maxDepth = 11
        parameters.learningRate = 0.1 + 0.2
        parameters.subsample = 0.654_321_987_654_321
        parameters.colsampleByNode = 1.0 / 3.0
        parameters.ridgeAlphas = [.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-300, 0.1, 1e300, 12_345.678_9]
        parameters.maxHorizon = 17
        parameters.refitEvery = 3
        parameters.seed = UInt64.max
        parameters.threads = 2
        return parameters
    }()

    /// A registration of `instrument`.
    static func newModel(
        _ instrument: InstrumentKey, type: ModelType = .xgboost, features: [String] = ["Close", "MA5", "RSI"],
        hyperParameters: HyperParameters? = nil
    ) -> NewModel {
        NewModel(
            instrument: instrument, modelType: type, features: features, valSize: 0.2, shuffle: false,
            trainStart: day("2018-01-02"), trainEnd: day("2023-12-29"),
            hyperParameters: hyperParameters ?? HyperParameters(for: type))
    }

    /// A task created at `instant(seconds)`.
    static func task(
        _ id: String, kind: TaskKind = .train, state: TaskState = .pending, at seconds: Double, model: Int64? = nil
    ) -> TaskRecord {
        TaskRecord(
            id: id, kind: kind, state: state, payloadJSON: #"{"model_id":\#(model ?? 0)}"#, modelID: model,
            createdAt: instant(seconds))
    }

    /// A prediction of `instrument` from `origin`, `horizon` sessions ahead (weekdays), values derived from `seed`.
    static func prediction(
        _ instrument: InstrumentKey, origin: SessionDate = day("2024-03-01"), horizon: Int = 1, seed: UInt64 = 1,
        model: Int64 = 1, task: String? = nil
    ) -> PredictionRecord {
        var generator = SplitMix64(seed: seed)
        let close = 100 + generator.unit() * 50
        let spread = 1 + generator.unit()
        var target = origin
        for _ in 0..<horizon {
            target = target.adding(days: 1)
            while target.isWeekend { target = target.adding(days: 1) }
        }
        return PredictionRecord(
            id: 0, instrument: instrument, targetDate: target, originDate: origin, horizon: horizon,
            predictedClose: close, lower80: close - spread, upper80: close + spread, lower95: close - 2 * spread,
            upper95: close + 2.000_000_000_1 * spread, originClose: close * 0.999_999_7, modelID: model, taskID: task,
            predictedAt: instant(Double(seed) + 0.25))
    }
}
