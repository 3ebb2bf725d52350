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

    private static let apiKeyColumns = "id, name, role, prefix, hash, created_at, last_used_at, revoked_at, expires_at, replaced_by"

    private static func decodeAPIKey(_ row: PostgresRow) throws -> APIKeyRecord {
        let row = row.makeRandomAccess()
        return APIKeyRecord(
            id: try row.value("id", Int64.self), name: try row.value("name", String.self),
            role: try row.enumValue(APIRole.self, "role"), prefix: try row.value("prefix", String.self),
            hash: try row.value("hash", String.self), createdAt: try row.value("created_at", Date.self),
            lastUsedAt: try row.value("last_used_at", Date?.self), revokedAt: try row.value("revoked_at", Date?.self),
            expiresAt: try row.value("expires_at", Date?.self), replacedBy: try row.value("replaced_by", Int64?.self))
    }

    private func insertAPIKey(_ key: NewAPIKey, on connection: PostgresConnection?) async throws -> APIKeyRecord {
        let query: PostgresQuery = """
            INSERT INTO api_keys (name, role, prefix, hash, created_at, expires_at)
            VALUES (\(key.name), \(key.role.rawValue), \(key.prefix), \(key.hash), \(StoredTimestamp.now()),
                    \(key.expiresAt.map(StoredTimestamp.rounded)))
            RETURNING \(unescaped: Self.apiKeyColumns)
            """
        let rows: [PostgresRow]
        if let connection { rows = try await self.rows(query, on: connection) } else { rows = try await self.rows(query) }
        guard let row = rows.first else { throw StorageError(.queryFailed, "creating the API key returned no row") }
        return try Self.decodeAPIKey(row)
    }

    public func createAPIKey(_ key: NewAPIKey) async throws -> APIKeyRecord {
        try await self.insertAPIKey(key, on: nil)
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await self.rows("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE hash = \(hash)").first.map(Self.decodeAPIKey)
    }

    public func apiKey(id: Int64) async throws -> APIKeyRecord? {
        try await self.rows("SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE id = \(id)").first.map(Self.decodeAPIKey)
    }

    public func apiKeys(after cursor: Int64?, limit: Int) async throws -> [APIKeyRecord] {
        try await self.rows(
            "SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE id > \(cursor ?? 0) ORDER BY id LIMIT \(limit)"
        ).map(Self.decodeAPIKey)
    }

    public func activeAdminKeyCount(at now: Date) async throws -> Int {
        let rows = try await self.rows(
            """
            SELECT count(*)::bigint AS n FROM api_keys
            WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(now))
            """)
        return Int(try rows.first?.makeRandomAccess().value("n", Int64.self) ?? 0)
    }

    public func revokeAPIKey(id: Int64) async throws -> Bool {
        let rows = try await self.rows(
            """
            UPDATE api_keys SET revoked_at = \(StoredTimestamp.now())
            WHERE id = \(id) AND revoked_at IS NULL RETURNING id
            """)
        return !rows.isEmpty
    }

    public func rotateAPIKey(id: Int64, replacement: NewAPIKey, retiredAt: Date?) async throws -> (old: APIKeyRecord, new: APIKeyRecord)? {
        let now = StoredTimestamp.now()
        return try await self.transaction { connection -> (old: APIKeyRecord, new: APIKeyRecord)? in
            guard let old = try await self.rows(
                "SELECT \(unescaped: Self.apiKeyColumns) FROM api_keys WHERE id = \(id) FOR UPDATE", on: connection
            ).first.map(Self.decodeAPIKey), old.isActive(at: now)
            else { return nil }
            let new = try await self.insertAPIKey(replacement, on: connection)
            let retired: [PostgresRow]
            if let retiredAt {
                let until = StoredTimestamp.rounded(min(retiredAt, old.expiresAt ?? retiredAt))
                retired = try await self.rows(
                    "UPDATE api_keys SET expires_at = \(until), replaced_by = \(new.id) WHERE id = \(id) RETURNING \(unescaped: Self.apiKeyColumns)",
                    on: connection)
            } else {
                retired = try await self.rows(
                    "UPDATE api_keys SET revoked_at = \(now), replaced_by = \(new.id) WHERE id = \(id) RETURNING \(unescaped: Self.apiKeyColumns)",
                    on: connection)
            }
            guard let row = retired.first else { throw StorageError(.queryFailed, "retiring the rotated key returned no row") }
            return (try Self.decodeAPIKey(row), new)
        }
    }

    public func touchAPIKey(id: Int64) async throws {
        try await self.rows("UPDATE api_keys SET last_used_at = \(StoredTimestamp.now()) WHERE id = \(id)")
    }

    // MARK: AuditStore

    public func appendAuditEvent(_ event: AuditEvent) async throws {
        try await self.rows(
            """
            INSERT INTO audit_events (at, key_id, actor, role, action, target, status, address)
            VALUES (\(StoredTimestamp.now()), \(event.keyID), \(event.actor), \(event.role.rawValue), \(event.action), \(event.target),
                    \(event.status), \(event.address))
            """)
    }

    public func auditEvents(before cursor: Int64?, limit: Int) async throws -> [AuditEvent] {
        try await self.rows(
            """
            SELECT id, at, key_id, actor, role, action, target, status, address FROM audit_events
            WHERE id < \(cursor ?? Int64.max) ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            let row = row.makeRandomAccess()
            return AuditEvent(
                id: try row.value("id", Int64.self), at: try row.value("at", Date.self), keyID: try row.value("key_id", Int64?.self),
                actor: try row.value("actor", String.self), role: try row.enumValue(APIRole.self, "role"),
                action: try row.value("action", String.self), target: try row.value("target", String.self),
                status: Int(try row.value("status", Int32.self)), address: try row.value("address", String.self))
        }
    }
}
