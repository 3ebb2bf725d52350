import Foundation
import PredictionCore
import Storage
import Testing

extension StoreContract {
    static func trackedTickers(_ store: any StockCastStore) async throws {
        let goog = TrackedTicker(instrument: TestData.instrument("GOOG"), source: "yahoo", addedAt: TestData.instant(0))
        let index = TrackedTicker(instrument: TestData.instrument("^GSPC", "US"), source: "stooq", addedAt: TestData.instant(1))
        let taiwan = TrackedTicker(instrument: TestData.instrument("2330.TW", "TW"), source: "yahoo", addedAt: TestData.instant(2))
        #expect(try await store.track(index))
        #expect(try await store.track(goog))
        #expect(try await store.track(taiwan))
        // Byte order: digits < letters < '^', identical on both backends.
        #expect(try await store.trackedTickers() == [taiwan, goog, index])

        var moved = goog
        moved.source = "csv:goog.csv"
        moved.addedAt = TestData.instant(50)
        #expect(try await store.track(moved) == false)
        let afterUpdate = try await store.trackedTickers()
        #expect(afterUpdate[1].source == "csv:goog.csv")
        #expect(afterUpdate[1].addedAt == goog.addedAt)  // still tracked since the first add

        #expect(try await store.untrack(goog.instrument))
        #expect(try await store.untrack(goog.instrument) == false)
        #expect(try await store.trackedTickers() == [taiwan, index])
    }

    static func apiKeys(_ store: any StockCastStore) async throws {
        let before = Date()
        let admin = try await store.createAPIKey(NewAPIKey(name: "ops", role: .admin, prefix: "sck_ab12", hash: String(repeating: "a", count: 64)))
        let viewer = try await store.createAPIKey(NewAPIKey(name: "dashboard", role: .viewer, prefix: "sck_cd34", hash: String(repeating: "b", count: 64)))
        #expect(viewer.id > admin.id)
        #expect(admin.role == .admin && admin.name == "ops" && admin.prefix == "sck_ab12")
        #expect(admin.lastUsedAt == nil && admin.revokedAt == nil && admin.expiresAt == nil && admin.replacedBy == nil)
        #expect(abs(admin.createdAt.timeIntervalSince(before)) < 60)
        #expect(try await store.apiKey(hash: admin.hash) == admin)
        #expect(try await store.apiKey(id: admin.id) == admin)
        #expect(try await store.apiKey(hash: String(repeating: "c", count: 64)) == nil)
        #expect(try await store.apiKey(id: 9999) == nil)
        #expect(try await store.activeAdminKeyCount(at: Date()) == 1)

        await #expect(throws: StorageError.self) {
            try await store.createAPIKey(NewAPIKey(name: "copy", role: .viewer, prefix: "sck_ab12", hash: admin.hash))
        }

        try await store.touchAPIKey(id: viewer.id)
        let touched = try #require(try await store.apiKey(hash: viewer.hash))
        #expect(touched.lastUsedAt != nil)

        // Expiry is stored to the microsecond; an expired admin key does not count as active.
        let expiry = Date(timeIntervalSince1970: 1_900_000_000.123456)
        let expiring = try await store.createAPIKey(
            NewAPIKey(name: "ci", role: .admin, prefix: "sck_ef56", hash: String(repeating: "d", count: 64), expiresAt: expiry))
        #expect(expiring.expiresAt == expiry)
        #expect(try await store.activeAdminKeyCount(at: Date()) == 2)
        #expect(try await store.activeAdminKeyCount(at: expiry.addingTimeInterval(1)) == 1)

        #expect(try await store.revokeAPIKey(id: admin.id))
        #expect(try await store.revokeAPIKey(id: admin.id) == false)
        #expect(try await store.revokeAPIKey(id: 9999) == false)
        // Revoked keys are still found (the caller says "revoked" rather than "unknown").
        let revoked = try #require(try await store.apiKey(hash: admin.hash))
        #expect(revoked.revokedAt != nil && !revoked.isActive())

