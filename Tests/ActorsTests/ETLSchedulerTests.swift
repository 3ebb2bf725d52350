import Actors
import Foundation
import Logging
import PredictionCore
import ServiceLifecycle
import Storage
import Testing

@Suite struct ETLSchedulerTests {
    /// At the scheduled time the first tick claims the day and queues every tracked ticker; later ticks, and other
    /// instances, find the day claimed; before the time nothing happens.
    @Test func runsOncePerDayAcrossInstances() async throws {
        let (store, dir) = try await PipelineFixtures.store()
        defer { try? FileManager.default.removeItem(at: dir) }
        defer { Task { await store.close() } }
        _ = try await store.track(TrackedTicker(instrument: PipelineFixtures.instrument, source: "yahoo", addedAt: Date()))
        let other = InstrumentKey(ticker: TickerSymbol("BETA")!, exchange: ExchangeCode("NASDAQ")!)
        _ = try await store.track(TrackedTicker(instrument: other, source: "stooq", addedAt: Date()))
        let provider = ScriptedProvider([.success(PipelineFixtures.series(count: 5))])
        var configuration = ETLScheduler.Configuration()
        configuration.timeZone = TimeZone(identifier: "America/New_York")!
        (configuration.hour, configuration.minute) = (18, 30)
        // 2024-03-04 18:00 and 19:00 in New York (EST, UTC-5)
        let schedule = configuration
        let before = Date(timeIntervalSince1970: 1_709_593_200)
        let after = Date(timeIntervalSince1970: 1_709_596_800)
        try await PipelineFixtures.withPipeline(provider: provider, store: store) { pipeline, _ in
            let early = ETLScheduler(pipeline: pipeline, runs: store, tickers: store, instance: "a", configuration: schedule, logger: Logger(label: "t"), now: { before })
            #expect(try await early.tick().isEmpty)
            let a = ETLScheduler(pipeline: pipeline, runs: store, tickers: store, instance: "a", configuration: schedule, logger: Logger(label: "t"), now: { after })
            let b = ETLScheduler(pipeline: pipeline, runs: store, tickers: store, instance: "b", configuration: schedule, logger: Logger(label: "t"), now: { after })
            async let fromA = a.tick()
            async let fromB = b.tick()
            let (runsA, runsB) = try await (fromA, fromB)
            #expect(runsA.count + runsB.count == 2, "exactly one instance queued the two tracked tickers")
            #expect(Set((runsA + runsB).map(\.instrument)) == [PipelineFixtures.instrument, other])
            #expect((runsA + runsB).allSatisfy { $0.trigger == .schedule })
            #expect(try await a.tick().isEmpty)
            for run in runsA + runsB { _ = try await pipeline.waitUntilFinished(run.id) }
        }
    }
}
