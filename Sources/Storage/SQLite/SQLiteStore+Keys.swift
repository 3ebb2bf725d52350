import PredictionCore
import SQLiteNIO

extension SQLiteStore {
    // MARK: TrackedTickerStore

    public func track(_ ticker: TrackedTicker) async throws -> Bool {
        try await self.write { session in
            let inserted = try await session.query(
                """
                INSERT INTO tracked_tickers (ticker, exchange, source, added_at) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (ticker, exchange) DO NOTHING RETURNING ticker
                """,
                [
                    .text(ticker.instrument.ticker.rawValue), .text(ticker.instrument.exchange.rawValue),
                    .text(ticker.source), .timestamp(ticker.addedAt),
                ])
            if !inserted.isEmpty { return true }
            try await session.query(
                "UPDATE tracked_tickers SET source = ?3 WHERE ticker = ?1 AND exchange = ?2",
                [
                    .text(ticker.instrument.ticker.rawValue), .text(ticker.instrument.exchange.rawValue),
                    .text(ticker.source),
                ])
            return false
        }
    }

    public func trackedTickers() async throws -> [TrackedTicker] {
        try await self.read { session in
            try await session.query(
                "SELECT ticker, exchange, source, added_at FROM tracked_tickers ORDER BY ticker, exchange"
            ).map { row in
                TrackedTicker(
                    instrument: try row.instrument(), source: try row.text("source"),
                    addedAt: try row.timestamp("added_at"))
            }
        }
    }

    public func untrack(_ instrument: InstrumentKey) async throws -> Bool {
        try await self.write { session in
            let removed = try await session.query(
                "DELETE FROM tracked_tickers WHERE ticker = ?1 AND exchange = ?2 RETURNING ticker",
                [.text(instrument.ticker.rawValue), .text(instrument.exchange.rawValue)])
            return !removed.isEmpty
        }
    }

    // MARK: APIKeyStore

    private static let apiKeyColumns = "id, name, role, prefix, hash, created_at, last_used_at, revoked_at"

    private static func decodeAPIKey(_ row: SQLiteRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row.int64("id"), name: try row.text("name"), role: try row.enumValue(APIRole.self, "role"),
            prefix: try row.text("prefix"), hash: try row.text("hash"), createdAt: try row.timestamp("created_at"),
            lastUsedAt: try row.optionalTimestamp("last_used_at"), revokedAt: try row.optionalTimestamp("revoked_at"))
    }

    public func createAPIKey(name: String, role: APIRole, prefix: String, hash: String) async throws -> APIKeyRecord {
        let createdAt = StoredTimestamp.now()
        return try await self.write { session in
            let rows = try await session.query(
                """
                INSERT INTO api_keys (name, role, prefix, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
                RETURNING \(Self.apiKeyColumns)
                """,
                [.text(name), .text(role.rawValue), .text(prefix), .text(hash), .timestamp(createdAt)])
            guard let row = rows.first else { throw StorageError(.queryFailed, "creating the API key returned no row") }
            return try Self.decodeAPIKey(row)
        }
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await self.read { session in
            try await session.query(
                "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE hash = ?1 AND revoked_at IS NULL", [.text(hash)]
            ).first.map(Self.decodeAPIKey)
        }
    }

    public func apiKeys() async throws -> [APIKeyRecord] {
        try await self.read { session in
            try await session.query("SELECT \(Self.apiKeyColumns) FROM api_keys ORDER BY id").map(Self.decodeAPIKey)
        }
    }

    public func revokeAPIKey(id: Int64) async throws -> Bool {
        let revokedAt = StoredTimestamp.now()
        return try await self.write { session in
            let rows = try await session.query(
                "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL RETURNING id",
                [.int64(id), .timestamp(revokedAt)])
            return !rows.isEmpty
        }
    }

    public func touchAPIKey(id: Int64) async throws {
        let usedAt = StoredTimestamp.now()
        try await self.write { session in
            try await session.query("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", [.int64(id), .timestamp(usedAt)])
        }
    }
}
