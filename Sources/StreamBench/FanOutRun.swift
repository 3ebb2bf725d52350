import Actors
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// One benchmark run: server up, clients connected in batches, the measured publishing phase, the live clients'
/// drain, then the stalled clients' release and drain, the report, and shutdown.
struct FanOutRun {
    let options: BenchOptions
    let logger: Logger
    /// Progress lines (standard output).
    let log: @Sendable (String) -> Void

    /// Which child task of the run ended.
    private enum Child: Sendable {
        case server, clients, sampler, watchdog
    }

    /// Runs the benchmark; `deliver` gets the report before the server shuts down (so a slow shutdown loses nothing).
    func run(deliver: @Sendable (FanOutReport) throws -> Void) async throws {
        let needed = self.options.clients * 2 + 256
        let fileLimit = ProcessUsage.raiseOpenFileLimit(to: needed)
        guard fileLimit >= needed else {
            throw BenchError(.setup, "\(self.options.clients) clients need about \(needed) open files; the limit is \(fileLimit) (raise ulimit -n)")
        }
        let server = FanOutServer(options: self.options, logger: self.logger)
        let tally = RunTally(clients: self.options.clients)
        let release = OneShot<Void>()
        let payload = PredictionPayload()
        let stalledIndices = Set((0..<self.options.stalled).map { $0 * self.options.clients / self.options.stalled })
        let liveCount = self.options.clients - self.options.stalled

        try await withThrowingTaskGroup(of: Child.self) { group in
            group.addTask {
                defer { server.port.fulfil(0) }
                try await server.group.run()
                return .server
            }
            let port = await server.port.value()
            guard port > 0 else { throw BenchError(.setup, "the server did not start") }
            self.log("server on 127.0.0.1:\(port); connecting \(self.options.clients) clients (\(self.options.stalled) stalled)")

            // Connect in batches of `connectBatch`, each waiting for the previous batch's hellos.
            let connectStart = MonotonicTime.now()
            let url = "ws://127.0.0.1:\(port)/ws/predictions"
            var clientLogger = self.logger
            clientLogger.logLevel = .error
            let clientsLogger = clientLogger
            group.addTask {
                await withTaskGroup(of: Void.self) { clients in
                    var launched = 0
                    while launched < self.options.clients {
                        let end = min(launched + self.options.connectBatch, self.options.clients)
                        for index in launched..<end {
                            let role: FanOutClient.Role = stalledIndices.contains(index) ? .stalled : .live
                            let client = FanOutClient(index: index, role: role, url: url, tally: tally, release: release)
                            clients.addTask { await client.run(logger: clientsLogger) }
                        }
                        launched = end
                        _ = await Self.poll(seconds: 60) { Self.settled(tally) >= end }
                    }
                }
                return .clients
            }
            let allSettled = await Self.poll(seconds: 60 + self.options.clients / 10) { Self.settled(tally) >= self.options.clients }
            let connectSeconds = Double(MonotonicTime.now() - connectStart) / 1e9
            let failed = tally.failedCount(.live) + tally.failedCount(.stalled)
            guard allSettled, failed < self.options.clients else {
                release.fulfil(())
                group.cancelAll()
                throw BenchError(.run, "clients did not connect (\(Self.settled(tally)) of \(self.options.clients) settled, \(failed) failed)")
            }
            let clientsAtStart = await server.broadcaster.clientCounts()[.predictions] ?? 0
            self.log(String(format: "connected %d clients in %.1f s (%d failed); publishing %d events/s for %d s", clientsAtStart, connectSeconds, failed, self.options.rate, self.options.seconds))

            // The measured phase.
            let sampler = ProgressSampler(maxSamples: self.options.seconds + 2 * self.options.drainTimeout + 10)
            let connectedUsage = ProcessUsage.now()
            group.addTask {
                await sampler.run(from: connectedUsage.at, counters: server.counters, tally: tally)
                return .sampler
            }
            let publisher = Publisher(
                bus: server.bus, payload: payload, rate: self.options.rate, count: self.options.events,
                maxResidentBytes: self.options.maxResidentMiB * 1_048_576, sampler: sampler
            )
            let published = await publisher.run()
            let publishedUsage = ProcessUsage.now()
            self.log(String(format: "published %d events in %.2f s; waiting for the live clients", published.published, Double(published.endedAt - published.startedAt) / 1e9))
            if let reason = published.stoppedEarly { self.log("publishing stopped early: \(reason)") }
            let liveDrained = await Self.poll(seconds: self.options.drainTimeout) { tally.doneCount(.live) >= liveCount }
            let drainedUsage = ProcessUsage.now()
            sampler.stop()

            // The stalled clients read what is left.
            release.fulfil(())
            let stalledDrained = await Self.poll(seconds: self.options.drainTimeout) { tally.doneCount(.stalled) >= self.options.stalled }
            let endUsage = ProcessUsage.now()
            let counters = FanOutReport.ServerCounters(
                clientsAtStart: clientsAtStart, framesWritten: server.counters.framesWritten.load(ordering: .relaxed),
                droppedReported: server.counters.droppedReported.load(ordering: .relaxed), batches: server.counters.batches.load(ordering: .relaxed)
            )
            let totals = tally.totals()
            let report = FanOutReport(
                options: self.options, payloadBytes: payload.size, openFileLimit: fileLimit, connectSeconds: connectSeconds,
                published: published, live: totals.live, stalled: totals.stalled, complete: liveDrained && stalledDrained,
                server: counters, usage: (connectedUsage, publishedUsage, drainedUsage, endUsage), samples: sampler.taken()
            )
            try deliver(report)

            // Shutdown: gracefully when every client finished, else by cancellation; a watchdog bounds it.
            if liveDrained && stalledDrained {
                await server.group.triggerGracefulShutdown()
            } else {
                group.cancelAll()
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return .watchdog
            }
            var ended = 0
            while let child = try await group.next() {
                switch child {
                case .watchdog where ended < 3:
                    self.log("shutdown takes over 30 s; cancelling")
                    group.cancelAll()
                case .watchdog:
                    break
                case .server, .clients, .sampler:
                    ended += 1
                    if ended == 3 { group.cancelAll() }
                }
            }
        }
    }

    /// Clients that got their hello or gave up.
    private static func settled(_ tally: RunTally) -> Int {
        tally.connectedCount(.live) + tally.connectedCount(.stalled) + tally.failedCount(.live) + tally.failedCount(.stalled)
    }

    /// Checks `condition` every 20 ms for at most `seconds`; returns whether it held.
    private static func poll(seconds: Int, _ condition: () -> Bool) async -> Bool {
        let deadline = MonotonicTime.now() + UInt64(seconds) * 1_000_000_000
        while !condition() {
            guard MonotonicTime.now() < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
