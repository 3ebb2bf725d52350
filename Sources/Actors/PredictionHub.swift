import Foundation
import Logging
import PredictionCore
import ServiceLifecycle
import Storage

/// Where predictions go after they are stored (the event bus of the streaming issue binds this to Kafka or the
/// in-process bus; until then predictions are only stored).
public protocol PredictionSink: Sendable {
    /// Publishes stored predictions; must not block (buffer or drop, counting drops).
    func publish(_ predictions: [PredictionRecord]) async
}

/// A sink that publishes nowhere.
public struct DiscardingPredictionSink: PredictionSink {
    public init() {}
    public func publish(_ predictions: [PredictionRecord]) async {}
}

/// Receives every prediction, single and multi-day: stores it and hands it to the sink.
public actor PredictionHub: Service {
    private let store: any StockCastStore
    private let sink: any PredictionSink
    nonisolated let logger: Logger

    /// Creates the hub.
    public init(store: any StockCastStore, sink: any PredictionSink = DiscardingPredictionSink(), logger: Logger) {
        self.store = store
        self.sink = sink
        self.logger = logger
    }

    /// Nothing runs in the background yet; scoring against actuals joins the cleaned bars at read time.
    public func run() async throws {
        try? await gracefulShutdown()
    }

    /// Stores forecast points of `model` and publishes them.
    public func record(
        _ points: [ForecastPoint], instrument: InstrumentKey, modelID: Int64, taskID: String?
    ) async throws -> [PredictionRecord] {
        let now = Date()
        let records = points.map { point in
            PredictionRecord(
                id: 0, instrument: instrument, targetDate: point.targetDate, originDate: point.originDate, horizon: point.horizon,
                predictedClose: point.predictedClose, lower80: point.lower80, upper80: point.upper80, lower95: point.lower95,
                upper95: point.upper95, originClose: point.originClose, modelID: modelID, taskID: taskID, predictedAt: now
            )
        }
        let stored = try await self.store.insertPredictions(records)
        await self.sink.publish(stored)
        return stored
    }
}
