import struct Foundation.Date
import PostgresNIO
import PredictionCore

extension PostgresStore {
    /// Most rounds of update-else-insert `raiseAlert` tries. A round fails only when another caller inserted the active
    /// alert between this one's update and insert, and the next round then updates it; running out means the alert
    /// was raised and resolved concurrently over and over.
    static let alertRaiseAttempts = 10

    private static let alertColumns = """
        id, kind, ticker, exchange, (target_date - DATE '1970-01-01') AS target_date, messages, details, state,
        raised_at, updated_at, resolved_at, instance
        """

    private static func decodeAlert(_ row: PostgresRow) throws -> AlertRecord {
        let row = row.makeRandomAccess()
        return AlertRecord(
            id: try row.value("id", Int64.self), kind: try row.enumValue(AlertKind.self, "kind"),
            instrument: try AlertRecord.storedInstrument(
                ticker: try row.value("ticker", String.self), exchange: try row.value("exchange", String.self)),
            targetDate: try row.optionalSession("target_date"),
            messages: try AlertRecord.storedMessages(try row.value("messages", String.self)),
            details: try row.value("details", String.self), state: try row.enumValue(AlertState.self, "state"),
            raisedAt: try row.timestamp("raised_at"), updatedAt: try row.timestamp("updated_at"),
            resolvedAt: try row.optionalTimestamp("resolved_at"), instance: try row.value("instance", String.self))
    }

    public func raiseAlert(_ alert: NewAlert) async throws -> (alert: AlertRecord, isNew: Bool) {
        let values = try alert.storedValues()
        let kind = alert.kind.rawValue
        let at = PostgresTimestamp(alert.at)
        let targetDay = alert.targetDate?.dayNumber
        // Autocommit statements: an update of the active alert (which waits for a concurrent update's row lock and
        // then sees its result), else an insert that does nothing when a concurrent caller's active alert already
        // holds the key of the partial unique index (it waits for that caller to commit); then the next round updates.
        for _ in 1...Self.alertRaiseAttempts {
            let updated = try await self.rows(
                """
                UPDATE alerts SET messages = \(values.messagesJSON), details = \(values.details),
                    target_date = DATE '1970-01-01' + \(targetDay)::int4, updated_at = \(at)
                WHERE kind = \(kind) AND ticker = \(values.ticker) AND exchange = \(values.exchange) AND state = 'active'
                RETURNING \(unescaped: Self.alertColumns)
                """)
            if let row = updated.first { return (try Self.decodeAlert(row), false) }
            let inserted = try await self.rows(
                """
                INSERT INTO alerts (kind, ticker, exchange, messages, details, target_date, raised_at, updated_at, state,
                    instance)
                VALUES (\(kind), \(values.ticker), \(values.exchange), \(values.messagesJSON), \(values.details),
                    DATE '1970-01-01' + \(targetDay)::int4, \(at), \(at), 'active', \(alert.instance))
                ON CONFLICT (kind, ticker, exchange) WHERE state = 'active' DO NOTHING
                RETURNING \(unescaped: Self.alertColumns)
                """)
            if let row = inserted.first { return (try Self.decodeAlert(row), true) }
        }
        throw StorageError(.queryFailed, "raising the alert kept conflicting with concurrent raises and resolves")
    }

    public func resolveAlert(kind: AlertKind, instrument: InstrumentKey?, instance: String, at: Date) async throws -> AlertRecord? {
        let key = instrument.alertKey(instance: instance)
        let at = PostgresTimestamp(at)
        return try await self.rows(
            """
            UPDATE alerts SET state = 'resolved', resolved_at = \(at), updated_at = \(at)
            WHERE kind = \(kind.rawValue) AND ticker = \(key.ticker) AND exchange = \(key.exchange) AND state = 'active'
            RETURNING \(unescaped: Self.alertColumns)
            """
        ).first.map(Self.decodeAlert)
    }

    public func activeAlerts(limit: Int) async throws -> [AlertRecord] {
        guard limit > 0 else { return [] }
        return try await self.rows(
            "SELECT \(unescaped: Self.alertColumns) FROM alerts WHERE state = 'active' ORDER BY id DESC LIMIT \(limit)"
        ).map(Self.decodeAlert)
    }

    public func alerts(state: AlertState?, ticker: TickerSymbol?, before cursor: Int64?, limit: Int) async throws
        -> [AlertRecord]
    {
        guard limit > 0 else { return [] }
        let state = state?.rawValue
        let ticker = ticker?.rawValue
        // Unnamed statements are planned with their parameter values, so the `IS NULL OR` filters fold away.
        return try await self.rows(
            """
            SELECT \(unescaped: Self.alertColumns) FROM alerts
            WHERE id < \(cursor ?? Int64.max) AND (\(state)::text IS NULL OR state = \(state))
                AND (\(ticker)::text IS NULL OR ticker = \(ticker))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map(Self.decodeAlert)
    }
}
