import struct Foundation.Date
import PredictionCore
import SQLiteNIO

extension SQLiteStore {
    private static let predictionColumns = """
        id, ticker, exchange, target_date, origin_date, horizon, predicted_close, lower_80, upper_80, lower_95,
        upper_95, origin_close, model_id, task_id, predicted_at
        """

    private static func decodePrediction(_ row: SQLiteRow) throws -> PredictionRecord {
        PredictionRecord(
            id: try row.int64("id"), instrument: try row.instrument(), targetDate: try row.sessionDate("target_date"),
            originDate: try row.sessionDate("origin_date"), horizon: try row.int("horizon"),
            predictedClose: try row.double("predicted_close"), lower80: try row.double("lower_80"),
            upper80: try row.double("upper_80"), lower95: try row.double("lower_95"), upper95: try row.double("upper_95"),
            originClose: try row.double("origin_close"), modelID: try row.int64("model_id"),
            taskID: try row.optionalText("task_id"), predictedAt: try row.timestamp("predicted_at"))
    }

    public func insertPredictions(_ predictions: [PredictionRecord]) async throws -> [PredictionRecord] {
        guard !predictions.isEmpty else { return [] }
        let rows = try predictions.map { try $0.canonicalized() }
        return try await self.write { session in
            // One statement per row: SQLite does not promise the order of a multi-row RETURNING, and ids must follow
            // the input order. The batch is one transaction either way.
            var stored: [PredictionRecord] = []
            stored.reserveCapacity(rows.count)
            for prediction in rows {
                let inserted = try await session.query(
                    """
                    INSERT INTO predictions (ticker, exchange, target_date, origin_date, horizon, predicted_close,
                        lower_80, upper_80, lower_95, upper_95, origin_close, model_id, task_id, predicted_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) RETURNING id
                    """,
                    [
                        .text(prediction.instrument.ticker.rawValue), .text(prediction.instrument.exchange.rawValue),
                        .session(prediction.targetDate), .session(prediction.originDate), .integer(prediction.horizon),
                        .float(prediction.predictedClose), .float(prediction.lower80), .float(prediction.upper80),
                        .float(prediction.lower95), .float(prediction.upper95), .float(prediction.originClose),
                        .int64(prediction.modelID), .optionalText(prediction.taskID), .timestamp(prediction.predictedAt),
                    ])
                guard let id = try inserted.first?.int64("id") else {
                    throw StorageError(.queryFailed, "storing a prediction returned no id")
                }
                var row = prediction
                row.id = id
                stored.append(row)
            }
            return stored
        }
    }

    public func predictions(ticker: TickerSymbol?, before cursor: Int64?, limit: Int) async throws -> [PredictionRecord] {
        guard limit > 0 else { return [] }
        let binds: [SQLiteData] = [.int64(cursor ?? Int64.max), .integer(limit)]
        return try await self.read { session in
            if let ticker {
                return try await session.query(
                    """
                    SELECT \(Self.predictionColumns) FROM predictions WHERE ticker = ?3 AND id < ?1
                    ORDER BY id DESC LIMIT ?2
                    """, binds + [.text(ticker.rawValue)]
                ).map(Self.decodePrediction)
            }
            return try await session.query(
                "SELECT \(Self.predictionColumns) FROM predictions WHERE id < ?1 ORDER BY id DESC LIMIT ?2", binds
            ).map(Self.decodePrediction)
        }
    }
}
