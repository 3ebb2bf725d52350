import struct Foundation.Date
import PredictionCore
import SQLiteNIO

extension SQLiteStore {
    private static let predictionColumns = """
        id, ticker, exchange, target_date, origin_date, horizon, predicted_close, lower_80, upper_80, lower_95,
        upper_95, origin_close, model_id, task_id, predicted_at, actual_close, scored_at
        """

    private static func decodePrediction(_ row: SQLiteRow) throws -> PredictionRecord {
        PredictionRecord(
            id: try row.int64("id"), instrument: try row.instrument(), targetDate: try row.sessionDate("target_date"),
            originDate: try row.sessionDate("origin_date"), horizon: try row.int("horizon"),
            predictedClose: try row.double("predicted_close"), lower80: try row.double("lower_80"),
            upper80: try row.double("upper_80"), lower95: try row.double("lower_95"), upper95: try row.double("upper_95"),
            originClose: try row.double("origin_close"), modelID: try row.int64("model_id"),
            taskID: try row.optionalText("task_id"), predictedAt: try row.timestamp("predicted_at"),
            actualClose: try row.optionalDouble("actual_close"), scoredAt: try row.optionalTimestamp("scored_at"))
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
                        lower_80, upper_80, lower_95, upper_95, origin_close, model_id, task_id, predicted_at,
                        actual_close, scored_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                    RETURNING id
                    """,
                    [
                        .text(prediction.instrument.ticker.rawValue), .text(prediction.instrument.exchange.rawValue),
                        .session(prediction.targetDate), .session(prediction.originDate), .integer(prediction.horizon),
                        .float(prediction.predictedClose), .float(prediction.lower80), .float(prediction.upper80),
                        .float(prediction.lower95), .float(prediction.upper95), .float(prediction.originClose),
                        .int64(prediction.modelID), .optionalText(prediction.taskID), .timestamp(prediction.predictedAt),
                        .optionalFloat(prediction.actualClose), .timestamp(prediction.scoredAt),
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

    // MARK: Scoring

    public func unscoredPredictions(of instrument: InstrumentKey, through: SessionDate, limit: Int) async throws
        -> [PredictionRecord]
    {
        guard limit > 0 else { return [] }
        return try await self.read { session in
            // `scored_at IS NULL` is the predicate of the partial index predictions_unscored, which it walks in order.
            try await session.query(
                """
                SELECT \(Self.predictionColumns) FROM predictions
                WHERE ticker = ?1 AND exchange = ?2 AND target_date <= ?3 AND scored_at IS NULL
                ORDER BY target_date, id LIMIT ?4
                """,
                [
                    .text(instrument.ticker.rawValue), .text(instrument.exchange.rawValue), .session(through),
                    .integer(limit),
                ]
            ).map(Self.decodePrediction)
        }
    }

    public func scorePredictions(_ scores: [PredictionScore], at: Date) async throws -> [Int64] {
        let scores = try scores.canonicalizedUnique()
        guard !scores.isEmpty else { return [] }
        return try await self.write { session in
            // Inside BEGIN IMMEDIATE no other writer runs, so `scored_at IS NULL` decides once per id: a prediction is
            // scored by exactly one call.
            var scored: [Int64] = []
            for score in scores {
                let rows = try await session.query(
                    """
                    UPDATE predictions SET actual_close = ?2, scored_at = ?3
                    WHERE id = ?1 AND scored_at IS NULL RETURNING id
                    """, [.int64(score.id), .float(score.actualClose), .timestamp(at)])
                if !rows.isEmpty { scored.append(score.id) }
            }
            return scored
        }
    }

    public func scoredPredictions(of instrument: InstrumentKey, limit: Int) async throws -> [PredictionRecord] {
        guard limit > 0 else { return [] }
        return try await self.read { session in
            try await session.query(
                """
                SELECT \(Self.predictionColumns) FROM predictions
                WHERE ticker = ?1 AND exchange = ?2 AND scored_at IS NOT NULL
                ORDER BY target_date DESC, id DESC LIMIT ?3
                """,
                [.text(instrument.ticker.rawValue), .text(instrument.exchange.rawValue), .integer(limit)]
            ).map(Self.decodePrediction)
        }
    }
}
