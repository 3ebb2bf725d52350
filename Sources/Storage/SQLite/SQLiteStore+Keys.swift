import struct Foundation.Date
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

    private static let apiKeyColumns = "id, name, role, prefix, hash, created_at, last_used_at, revoked_at, expires_at, replaced_by"

    private static func decodeAPIKey(_ row: SQLiteRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row.int64("id"), name: try row.text("name"), role: try row.enumValue(APIRole.self, "role"),
            prefix: try row.text("prefix"), hash: try row.text("hash"), createdAt: try row.timestamp("created_at"),
            lastUsedAt: try row.optionalTimestamp("last_used_at"), revokedAt: try row.optionalTimestamp("revoked_at"),
            expiresAt: try row.optionalTimestamp("expires_at"), replacedBy: try row.optionalInt64("replaced_by"))
    }

    public func createAPIKey(_ key: NewAPIKey) async throws -> APIKeyRecord {
        try await self.write { session in try await Self.insertAPIKey(key, in: session) }
    }

    private static func insertAPIKey(_ key: NewAPIKey, in session: SQLiteSession) async throws -> APIKeyRecord {
        let rows = try await session.query(
            """
            INSERT INTO api_keys (name, role, prefix, hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            RETURNING \(Self.apiKeyColumns)
            """,
            [.text(key.name), .text(key.role.rawValue), .text(key.prefix), .text(key.hash), .timestamp(StoredTimestamp.now()),
             .timestamp(key.expiresAt.map(StoredTimestamp.rounded))])
        guard let row = rows.first else { throw StorageError(.queryFailed, "creating the API key returned no row") }
        return try Self.decodeAPIKey(row)
    }

    public func apiKey(hash: String) async throws -> APIKeyRecord? {
        try await self.read { session in
            try await session.query("SELECT \(Self.apiKeyColumns) FROM api_keys WHERE hash = ?1", [.text(hash)]).first.map(Self.decodeAPIKey)
        }
    }

    public func apiKey(id: Int64) async throws -> APIKeyRecord? {
        try await self.read { session in
            try await session.query("SELECT \(Self.apiKeyColumns) FROM api_keys WHERE id = ?1", [.int64(id)]).first.map(Self.decodeAPIKey)
        }
    }

    public func apiKeys(after cursor: Int64?, limit: Int) async throws -> [APIKeyRecord] {
        try await self.read { session in
            try await session.query(
                "SELECT \(Self.apiKeyColumns) FROM api_keys WHERE id > ?1 ORDER BY id LIMIT ?2", [.int64(cursor ?? 0), .int64(Int64(limit))]
            ).map(Self.decodeAPIKey)
        }
    }

    public func activeAdminKeyCount(at now: Date) async throws -> Int {
        try await self.read { session in
            let rows = try await session.query(
                """
                SELECT count(*) AS n FROM api_keys
                WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?1)
                """, [.timestamp(now)])
            return Int(try rows.first?.int64("n") ?? 0)
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

    public func rotateAPIKey(id: Int64, replacement: NewAPIKey, retiredAt: Date?) async throws -> (old: APIKeyRecord, new: APIKeyRecord)? {
        let now = StoredTimestamp.now()
        return try await self.write { session -> (old: APIKeyRecord, new: APIKeyRecord)? in
            guard let old = try await session.query("SELECT \(Self.apiKeyColumns) FROM api_keys WHERE id = ?1", [.int64(id)])
                .first.map(Self.decodeAPIKey), old.isActive(at: now)
            else { return nil }
            let new = try await Self.insertAPIKey(replacement, in: session)
            let retired: [SQLiteRow]
            if let retiredAt {
                let until = StoredTimestamp.rounded(min(retiredAt, old.expiresAt ?? retiredAt))
                retired = try await session.query(
                    "UPDATE api_keys SET expires_at = ?2, replaced_by = ?3 WHERE id = ?1 RETURNING \(Self.apiKeyColumns)",
                    [.int64(id), .timestamp(until), .int64(new.id)])
            } else {
                retired = try await session.query(
                    "UPDATE api_keys SET revoked_at = ?2, replaced_by = ?3 WHERE id = ?1 RETURNING \(Self.apiKeyColumns)",
                    [.int64(id), .timestamp(now), .int64(new.id)])
            }
            guard let row = retired.first else { throw StorageError(.queryFailed, "retiring the rotated key returned no row") }
            return (try Self.decodeAPIKey(row), new)
        }
    }

    public func touchAPIKey(id: Int64) async throws {
        let usedAt = StoredTimestamp.now()
        try await self.write { session in
            try await session.query("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", [.int64(id), .timestamp(usedAt)])
        }
    }

    // MARK: AuditStore

    private static let auditColumns = "id, at, key_id, actor, role, action, target, status, address"

    public func appendAuditEvent(_ event: AuditEvent) async throws {
        try await self.write { session in
            try await session.query(
                """
                INSERT INTO audit_events (at, key_id, actor, role, action, target, status, address)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """,
                [.timestamp(StoredTimestamp.now()), event.keyID.map { .int64($0) } ?? .null, .text(event.actor), .text(event.role.rawValue),
                 .text(event.action), .text(event.target), .int64(Int64(event.status)), .text(event.address)])
        }
    }

    public func auditEvents(before cursor: Int64?, limit: Int) async throws -> [AuditEvent] {
        try await self.read { session in
            try await session.query(
                "SELECT \(Self.auditColumns) FROM audit_events WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
                [.int64(cursor ?? Int64.max), .int64(Int64(limit))]
            ).map { row in
                AuditEvent(
                    id: try row.int64("id"), at: try row.timestamp("at"), keyID: try row.optionalInt64("key_id"), actor: try row.text("actor"),
                    role: try row.enumValue(APIRole.self, "role"), action: try row.text("action"), target: try row.text("target"),
                    status: Int(try row.int64("status")), address: try row.text("address"))
            }
        }
    }
}
