import struct Foundation.Date
import PostgresNIO
import PredictionCore

extension PostgresStore {
    // MARK: TrackedTickerStore

    public func track(_ ticker: TrackedTicker) async throws -> Bool {
        let (symbol, exchange) = (ticker.instrument.ticker.rawValue, ticker.instrument.exchange.rawValue)
        return try await self.transaction { connection in
            let inserted = try await self.rows(
                """
                INSERT INTO tracked_tickers (ticker, exchange, source, added_at)
                VALUES (\(symbol), \(exchange), \(ticker.source), \(ticker.addedAt))
                ON CONFLICT (ticker, exchange) DO NOTHING RETURNING ticker
                """, on: connection)
            if !inserted.isEmpty { return true }
            try await self.rows(
                """
                UPDATE tracked_tickers SET source = \(ticker.source)
                WHERE ticker = \(symbol) AND exchange = \(exchange)
                """, on: connection)
            return false
        }
    }

    public func trackedTickers() async throws -> [TrackedTicker] {
        try await self.rows("SELECT ticker, exchange, source, added_at FROM tracked_tickers ORDER BY ticker, exchange")
            .map { row in
                let row = row.makeRandomAccess()
                return TrackedTicker(
                    instrument: try row.instrument(), source: try row.value("source", String.self),
                    addedAt: try row.value("added_at", Date.self))
            }
    }

    public func untrack(_ instrument: InstrumentKey) async throws -> Bool {
        let rows = try await self.rows(
            """
            DELETE FROM tracked_tickers
            WHERE ticker = \(instrument.ticker.rawValue) AND exchange = \(instrument.exchange.rawValue)
            RETURNING ticker
            """)
        return !rows.isEmpty
    }

    // MARK: APIKeyStore

    private static let apiKeyColumns = "id, name, role, prefix, hash, created_at, last_used_at, revoked_at"

    private static func decodeAPIKey(_ row: PostgresRow) throws -> APIKeyRecord {
        let row = row.makeRandomAccess()
        return APIKeyRecord(
            id: try row.value("id", Int64.self), name: try row.value("name", String.self),
            role: try row.enumValue(APIRole.self, "role"), prefix: try row.value("prefix", String.self),
            hash: try row.value("hash", String.self), createdAt: try row.value("created_at", Date.self),
            lastUsedAt: try row.value("last_used_at", Date?.self), revokedAt: try row.value("revoked_at", Date?.self))
    }

    public func createAPIKey(name: String, role: APIRole, prefix: String, hash: String) async throws -> APIKeyRecord {
        let rows = try await self.rows(
            """
            INSERT INTO api_keys (name, role, prefix, hash, created_at)
            VALUES (\(name), \(role.rawValue), \(prefix), \(hash), \(StoredTimestamp.now()))
            RETURNING \(unescaped: Self.apiKeyColumns)
            """)
        guard let row = rows.first else { throw StorageError(.queryFailed, "creating the API key returned no row") }
        return try Self.decodeAPIKey(row)
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await self.rows(
            "SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE hash = \(hash) AND revoked_at IS NULL"
        ).first.map(Self.decodeAPIKey)
    }

    public func apiKeys() async throws -> [APIKeyRecord] {
        try await self.rows("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys ORDER BY id").map(Self.decodeAPIKey)
    }

    public func revokeAPIKey(id: Int64) async throws -> Bool {
        let rows = try await self.rows(
            """
            UPDATE api_keys SET revoked_at = \(StoredTimestamp.now())
            WHERE id = \(id) AND revoked_at IS NULL RETURNING id
            """)
        return !rows.isEmpty
    }

    public func touchAPIKey(id: Int64) async throws {
        try await self.rows("UPDATE api_keys SET last_used_at = \(StoredTimestamp.now()) WHERE id = \(id)")
    }
}
