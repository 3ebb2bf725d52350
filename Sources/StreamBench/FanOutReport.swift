import Actors
import NIOCore

/// The JSON result of one run (bench/out/streams/*.json; bench/stream_report.py turns it into BENCHMARKS.md).
/// Milliseconds are rounded to 0.001; CPU percentages are of one core (200 % = both cores of a 2-core machine).
struct FanOutReport: Encodable {
    /// What was run.
    struct Setup: Encodable {
        let label: String
        let clients: Int
        let stalledClients: Int
        let liveClients: Int
        let eventsPerSecond: Int
        let seconds: Int
        /// `websocket.client_buffer`: frames per client outbox.
        let clientBuffer: Int
        /// `websocket.replay` (no events precede the clients, so nothing is replayed).
        let replay: Int
        let pingSeconds: Int
        /// When the writer waited for the event loop: 1 = after every batch (StreamRoutes since f4cd89c), 0 = never,
        /// n = after a batch once n frames were written since the last wait.
        let barrierFrames: Int
        /// One event frame, bytes.
        let payloadBytes: Int
        /// Cores NIO sees; the event loops (server and clients share them) and the cooperative pool have this many threads.
        let cores: Int
        let connectBatch: Int
        let openFileLimit: Int
    }

    /// Delivery latency percentiles, ms.
    struct Latency: Encodable {
        let samples: Int
        let p50Ms: Double
        let p90Ms: Double
        let p95Ms: Double
        let p99Ms: Double
        let p999Ms: Double
        let maxMs: Double
        let meanMs: Double

        init(_ histogram: LatencyHistogram) {
            let ms = { (microseconds: UInt64) in Double(microseconds) / 1000 }
            self.samples = histogram.count
            self.p50Ms = ms(histogram.quantile(0.50))
            self.p90Ms = ms(histogram.quantile(0.90))
            self.p95Ms = ms(histogram.quantile(0.95))
            self.p99Ms = ms(histogram.quantile(0.99))
            self.p999Ms = ms(histogram.quantile(0.999))
            self.maxMs = ms(histogram.max)
            self.meanMs = histogram.mean.rounded() / 1000
        }
    }

    /// Frames of one group of clients. expected = published events × clients that connected; missing = expected −
    /// delivered − dropped (events lost before any outbox, e.g. the broadcaster's bus buffer, or cut-off clients).
    struct Delivery: Encodable {
        let clients: Int
        let finished: Int
        let failedToConnect: Int
        let endedEarly: Int
        let firstError: String?
        let framesExpected: Int
        let framesDelivered: Int
        let framesDropped: Int
        let framesMissing: Int
        let droppedNotices: Int
        let clientsWithDrops: Int
        let minDeliveredPerClient: Int
        let otherFrames: Int

        init(_ totals: RunTally.RoleTotals, published: Int) {
            self.clients = totals.clients
            self.finished = totals.finished
            self.failedToConnect = totals.failedToConnect
            self.endedEarly = totals.endedEarly
            self.firstError = totals.firstError
            self.framesExpected = published * (totals.clients - totals.failedToConnect)
            self.framesDelivered = totals.delivered
            self.framesDropped = totals.dropped
            self.framesMissing = self.framesExpected - totals.delivered - totals.dropped
            self.droppedNotices = totals.droppedNotices
            self.clientsWithDrops = totals.clientsWithDrops
            self.minDeliveredPerClient = totals.clients > 0 ? totals.minDelivered : 0
            self.otherFrames = totals.other
        }
    }

    /// The publisher against its schedule.
    struct Publishing: Encodable {
        /// Events planned (rate × seconds) and published.
        let plannedEvents: Int
        let events: Int
        /// Why publishing stopped before the plan (the RSS limit), if it did.
        let stoppedEarly: String?
        let seconds: Double
        let achievedPerSecond: Double
        /// Publish time − scheduled time.
        let latenessP99Ms: Double
        let latenessMaxMs: Double
    }

    /// The server-side pumps' totals.
    struct ServerCounters: Encodable {
        /// Clients the broadcaster had on /ws/predictions when publishing started.
        let clientsAtStart: Int
        /// Frames written to sockets (hello frames and events).
        let framesWritten: Int
        /// Frames dropped from outboxes, as the pumps reported them in `dropped` notices.
        let droppedReported: Int
        /// Outbox batches written (frames per batch = framesWritten / batches).
        let batches: Int
    }

    /// CPU and memory of the whole process (server, broadcaster, publisher and the in-process clients).
    struct Resources: Encodable {
        /// Publishing phase: first to last publish.
        let cpuSecondsPublishing: Double
        let wallSecondsPublishing: Double
        let cpuPercentPublishing: Double
        /// Publishing start until the last live client had every frame.
        let cpuSecondsToDrained: Double
        let wallSecondsToDrained: Double
        let cpuPercentToDrained: Double
        /// Start-up and connecting, before publishing.
        let cpuSecondsConnecting: Double
        let peakRssBytesConnected: Int
        let peakRssBytes: Int
    }

