import Foundation
import PostgresNIO
import PredictionCore
@testable import Storage
import Testing

extension StoreContract {
    /// Starts from an empty database (listed in `startsUnmigrated`): builds schema v4 with the service-level alerts two
    /// instances raised then (keyed `('', '')`, so only one could be active), migrates, and finds them keyed by
    /// instance: each instance resolves its own, and both instances may now hold one of the same kind at once.
    static func migrationToV5KeysServiceAlertsByInstance(_ store: any StockCastStore) async throws {
        try await Version4Database.create(in: store)
        #expect(try await store.schemaVersion() == 4)
        try await store.migrate()
        #expect(try await store.schemaVersion() == Migration.latestVersion)

        let active = try await store.activeAlerts(limit: 10)
        #expect(active.count == 1 && active.first?.instance == "api-1" && active.first?.instrument == nil)
        let second = try await store.raiseAlert(NewAlert(
            kind: .errorRate, instrument: nil, targetDate: nil, messages: ["5xx rate 9 %"], details: "{}", instance: "api-2",
            at: TestData.instant(20)))
        #expect(second.isNew, "another instance's error-rate alert is its own")
        let again = try await store.raiseAlert(NewAlert(
            kind: .errorRate, instrument: nil, targetDate: nil, messages: ["5xx rate 8 %"], details: "{}", instance: "api-1",
            at: TestData.instant(21)))
        #expect(!again.isNew && again.alert.id == active.first?.id, "the migrated alert still deduplicates its instance's raises")
        let resolved = try await store.resolveAlert(kind: .errorRate, instrument: nil, instance: "api-1", at: TestData.instant(22))
        #expect(resolved?.id == active.first?.id && resolved?.state == .resolved)
        #expect(try await store.activeAlerts(limit: 10).map(\.instance) == ["api-2"])
        let old = try await store.alerts(state: .resolved, ticker: nil, before: nil, limit: 10)
        #expect(old.count == 2 && old.allSatisfy { $0.instrument == nil }, "resolved v4 alerts read as service-level too")
    }
}

/// Builds a version-4 database holding two service-level alerts as version 4 stored them (one active, one resolved).
enum Version4Database {
    static func create(in store: any StockCastStore) async throws {
        switch store {
        case let sqlite as SQLiteStore:
            try await sqlite.migrate(through: 4)
            try await sqlite.write { session in
                for statement in Self.rows(instant: { "\(Int64($0) * 1_000_000 + 1_700_000_000_000_000)" }) {
                    try await session.query(statement)
                }
            }
        case let postgres as PostgresStore:
            try await postgres.migrate(through: 4)
            try await postgres.transaction { connection in
                for statement in Self.rows(instant: { "to_timestamp(\(1_700_000_000 + $0))" }) {
                    try await postgres.rows(PostgresQuery(unsafeSQL: statement), on: connection)
                }
            }
        default:
            throw HarnessError("no version-4 builder for \(type(of: store))")
        }
    }

    private static func rows(instant: (Int) -> String) -> [String] {
        [
            """
            INSERT INTO alerts (kind, ticker, exchange, target_date, messages, details, state, raised_at, updated_at,
                resolved_at, instance)
            VALUES ('error_rate', '', '', NULL, '["5xx rate 12 %"]', '{}', 'resolved', \(instant(1)), \(instant(2)),
                \(instant(2)), 'api-2')
            """,
            """
            INSERT INTO alerts (kind, ticker, exchange, target_date, messages, details, state, raised_at, updated_at,
                resolved_at, instance)
            VALUES ('error_rate', '', '', NULL, '["5xx rate 7 %"]', '{}', 'active', \(instant(3)), \(instant(3)), NULL, 'api-1')
            """,
        ]
    }
}
