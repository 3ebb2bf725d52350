import Foundation
import PredictionCore
import Storage
import Testing

/// The store contract on SQLite (a new database file per case), plus what only the embedded backend has:
/// persistence across reopening, in-memory databases, shutdown, and several stores migrating one file.
@Suite struct SQLiteStoreTests {
    @Test(arguments: StoreContract.allCases)
    func contract(_ contract: StoreContract) async throws {
        try await StoreHarness.withSQLiteStore (migrated: !contract.startsUnmigrated) { store in
            #expect(store.backendName == "sqlite")
            try await contract.run(on: store)
        }
    }

    @Test func dataSurvivesReopeningTheFile() async throws {
        try await StoreHarness.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("reopen.sqlite").path
            let key = TestData.instrument("GOOG")
            let bars = TestData.bars(count: 25)
            let first = SQLiteStore(path: path, logger: StoreHarness.logger)
            try await StoreHarness.whileRunning({ try await first.run() }) {
                try await first.migrate()
                _ = try await first.upsertRawBars(bars, for: key, source: "s", runID: 1)
            }
            // `run()` returned: the first store is closed.
            await #expect(throws: StorageError.self) { try await first.rawBars(for: key) }

            let second = SQLiteStore(path: path, logger: StoreHarness.logger)
            try await StoreHarness.whileRunning({ try await second.run() }) {
                #expect(try await second.schemaVersion() == Migration.latestVersion)
                try await second.migrate()
                BitExact.expectSame(try await second.rawBars(for: key), bars)
                #expect(try await second.upsertRawBars(bars, for: key, source: "s", runID: 2) == UpsertCounts(unchanged: 25))
            }
            #expect(FileManager.default.fileExists(atPath: path + "-wal") || FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func closedStoreReportsClosed() async throws {
        try await StoreHarness.withTemporaryDirectory { directory in
            let store = SQLiteStore(path: directory.appendingPathComponent("closed.sqlite").path, logger: StoreHarness.logger)
            try await StoreHarness.whileRunning({ try await store.run() }) {
                try await store.migrate()
            }
            let error = await #expect(throws: StorageError.self) { try await store.schemaVersion() }
            #expect(error?.code == .closed)
            let writeError = await #expect(throws: StorageError.self) {
                try await store.claimScheduleSlot("slot", instance: "a")
            }
            #expect(writeError?.code == .closed)
        }
    }

    @Test func inMemoryDatabaseWorks() async throws {
        let store = SQLiteStore(path: ":memory:", logger: StoreHarness.logger)
        try await StoreHarness.whileRunning({ try await store.run() }) {
            #expect(try await store.schemaVersion() == 0)
            try await store.migrate()
            try await StoreContract.rawUpsertCounts(store)
            try await StoreContract.concurrentUpsertsDoNotInterleave(store)
        }
    }

    @Test func storesOnOneFileMigrateOnceAndShareData() async throws {
        try await StoreHarness.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("shared.sqlite").path
            let stores = (0..<3).map { _ in SQLiteStore(path: path, logger: StoreHarness.logger) }
            try await StoreHarness.whileRunning({ try await stores[0].run() }) {
                try await StoreHarness.whileRunning({ try await stores[1].run() }) {
                    try await StoreHarness.whileRunning({ try await stores[2].run() }) {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for store in stores { group.addTask { try await store.migrate() } }
                            try await group.waitForAll()
                        }
                        for store in stores {
                            #expect(try await store.schemaVersion() == Migration.latestVersion)
                        }
                        let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                            for (index, store) in stores.enumerated() {
                                group.addTask { try await store.claimScheduleSlot("etl-daily:2024-01-02", instance: "i\(index)") }
                            }
                            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
                        }
                        #expect(claims == 1)
                    }
                }
            }
        }
    }

    @Test func storesOnOneFileRaiseOneActiveAlert() async throws {
        // Three stores on one file stand for three instances: 12 concurrent raises of one alert make one alert.
        try await StoreHarness.withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("alerts.sqlite").path
            let stores = (0..<3).map { _ in SQLiteStore(path: path, logger: StoreHarness.logger) }
            try await StoreHarness.whileRunning({ try await stores[0].run() }) {
                try await StoreHarness.whileRunning({ try await stores[1].run() }) {
                    try await StoreHarness.whileRunning({ try await stores[2].run() }) {
                        try await stores[0].migrate()
                        let key = TestData.instrument("MULTI")
                        let raised = try await withThrowingTaskGroup(of: (id: Int64, isNew: Bool).self) { group in
                            for raiser in 0..<12 {
                                group.addTask {
                                    let alert = StoreContract.newAlert(.latency, key, at: Double(raiser), instance: "i\(raiser % 3)")
                                    let result = try await stores[raiser % 3].raiseAlert(alert)
                                    return (result.alert.id, result.isNew)
                                }
                            }
                            return try await group.reduce(into: [(id: Int64, isNew: Bool)]()) { $0.append($1) }
                        }
                        #expect(raised.count(where: \.isNew) == 1)
                        #expect(Set(raised.map(\.id)).count == 1)
                        #expect(try await stores[1].alerts(state: nil, ticker: nil, before: nil, limit: 100).count == 1)
                    }
                }
            }
        }
    }

    @Test func unopenableFileIsUnavailable() async throws {
        let store = SQLiteStore(path: "/nonexistent-directory-\(UUID().uuidString)/x.sqlite", logger: StoreHarness.logger)
        try await StoreHarness.whileRunning({ try await store.run() }) {
            let error = await #expect(throws: StorageError.self) { try await store.migrate() }
            #expect(error?.code == .unavailable)
        }
    }
}