        // Rotation: the replacement is stored and the old key retired in its favour, at once or after a grace period.
        let grace = Date().addingTimeInterval(600)
        let rotated = try #require(
            try await store.rotateAPIKey(
                id: viewer.id, replacement: NewAPIKey(name: "dashboard", role: .viewer, prefix: "sck_0000", hash: String(repeating: "e", count: 64)),
                retiredAt: grace))
        #expect(rotated.new.name == "dashboard" && rotated.new.role == .viewer && rotated.new.id > expiring.id)
        #expect(rotated.old.replacedBy == rotated.new.id && rotated.old.revokedAt == nil)
        #expect(abs((rotated.old.expiresAt ?? .distantPast).timeIntervalSince(grace)) < 0.001)
        #expect(rotated.old.isActive() && !rotated.old.isActive(at: grace.addingTimeInterval(1)))
        let now = try #require(
            try await store.rotateAPIKey(
                id: rotated.new.id, replacement: NewAPIKey(name: "dashboard", role: .viewer, prefix: "sck_1111", hash: String(repeating: "f", count: 64)),
                retiredAt: nil))
        #expect(now.old.revokedAt != nil && now.old.replacedBy == now.new.id)
        #expect(try await store.rotateAPIKey(id: admin.id, replacement: NewAPIKey(name: "x", role: .admin, prefix: "p", hash: "g"), retiredAt: nil) == nil)
        #expect(try await store.apiKey(hash: "g") == nil, "a refused rotation stores nothing")

        // Paged by id.
        let all = try await store.apiKeys(after: nil, limit: 100)
        #expect(all.map(\.id) == [admin.id, viewer.id, expiring.id, rotated.new.id, now.new.id])
        #expect(try await store.apiKeys(after: nil, limit: 2).map(\.id) == [admin.id, viewer.id])
        #expect(try await store.apiKeys(after: viewer.id, limit: 2).map(\.id) == [expiring.id, rotated.new.id])
    }

    static func auditLog(_ store: any StockCastStore) async throws {
        #expect(try await store.auditEvents(before: nil, limit: 10).isEmpty)
        for index in 0..<5 {
            try await store.appendAuditEvent(
                AuditEvent(
                    id: 0, at: Date(), keyID: index == 4 ? nil : Int64(index), actor: "ops (sck_ab12…)", role: .admin,
                    action: "POST /api/keys/{id}/rotate", target: "/api/keys/\(index)/rotate", status: 201, address: "127.0.0.1"))
        }
        let page = try await store.auditEvents(before: nil, limit: 3)
        #expect(page.map(\.target) == ["/api/keys/4/rotate", "/api/keys/3/rotate", "/api/keys/2/rotate"])
        #expect(page[0].keyID == nil && page[1].keyID == 3 && page[1].role == .admin && page[1].status == 201)
        #expect(page[1].actor == "ops (sck_ab12…)" && page[1].address == "127.0.0.1")
        let next = try await store.auditEvents(before: page.last?.id, limit: 3)
        #expect(next.map(\.target) == ["/api/keys/1/rotate", "/api/keys/0/rotate"])
    }

    static func concurrentUpsertsDoNotInterleave(_ store: any StockCastStore) async throws {
        // 20 writers rewrite the same 100 sessions with different prices. Serialised transactions count the first
        // as 100 inserts and every other as 100 updates; interleaved read-then-write would count extra inserts.
        let key = TestData.instrument("RACE")
        let writers = 20
        let totals = try await withThrowingTaskGroup(of: UpsertCounts.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let bars = TestData.bars(count: 100, seed: UInt64(writer + 1))
                    return try await store.upsertRawBars(bars, for: key, source: "w\(writer)", runID: Int64(writer))
                }
                // Unrelated instruments in parallel.
                group.addTask {
                    try await store.upsertCleanBars(
                        TestData.cleanBars(TestData.bars(count: 50, seed: UInt64(writer))),
                        for: TestData.instrument("PAR\(writer)"))
                }
            }
            return try await group.reduce(into: UpsertCounts()) { total, counts in
                total.inserted += counts.inserted
                total.updated += counts.updated
                total.unchanged += counts.unchanged
            }
        }
        #expect(totals == UpsertCounts(inserted: 100 + writers * 50, updated: (writers - 1) * 100))
        #expect(try await store.rawBars(for: key).count == 100)
        #expect(try await store.datasets().count == writers)
    }
}