    /// The goals.
    struct Goals: Encodable {
        let p95TargetMs = 50.0
        let p95Met: Bool
        /// No frame dropped or missing for any live (non-stalled) client.
        let liveClientsLostNothing: Bool
        /// Every event was published and every client saw the end frame within the drain timeout (none was closed
        /// early, e.g. by the server for a ping it did not answer in time).
        let complete: Bool
    }

    let setup: Setup
    let connectSeconds: Double
    let publishing: Publishing
    let latency: Latency
    let live: Delivery
    let stalled: Delivery
    let server: ServerCounters
    let resources: Resources
    /// Last publish until the last live client had the end frame, s.
    let liveDrainSeconds: Double
    let goals: Goals
    /// Once a second from the first publish until the live clients drained.
    let progress: [ProgressSampler.Sample]
    let notes: [String]

    init(
        options: BenchOptions, payloadBytes: Int, openFileLimit: Int, connectSeconds: Double, published: Publisher.Outcome,
        live: RunTally.RoleTotals, stalled: RunTally.RoleTotals, complete: Bool, server: ServerCounters,
        usage: (connected: ProcessUsage, published: ProcessUsage, drained: ProcessUsage, end: ProcessUsage),
        samples: [ProgressSampler.Sample]
    ) {
        self.progress = samples
        self.setup = Setup(
            label: options.label, clients: options.clients, stalledClients: options.stalled, liveClients: options.clients - options.stalled,
            eventsPerSecond: options.rate, seconds: options.seconds, clientBuffer: options.buffer, replay: WebSocketBroadcaster.Configuration().replay, pingSeconds: options.pingSeconds,
            barrierFrames: options.barrierFrames,
            payloadBytes: payloadBytes, cores: System.coreCount, connectBatch: options.connectBatch, openFileLimit: openFileLimit
        )
        self.connectSeconds = Self.round(connectSeconds, 2)
        let publishSeconds = Double(published.endedAt - published.startedAt) / 1e9
        self.publishing = Publishing(
            plannedEvents: options.events, events: published.published, stoppedEarly: published.stoppedEarly, seconds: Self.round(publishSeconds, 3),
            achievedPerSecond: Self.round(publishSeconds > 0 ? Double(published.published) / publishSeconds : 0, 1),
            latenessP99Ms: Double(published.lateness.quantile(0.99)) / 1000, latenessMaxMs: Double(published.lateness.max) / 1000
        )
        self.latency = Latency(live.latency)
        self.live = Delivery(live, published: published.published)
        self.stalled = Delivery(stalled, published: published.published)
        self.server = server
        let drainedAt = live.lastFinishedAt > 0 ? live.lastFinishedAt : usage.drained.at
        self.liveDrainSeconds = Self.round(Double(drainedAt &- min(published.endedAt, drainedAt)) / 1e9, 3)
        let cpu = { (from: ProcessUsage, to: ProcessUsage) in Self.round(to.cpuSeconds - from.cpuSeconds, 2) }
        let wall = { (from: ProcessUsage, to: ProcessUsage) in Self.round(Double(to.at - from.at) / 1e9, 2) }
        let percent = { (from: ProcessUsage, to: ProcessUsage) in
            Self.round(to.at > from.at ? (to.cpuSeconds - from.cpuSeconds) / (Double(to.at - from.at) / 1e9) * 100 : 0, 1)
        }
        self.resources = Resources(
            cpuSecondsPublishing: cpu(usage.connected, usage.published), wallSecondsPublishing: wall(usage.connected, usage.published),
            cpuPercentPublishing: percent(usage.connected, usage.published),
            cpuSecondsToDrained: cpu(usage.connected, usage.drained), wallSecondsToDrained: wall(usage.connected, usage.drained),
            cpuPercentToDrained: percent(usage.connected, usage.drained),
            cpuSecondsConnecting: Self.round(usage.connected.cpuSeconds, 2),
            peakRssBytesConnected: usage.connected.peakResidentBytes, peakRssBytes: usage.end.peakResidentBytes
        )
        self.goals = Goals(
            p95Met: live.latency.count > 0 && self.latency.p95Ms < 50,
            liveClientsLostNothing: self.live.framesDropped == 0 && self.live.framesMissing == 0 && self.live.failedToConnect == 0,
            complete: complete && published.stoppedEarly == nil && self.live.finished == self.live.clients
                && self.stalled.finished == self.stalled.clients
        )
        self.notes = [
            "clients run in the benchmark process on the same cores and event loops as the server; CPU and RSS include them",
            "latency = client receive time - publish time, both CLOCK_MONOTONIC in this process; stalled clients are not in it",
            "stalled clients read only their hello until every live client had the end frame, then drain",
        ]
    }

    private static func round(_ value: Double, _ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
