import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import PredictionCore
import ServiceLifecycle
import Storage
import Synchronization
import TestSupport
import Testing

@testable import App

/// The keys a test saw, handed out of its `@Sendable` body.
private final class Secrets: Sendable {
    let values = Mutex<[String]>([])
}

/// Issue 9 (5, 9, 10): what the server logs (every request, key events, refusals with address and prefix, never a
/// key), and the start-up order (bind first; sample data after, and again when a start was interrupted).
@Suite struct LoggingAndStartupTests {
    @Test func requestsKeyEventsAndRefusalsAreLoggedWithoutKeys() async throws {
        let records = LogRecorder()
        let harness = try AppTestHarness(logger: records.logger())
        let secrets = Secrets()
        try await harness.test { client in
            let admin = try harness.adminKey
            let created = try await client.execute(
                uri: "/api/keys", method: .post, headers: .bearer(admin), body: try JSON.body(["name": "ci", "role": "viewer"])
            ) { try JSON.object($0.body) }
            let viewer = try #require(created["key"] as? String)
            try await client.execute(uri: "/api/keys/\(try #require(created["id"] as? Int))", method: .delete, headers: .bearer(admin)) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/datasets", method: .get, headers: .bearer(viewer)) { try expectError($0, .unauthorized, code: "invalid_api_key") }
            try await client.execute(uri: "/api/datasets?limit=3", method: .get) { #expect($0.status == .ok) }
            secrets.values.withLock { $0 = [admin, viewer] }
        }
        let keys = secrets.values.withLock { $0 }
        let lines = records.all
        #expect(lines.contains { $0.contains("API key created") && $0.contains("key_prefix=sck_") && $0.contains("by=admin") })
        #expect(lines.contains { $0.contains("API key revoked") && $0.contains("key_prefix=sck_") })
        let refusal = lines.first { $0.contains("API key refused") }
        #expect(refusal?.contains("key_prefix=\(keys[1].prefix(12))") == true, "\(String(describing: refusal))")
        #expect(refusal?.contains("address=") == true && refusal?.contains("reason=revoked key") == true)
        // The access log: method, path without the query, status.
        #expect(lines.contains { $0.contains("GET /api/datasets 200") && !$0.contains("limit=3") })
        #expect(lines.contains { $0.contains("DELETE /api/keys/") && $0.contains(" 200") })
        for secret in keys {
            #expect(!lines.contains { $0.contains(secret) }, "a complete key was logged")
        }
    }

    /// A port that is taken stops the start before anything is queued; the next start ingests the sample data.
    @Test func aFailedBindLeavesNothingHalfDone() async throws {
        let occupied = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(occupied.localAddress?.port)
        let harness = try AppTestHarness(sampleData: true) { $0.port = port }
        defer { try? FileManager.default.removeItem(at: harness.configuration.dataDirectory) }
        let app = buildApplication(harness.parts, configuration: harness.configuration, logger: harness.logger)
        await #expect(throws: (any Error).self) { try await app.runService(gracefulShutdownSignals: []) }
        try await occupied.close()

        let store = SQLiteStore(path: harness.configuration.dataDirectory.appendingPathComponent("stockcast.sqlite").path, logger: harness.logger)
        try await store.migrate()
        #expect(try await store.runs(matching: ETLRunFilter(), before: nil, limit: 10).isEmpty, "a failed bind queued sample runs")
        #expect(try await store.trackedTickers().isEmpty)
        await store.close()
    }

    /// Sample runs a stop interrupted (failed, nothing stored) are queued again at the next start.
    @Test func interruptedSampleRunsAreQueuedAgain() async throws {
        let harness = try AppTestHarness(sampleData: true)
        try await harness.test { _ in
            // The first start queued both runs; pretend the process stopped before GOOG's was done.
            _ = try await ForecastingAPITests.ready(harness)
            let runs = try await harness.parts.storage.runs.runs(matching: ETLRunFilter(), before: nil, limit: 10)
            #expect(runs.count == 2)
            var interrupted = try #require(runs.first { $0.instrument.ticker.rawValue == "GOOG" })
            interrupted.status = .failed
            interrupted.error = "interrupted: the server stopped while this run was in progress; retry it"
            try await harness.parts.storage.runs.updateRun(interrupted)
            // With data already stored nothing is queued again …
            #expect(try await SampleDataBootstrap.ingestIfNeeded(
                harness.parts, importDirectory: harness.configuration.importDirectory,
                logger: harness.logger).isEmpty)
        }
        // … and on a store where the interrupted run stored nothing, the next start queues it again.
        let fresh = try AppTestHarness(sampleData: true) { $0.ingestSampleData = false }
        try await fresh.test { _ in
            let goog = InstrumentKey(ticker: TickerSymbol("GOOG")!, exchange: ExchangeCode("NASDAQ")!)
            _ = try await fresh.parts.storage.tickers.track(TrackedTicker(instrument: goog, source: "csv:sample/goog.csv", addedAt: Date()))
            // After the pipeline's start-up recovery, which would otherwise queue the run below while it is pending.
            while !(await fresh.parts.pipeline.hasRecovered) { try await Task.sleep(for: .milliseconds(10)) }
            var run = try await fresh.parts.storage.runs.createRun(NewETLRun(instrument: goog, source: "csv:sample/goog.csv", trigger: .bootstrap))
            run.status = .failed
            run.error = "interrupted: the server stopped while this run was in progress; retry it"
            try await fresh.parts.storage.runs.updateRun(run)
            try FileManager.default.createDirectory(at: fresh.configuration.importDirectory.appendingPathComponent("sample"), withIntermediateDirectories: true)
            let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Sources/App/Resources/SampleData/goog.csv")
            try FileManager.default.copyItem(at: bundled, to: fresh.configuration.importDirectory.appendingPathComponent("sample/goog.csv"))
            let queued = try await SampleDataBootstrap.ingestIfNeeded(
                fresh.parts, importDirectory: fresh.configuration.importDirectory, logger: fresh.logger)
            #expect(queued.map(\.retryOf) == [run.id])
            let done = try await fresh.parts.pipeline.waitUntilFinished(try #require(queued.first).id)
            #expect(done.status == .completed && done.counts.inserted == 2148, "\(done.counts)")
            #expect(try await fresh.parts.storage.prices.datasets().first { $0.instrument == goog }?.count == 2148)
        }
    }
}
