import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PredictionCore
import Storage
import Testing

@testable import App

/// Issue 9: `stockcast backup` / `restore` round-trip a live data directory, and a damaged backup is refused.
@Suite struct BackupTests {
    let logger = Logger(label: "backup")

    /// Runs `body` with a harness on the sample data and two fresh directories (backup, restore target), removed after.
    func withDirectories(_ body: (AppTestHarness, URL, URL) async throws -> Void) async throws {
        let harness = try AppTestHarness(sampleData: true)
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("stockcast-backup-\(UUID().uuidString)")
        let restored = FileManager.default.temporaryDirectory.appendingPathComponent("stockcast-restored-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: backup)
            try? FileManager.default.removeItem(at: restored)
        }
        try await body(harness, backup, restored)
    }

    @Test func backupOfARunningServerRestoresIntoANewDataDirectory() async throws {
        try await self.withDirectories { harness, backup, restored in try await self.roundTrip(harness, backup, restored) }
    }

    func roundTrip(_ harness: AppTestHarness, _ backup: URL, _ restored: URL) async throws {
        let logger = self.logger
        try await harness.test { client in
            let key = try await ForecastingAPITests.ready(harness)
            let model = try await ForecastingAPITests.register(client, key: key, [
                "ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift", "features": [], "val_size": 0.2, "hyper_parameters": [:],
            ])
            _ = try await ForecastingAPITests.train(client, harness: harness, key: key, model: model)
            // Online: the server keeps running (and writing) while the backup is taken.
            let manifest = try await BackupArchive.create(harness.configuration, into: backup, logger: logger)
            #expect(manifest.storage == "sqlite" && manifest.models_with_artifacts == 1)
            #expect(manifest.files.contains { $0.path == "stockcast.sqlite" })
            #expect(manifest.files.filter { $0.path.hasPrefix("artifacts/sha256/") }.count == 1)
            await #expect(throws: BackupArchive.Failure.self) { _ = try await BackupArchive.create(harness.configuration, into: backup, logger: logger) }
        }

        var target = harness.configuration
        target.dataDirectory = restored
        _ = try await BackupArchive.restore(target, from: backup, force: false, logger: logger)
        await #expect(throws: BackupArchive.Failure.self) { _ = try await BackupArchive.restore(target, from: backup, force: false, logger: logger) }
        _ = try await BackupArchive.restore(target, from: backup, force: true, logger: logger)

        let store = SQLiteStore(path: restored.appendingPathComponent("stockcast.sqlite").path, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            let sets = try await store.datasets()
            #expect(Set(sets.map { "\($0.instrument)" }) == ["GOOG@NASDAQ", "^GSPC@NYSE"])
            #expect(sets.first { $0.instrument.ticker.rawValue == "GOOG" }?.count == 2148)
            let models = try await store.models(of: nil, offset: 0, limit: 10)
            let artifact = try #require(models.first?.artifactSHA256)
            _ = try LocalArtifactRepository(root: restored.appendingPathComponent("artifacts")).read(sha256: artifact)
            #expect(try await store.apiKeys(after: nil, limit: 10).count == 1, "keys come along (hashed)")
        }
    }

    @Test func damagedBackupsAreRefusedBeforeAnythingIsWritten() async throws {
        try await self.withDirectories { harness, backup, restored in try await self.damaged(harness, backup, restored) }
    }

    func damaged(_ harness: AppTestHarness, _ backup: URL, _ restored: URL) async throws {
        let logger = self.logger
        try await harness.test { _ in
            _ = try await ForecastingAPITests.ready(harness)
            _ = try await BackupArchive.create(harness.configuration, into: backup, logger: logger)
        }
        let database = backup.appendingPathComponent("stockcast.sqlite")
        var bytes = try Data(contentsOf: database)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: database)
        var target = harness.configuration
        target.dataDirectory = restored
        await #expect(throws: BackupArchive.Failure.self) { _ = try await BackupArchive.restore(target, from: backup, force: false, logger: logger) }
        #expect(!FileManager.default.fileExists(atPath: restored.appendingPathComponent("stockcast.sqlite").path))
        try Data("{}".utf8).write(to: backup.appendingPathComponent("stray.txt"))
        await #expect(throws: BackupArchive.Failure.self) { _ = try await BackupArchive.restore(target, from: backup, force: false, logger: logger) }
    }
}
