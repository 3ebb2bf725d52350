import Foundation
import PostgresNIO
import PredictionCore
@testable import Storage
import Testing

extension StoreContract {
    /// Starts from an empty database (the case is listed in `startsUnmigrated`): builds schema v2, stores two
    /// predictions the way v2 did, then migrates to the latest version.
    static func migrationFromV2KeepsPredictions(_ store: any StockCastStore) async throws {
        #expect(try await store.schemaVersion() == 0)
        try await Version2Database.create(in: store)
        #expect(try await store.schemaVersion() == 2)

        try await store.migrate()
        #expect(try await store.schemaVersion() == Migration.latestVersion)
        let key = TestData.instrument("OLD")
        let expected = [
            PredictionRecord(
                id: 2, instrument: key, targetDate: TestData.day("2024-03-05"), originDate: TestData.day("2024-03-01"),
                horizon: 2, predictedClose: 102.75, lower80: 101.5, upper80: 104, lower95: 100.25, upper95: 105.5,
                originClose: 100.5, modelID: 7, taskID: "task-1", predictedAt: TestData.instant(2)),
            PredictionRecord(
                id: 1, instrument: key, targetDate: TestData.day("2024-03-04"), originDate: TestData.day("2024-03-01"),
                horizon: 1, predictedClose: 101.25, lower80: 100.5, upper80: 102, lower95: 99.75, upper95: 102.75,
                originClose: 100.5, modelID: 7, taskID: nil, predictedAt: TestData.instant(1)),
        ]
        let kept = try await store.predictions(ticker: key.ticker, before: nil, limit: 10)
        #expect(kept == expected)
        #expect(kept.allSatisfy { $0.actualClose == nil && $0.scoredAt == nil })
        #expect(try await store.unscoredPredictions(of: key, through: TestData.day("2024-03-31"), limit: 10) == expected.reversed())

        // The old rows score like new ones, and new ids continue after the old ones.
        #expect(try await store.scorePredictions([PredictionScore(id: 1, actualClose: 101)], at: TestData.instant(3)) == [1])
        #expect(try await store.scoredPredictions(of: key, limit: 10).map(\.id) == [1])
        let added = try await store.insertPredictions([TestData.prediction(key, seed: 3)])
        #expect(added.map(\.id) == [3])
        #expect(try await store.activeAlerts(limit: 10).isEmpty)
    }
}

/// Builds a version-2 database with rows written as version 2 wrote them (raw SQL: today's code writes v3 rows).
enum Version2Database {
    static func create(in store: any StockCastStore) async throws {
        switch store {
        case let sqlite as SQLiteStore:
            try await sqlite.migrate(through: 2)
            try await sqlite.write { session in
                for statement in Self.rows(day: { "'\($0)'" }, instant: { "\(Int64($0) * 1_000_000 + 1_700_000_000_000_000)" }) {
                    try await session.query(statement)
                }
            }
        case let postgres as PostgresStore:
            try await postgres.migrate(through: 2)
            try await postgres.transaction { connection in
                for statement in Self.rows(
                    day: { "DATE '\($0)'" }, instant: { "to_timestamp(\(1_700_000_000 + $0))" })
                {
                    try await postgres.rows(PostgresQuery(unsafeSQL: statement), on: connection)
                }
            }
        default:
            throw HarnessError("no version-2 builder for \(type(of: store))")
        }
    }

    /// Two v2 prediction rows, with dialect-specific date and timestamp literals.
    private static func rows(day: (String) -> String, instant: (Int) -> String) -> [String] {
        [
            """
            INSERT INTO predictions (ticker, exchange, target_date, origin_date, horizon, predicted_close, lower_80,
                upper_80, lower_95, upper_95, origin_close, model_id, task_id, predicted_at)
            VALUES ('OLD', 'NASDAQ', \(day("2024-03-04")), \(day("2024-03-01")), 1, 101.25, 100.5, 102, 99.75, 102.75,
                100.5, 7, NULL, \(instant(1)))
            """,
            """
            INSERT INTO predictions (ticker, exchange, target_date, origin_date, horizon, predicted_close, lower_80,
                upper_80, lower_95, upper_95, origin_close, model_id, task_id, predicted_at)
            VALUES ('OLD', 'NASDAQ', \(day("2024-03-05")), \(day("2024-03-01")), 2, 102.75, 101.5, 104, 100.25, 105.5,
                100.5, 7, 'task-1', \(instant(2)))
            """,
        ]
    }
}
