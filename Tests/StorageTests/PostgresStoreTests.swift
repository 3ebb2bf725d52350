import Foundation
import PredictionCore
import Storage
import Testing

/// The store contract on PostgreSQL (a new database per case on `STOCKCAST_TEST_POSTGRES_URL`), plus concurrent
/// migration by several instances. Skipped with a printed reason when the URL is unset, unless
/// `STOCKCAST_REQUIRE_POSTGRES=1`, in which case every test fails.
@Suite(
    .enabled(
        if: StoreHarness.postgresSuiteEnabled,
        "STOCKCAST_TEST_POSTGRES_URL is not set (scripts/test-postgres.sh start); STOCKCAST_REQUIRE_POSTGRES=1 fails instead"))
struct PostgresStoreTests {
    @Test(arguments: StoreContract.allCases)
    func contract(_ contract: StoreContract) async throws {
        try await StoreHarness.withPostgresStore (migrated: !contract.startsUnmigrated) { store in
            #expect(store.backendName == "postgres")
            try await contract.run(on: store)
        }
    }

    @Test func instancesMigratingTogetherApplyEachVersionOnce() async throws {
        try await StoreHarness.withPostgresDatabase { url in
            let stores = (0..<3).map { _ in PostgresStore(configuration: url.configuration, logger: StoreHarness.logger) }
            try await StoreHarness.whileRunning({ try await stores[0].run() }) {
                try await StoreHarness.whileRunning({ try await stores[1].run() }) {
                    try await StoreHarness.whileRunning({ try await stores[2].run() }) {
                        #expect(try await stores[0].schemaVersion() == 0)
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

    @Test func storeOpensFromURL() async throws {
        try await StoreHarness.withPostgresDatabase { url in
            var plain = url
            plain.sslMode = .disable
            let text = "postgres://\(plain.username)@\(plain.host):\(plain.port)/\(plain.database)?sslmode=disable"
            let store = try PostgresStore(url: text, logger: StoreHarness.logger)
            try await StoreHarness.whileRunning({ try await store.run() }) {
                try await store.migrate()
                #expect(try await store.schemaVersion() == Migration.latestVersion)
            }
        }
    }
}
