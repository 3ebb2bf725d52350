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
        let admin = try await store.createAPIKey(name: "ops", role: .admin, prefix: "sck_ab12", hash: String(repeating: "a", count: 64))
        let viewer = try await store.createAPIKey(name: "dashboard", role: .viewer, prefix: "sck_cd34", hash: String(repeating: "b", count: 64))
        #expect(viewer.id > admin.id)
        #expect(admin.role == .admin && admin.name == "ops" && admin.prefix == "sck_ab12")
        #expect(admin.lastUsedAt == nil && admin.revokedAt == nil)
        #expect(abs(admin.createdAt.timeIntervalSince(before)) < 60)
        #expect(try await store.apiKey(hash: admin.hash) == admin)
        #expect(try await store.apiKey(hash: String(repeating: "c", count: 64)) == nil)

        await #expect(throws: StorageError.self) {
            try await store.createAPIKey(name: "copy", role: .viewer, prefix: "sck_ab12", hash: admin.hash)
        }

        try await store.touchAPIKey(id: viewer.id)
        let touched = try #require(try await store.apiKey(hash: viewer.hash))
        #expect(touched.lastUsedAt != nil)

        #expect(try await store.revokeAPIKey(id: admin.id))
        #expect(try await store.revokeAPIKey(id: admin.id) == false)
        #expect(try await store.revokeAPIKey(id: 9999) == false)
        #expect(try await store.apiKey(hash: admin.hash) == nil)

        let all = try await store.apiKeys()
        #expect(all.map(\.id) == [admin.id, viewer.id])
        #expect(all[0].revokedAt != nil && all[1].revokedAt == nil)
        #expect(all[1] == touched)
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
