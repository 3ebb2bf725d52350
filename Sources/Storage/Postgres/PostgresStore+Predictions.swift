import struct Foundation.Date
import PostgresNIO
import PredictionCore

extension PostgresStore {
    private static let predictionColumns = """
        id, ticker, exchange, (target_date - DATE '1970-01-01') AS target_date,
        (origin_date - DATE '1970-01-01') AS origin_date, horizon, predicted_close, lower_80, upper_80, lower_95,
        upper_95, origin_close, model_id, task_id, predicted_at, actual_close, scored_at
        """

    private static func decodePrediction(_ row: PostgresRow) throws -> PredictionRecord {
        let row = row.makeRandomAccess()
        return PredictionRecord(
            id: try row.value("id", Int64.self), instrument: try row.instrument(), targetDate: try row.session("target_date"),
            originDate: try row.session("origin_date"), horizon: try row.value("horizon", Int.self),
            predictedClose: try row.value("predicted_close", Double.self), lower80: try row.value("lower_80", Double.self),
            upper80: try row.value("upper_80", Double.self), lower95: try row.value("lower_95", Double.self),
            upper95: try row.value("upper_95", Double.self), originClose: try row.value("origin_close", Double.self),
            modelID: try row.value("model_id", Int64.self), taskID: try row.value("task_id", String?.self),
            predictedAt: try row.timestamp("predicted_at"), actualClose: try row.value("actual_close", Double?.self),
            scoredAt: try row.optionalTimestamp("scored_at"))
    }

    public func insertPredictions(_ predictions: [PredictionRecord]) async throws -> [PredictionRecord] {
        guard !predictions.isEmpty else { return [] }
        let rows = try predictions.map { try $0.canonicalized() }
        return try await self.transaction { connection in
            var stored: [PredictionRecord] = []
            stored.reserveCapacity(rows.count)
            for chunk in rows.chunks(of: Self.rowsPerStatement) {
                // Ids are drawn from the sequence first and handed out ascending in input order, so the order of
                // the ids is the order of the input whatever order the insert itself processes rows in.
                let drawn = try await self.rows(
                    """
                    SELECT nextval(pg_get_serial_sequence('predictions', 'id')) AS id
                    FROM generate_series(1, \(chunk.count))
                    """, on: connection)
                let ids = try drawn.map { try $0.makeRandomAccess().value("id", Int64.self) }.sorted()
                guard ids.count == chunk.count else {
                    throw StorageError(.queryFailed, "drawing prediction ids returned \(ids.count) of \(chunk.count)")
                }
                try await self.rows(
                    """
                    INSERT INTO predictions (id, ticker, exchange, target_date, origin_date, horizon, predicted_close,
                        lower_80, upper_80, lower_95, upper_95, origin_close, model_id, task_id, predicted_at,
                        actual_close, scored_at)
                    SELECT t.id, t.ticker, t.exchange, DATE '1970-01-01' + t.target_day, DATE '1970-01-01' + t.origin_day,
                        t.horizon, t.predicted_close, t.lower_80, t.upper_80, t.lower_95, t.upper_95, t.origin_close,
                        t.model_id, t.task_id, t.predicted_at, t.actual_close, t.scored_at
                    FROM unnest(\(ids)::int8[], \(chunk.map(\.instrument.ticker.rawValue))::text[],
                        \(chunk.map(\.instrument.exchange.rawValue))::text[], \(chunk.map(\.targetDate.dayNumber))::int4[],
                        \(chunk.map(\.originDate.dayNumber))::int4[], \(chunk.map { Int64($0.horizon) })::int8[],
                        \(chunk.map(\.predictedClose))::float8[], \(chunk.map(\.lower80))::float8[],
                        \(chunk.map(\.upper80))::float8[], \(chunk.map(\.lower95))::float8[],
                        \(chunk.map(\.upper95))::float8[], \(chunk.map(\.originClose))::float8[],
                        \(chunk.map(\.modelID))::int8[], \(PostgresNullableArray(chunk.map(\.taskID)))::text[],
                        \(chunk.map { PostgresTimestamp($0.predictedAt) })::timestamptz[],
                        \(PostgresNullableArray(chunk.map(\.actualClose)))::float8[],
                        \(PostgresNullableArray(chunk.map { PostgresTimestamp.optional($0.scoredAt) }))::timestamptz[])
                        AS t(id, ticker, exchange, target_day, origin_day, horizon, predicted_close, lower_80, upper_80,
                            lower_95, upper_95, origin_close, model_id, task_id, predicted_at, actual_close, scored_at)
                    """, on: connection)
                for (id, prediction) in zip(ids, chunk) {
                    var row = prediction
                    row.id = id
                    stored.append(row)
                }
            }
            return stored
        }
    }

