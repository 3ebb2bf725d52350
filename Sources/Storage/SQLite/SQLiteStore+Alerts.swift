import struct Foundation.Date
import PredictionCore
import SQLiteNIO

extension SQLiteStore {
    private static let alertColumns = """
        id, kind, ticker, exchange, target_date, messages, details, state, raised_at, updated_at, resolved_at, instance
        """

    private static func decodeAlert(_ row: SQLiteRow) throws -> AlertRecord {
        AlertRecord(
            id: try row.int64("id"), kind: try row.enumValue(AlertKind.self, "kind"),
            instrument: try AlertRecord.storedInstrument(ticker: try row.text("ticker"), exchange: try row.text("exchange")),
            targetDate: try row.optionalSessionDate("target_date"),
            messages: try AlertRecord.storedMessages(try row.text("messages")), details: try row.text("details"),
            state: try row.enumValue(AlertState.self, "state"), raisedAt: try row.timestamp("raised_at"),
            updatedAt: try row.timestamp("updated_at"), resolvedAt: try row.optionalTimestamp("resolved_at"),
            instance: try row.text("instance"))
    }

    public func raiseAlert(_ alert: NewAlert) async throws -> (alert: AlertRecord, isNew: Bool) {
        let values = try alert.storedValues()
        let key: [SQLiteData] = [.text(alert.kind.rawValue), .text(values.ticker), .text(values.exchange)]
        let raised = try await self.write { session -> RaisedAlert in
            // Inside BEGIN IMMEDIATE no other connection or process writes, so update-else-insert cannot race; the
            // unique index alerts_one_active would refuse a second active alert all the same.
            let updated = try await session.query(
                """
                UPDATE alerts SET messages = ?4, details = ?5, target_date = ?6, updated_at = ?7
                WHERE kind = ?1 AND ticker = ?2 AND exchange = ?3 AND state = 'active'
                RETURNING \(Self.alertColumns)
                """,
                key + [.text(values.messagesJSON), .text(values.details), .session(alert.targetDate), .timestamp(alert.at)])
            if let row = updated.first { return RaisedAlert(alert: try Self.decodeAlert(row), isNew: false) }
            let inserted = try await session.query(
                """
                INSERT INTO alerts (kind, ticker, exchange, messages, details, target_date, raised_at, updated_at, state,
                    instance)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, 'active', ?8)
                RETURNING \(Self.alertColumns)
                """,
                key + [
                    .text(values.messagesJSON), .text(values.details), .session(alert.targetDate), .timestamp(alert.at),
                    .text(alert.instance),
                ])
            guard let row = inserted.first else { throw StorageError(.queryFailed, "raising the alert returned no row") }
            return RaisedAlert(alert: try Self.decodeAlert(row), isNew: true)
        }
        return (raised.alert, raised.isNew)
    }

    public func resolveAlert(kind: AlertKind, instrument: InstrumentKey?, instance: String, at: Date) async throws -> AlertRecord? {
        let key = instrument.alertKey(instance: instance)
        return try await self.write { session in
            try await session.query(
                """
                UPDATE alerts SET state = 'resolved', resolved_at = ?4, updated_at = ?4
                WHERE kind = ?1 AND ticker = ?2 AND exchange = ?3 AND state = 'active'
                RETURNING \(Self.alertColumns)
                """, [.text(kind.rawValue), .text(key.ticker), .text(key.exchange), .timestamp(at)]
            ).first.map(Self.decodeAlert)
        }
    }

    public func activeAlerts(limit: Int) async throws -> [AlertRecord] {
        guard limit > 0 else { return [] }
        return try await self.read { session in
            try await session.query(
                "SELECT \(Self.alertColumns) FROM alerts WHERE state = 'active' ORDER BY id DESC LIMIT ?1", [.integer(limit)]
            ).map(Self.decodeAlert)
        }
    }

    public func alerts(state: AlertState?, ticker: TickerSymbol?, before cursor: Int64?, limit: Int) async throws
        -> [AlertRecord]
    {
        guard limit > 0 else { return [] }
        return try await self.read { session in
            try await session.query(
                """
                SELECT \(Self.alertColumns) FROM alerts
                WHERE id < ?1 AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR ticker = ?3)
                ORDER BY id DESC LIMIT ?4
                """,
                [
                    .int64(cursor ?? Int64.max), .optionalText(state?.rawValue), .optionalText(ticker?.rawValue),
                    .integer(limit),
                ]
            ).map(Self.decodeAlert)
        }
    }
}

/// The result of `raiseAlert` inside a transaction (a named type: the transaction's result must be `Sendable`).
struct RaisedAlert: Sendable {
    var alert: AlertRecord
    var isNew: Bool
}