    public func predictions(ticker: TickerSymbol?, before cursor: Int64?, limit: Int) async throws -> [PredictionRecord] {
        guard limit > 0 else { return [] }
        let cursor = cursor ?? Int64.max
        guard let ticker else {
            return try await self.rows(
                "SELECT \(unescaped: Self.predictionColumns) FROM predictions WHERE id < \(cursor) ORDER BY id DESC LIMIT \(limit)"
            ).map(Self.decodePrediction)
        }
        return try await self.rows(
            """
            SELECT \(unescaped: Self.predictionColumns) FROM predictions WHERE ticker = \(ticker.rawValue) AND id < \(cursor)
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map(Self.decodePrediction)
    }

    // MARK: Scoring

    public func unscoredPredictions(of instrument: InstrumentKey, through: SessionDate, limit: Int) async throws
        -> [PredictionRecord]
    {
        guard limit > 0 else { return [] }
        // `scored_at IS NULL` is the predicate of the partial index predictions_unscored, which serves the range and
        // the order.
        return try await self.rows(
            """
            SELECT \(unescaped: Self.predictionColumns) FROM predictions
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
                AND target_date <= DATE '1970-01-01' + \(through.dayNumber)::int4 AND scored_at IS NULL
            ORDER BY target_date, id LIMIT \(limit)
            """
        ).map(Self.decodePrediction)
    }

    public func scorePredictions(_ scores: [PredictionScore], at: Date) async throws -> [Int64] {
        let scores = try scores.canonicalizedUnique()
        guard !scores.isEmpty else { return [] }
        let scoredAt = PostgresTimestamp(at)
        let scored = try await self.transaction { connection in
            // The rows are locked in id order first, so concurrent scorers of overlapping batches queue instead of
            // deadlocking. `scored_at IS NULL` is re-checked on the latest row version after waiting for a lock (READ
            // COMMITTED), so each prediction is scored by exactly one call.
            var scored = Set<Int64>()
            for chunk in scores.sorted(by: { $0.id < $1.id }).chunks(of: Self.rowsPerStatement) {
                try await self.rows(
                    """
                    SELECT id FROM predictions WHERE id = ANY(\(chunk.map(\.id))::int8[]) AND scored_at IS NULL
                    ORDER BY id FOR UPDATE
                    """, on: connection)
                let rows = try await self.rows(
                    """
                    UPDATE predictions AS p SET actual_close = s.actual_close, scored_at = \(scoredAt)
                    FROM unnest(\(chunk.map(\.id))::int8[], \(chunk.map(\.actualClose))::float8[]) AS s(id, actual_close)
                    WHERE p.id = s.id AND p.scored_at IS NULL
                    RETURNING p.id
                    """, on: connection)
                for row in rows { scored.insert(try row.makeRandomAccess().value("id", Int64.self)) }
            }
            return scored
        }
        return scores.map(\.id).filter(scored.contains)
    }

    public func scoredPredictions(of instrument: InstrumentKey, limit: Int) async throws -> [PredictionRecord] {
        guard limit > 0 else { return [] }
        return try await self.rows(
            """
            SELECT \(unescaped: Self.predictionColumns) FROM predictions
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
                AND scored_at IS NOT NULL
            ORDER BY target_date DESC, id DESC LIMIT \(limit)
            """
        ).map(Self.decodePrediction)
    }
}
