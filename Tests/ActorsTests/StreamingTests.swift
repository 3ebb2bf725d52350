import Actors
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// The in-process bus, client outboxes and the broadcaster: bounded, dropping the oldest, never blocking a producer.
@Suite(.timeLimit(.minutes(2))) struct StreamingTests {
    static func event(_ topic: EventTopic, ticker: String? = nil, _ n: Int) -> BusEvent {
        BusEvent(topic: topic, ticker: ticker, origin: "test", payload: Array("{\"n\":\(n)}".utf8))
    }

    static func numbers(_ frames: [[UInt8]]) -> [Int] {
        frames.compactMap { frame in
            (try? JSONSerialization.jsonObject(with: Data(frame)) as? [String: Any])?["n"] as? Int
        }
    }

    // MARK: - Outbox

    @Test func outboxDropsTheOldestAndReportsHowMany() {
        let outbox = ClientOutbox(channel: .predictions, capacity: 3, tickers: [])
        var kept: [Bool] = []
        for n in 1...5 { kept.append(outbox.push(Array("{\"n\":\(n)}".utf8))) }
        #expect(kept == [true, true, true, false, false])
        let batch = outbox.drain()
        #expect(batch?.dropped == 2)
        #expect(batch?.totalDropped == 2)
        #expect(Self.numbers(batch?.frames ?? []) == [3, 4, 5])
        #expect(outbox.drain() == nil)
        outbox.push(Array("{\"n\":6}".utf8))
        let next = outbox.drain()
        #expect(next?.dropped == 0)
        #expect(next?.totalDropped == 2)
    }

    @Test func outboxBatchesEndAfterClose() async {
        let outbox = ClientOutbox(channel: .tasks, capacity: 10, tickers: [])
        outbox.push(Array("{\"n\":1}".utf8))
        outbox.close()
        outbox.push(Array("{\"n\":2}".utf8))  // ignored after close
        var seen: [Int] = []
        for await batch in outbox.batches() { seen += Self.numbers(batch.frames) }
        #expect(seen == [1])
    }

    @Test func outboxFilterPassesEventsWithoutTicker() {
        let outbox = ClientOutbox(channel: .predictions, capacity: 10, tickers: ["GOOG"])
        #expect(outbox.accepts(ticker: "GOOG"))
        #expect(!outbox.accepts(ticker: "^GSPC"))
        #expect(outbox.accepts(ticker: nil))
        outbox.setTickers([])
        #expect(outbox.accepts(ticker: "^GSPC"))
    }

    // MARK: - Bus

    @Test func busFansOutToEverySubscriberOfTheTopic() async {
        let bus = InProcessEventBus()
        let a = bus.subscribe(to: [.predictions], bufferingNewest: 10)
        let b = bus.subscribe(to: [.predictions, .alerts], bufferingNewest: 10)
        let other = bus.subscribe(to: [.metrics], bufferingNewest: 10)
        bus.publish(Self.event(.predictions, 1))
        bus.publish(Self.event(.alerts, 2))
        bus.finish()
        var seenA: [Int] = []
        for await event in a { seenA += Self.numbers([event.payload]) }
        var seenB: [Int] = []
        for await event in b { seenB += Self.numbers([event.payload]) }
        var seenOther = 0
        for await _ in other { seenOther += 1 }
        #expect(seenA == [1])
        #expect(seenB == [1, 2])
        #expect(seenOther == 0)
    }

    @Test func busKeepsOnlyTheNewestForASlowSubscriber() async {
        let bus = InProcessEventBus()
        let slow = bus.subscribe(to: [.tasks], bufferingNewest: 2)
        for n in 1...5 { bus.publish(Self.event(.tasks, n)) }
        bus.finish()
        var seen: [Int] = []
        for await event in slow { seen += Self.numbers([event.payload]) }
        #expect(seen == [4, 5])
    }

    // MARK: - Broadcaster

    /// Runs a broadcaster on `bus` for the duration of `body`.
    static func withBroadcaster(
        bus: InProcessEventBus, configuration: WebSocketBroadcaster.Configuration, _ body: @Sendable (WebSocketBroadcaster) async throws -> Void
    ) async throws {
        let broadcaster = WebSocketBroadcaster(bus: bus, instance: "test", configuration: configuration, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [broadcaster], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body(broadcaster)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// Waits until `outbox` has delivered `count` frames in total (hello included), collecting them.
    static func collect(_ outbox: ClientOutbox, count: Int) async -> (frames: [[UInt8]], dropped: Int) {
        var frames: [[UInt8]] = []
        var dropped = 0
        for await batch in outbox.batches() {
            frames += batch.frames
            dropped += batch.dropped
            if frames.count + dropped >= count { break }
        }
        return (frames, dropped)
    }

    @Test func stalledClientDoesNotDelayOthers() async throws {
        let bus = InProcessEventBus()
        var configuration = WebSocketBroadcaster.Configuration()
        configuration.clientBuffer = 8
        configuration.replay = 0
        try await Self.withBroadcaster(bus: bus, configuration: configuration) { broadcaster in
            let stalled = await broadcaster.connect(channel: .predictions, tickers: [])  // never read
            let fast = await broadcaster.connect(channel: .predictions, tickers: [])
            let reader = Task { await Self.collect(fast, count: 1 + 100) }
            for n in 1...100 {
                bus.publish(Self.event(.predictions, n))
                if n % 4 == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            let (frames, _) = await reader.value
            #expect(Self.numbers(Array(frames.dropFirst())).suffix(10) == Array(91...100))
            // The stalled client holds only its newest 8 frames and was told about the rest.
            let pending = try #require(stalled.drain())
            #expect(pending.frames.count == 8)
            #expect(pending.dropped == 101 - 8)
            #expect(Self.numbers(pending.frames) == Array(93...100))
        }
    }

    @Test func newClientGetsHelloThenRecentEventsOfItsChannelAndFilter() async throws {
        let bus = InProcessEventBus()
        var configuration = WebSocketBroadcaster.Configuration()
        configuration.replay = 3
        try await Self.withBroadcaster(bus: bus, configuration: configuration) { broadcaster in
            for n in 1...5 { bus.publish(Self.event(.predictions, ticker: n % 2 == 0 ? "GOOG" : "SPY", n)) }
            bus.publish(Self.event(.alerts, 99))
            // Events are fanned out in order: once the alert (published last) is in its replay, all predictions are too.
            while await broadcaster.replayCount(.alerts) < 1 { try await Task.sleep(for: .milliseconds(5)) }
            let client = await broadcaster.connect(channel: .predictions, tickers: ["GOOG"])
            let batch = try #require(client.drain())
            let hello = try #require(try JSONSerialization.jsonObject(with: Data(batch.frames[0])) as? [String: Any])
            #expect(hello["type"] as? String == "hello")
            #expect(hello["channel"] as? String == "predictions")
            // The last 3 predictions were 3 (SPY), 4 (GOOG), 5 (SPY): only 4 passes the filter.
            #expect(Self.numbers(Array(batch.frames.dropFirst())) == [4])
        }
    }

    // MARK: - Payloads

    @Test func eventEnvelopeCarriesSchemaTypeInstanceAndSnakeCaseFields() throws {
        let event = BusEvent(MetricsEvent(timestamp: 1_700_000_000, metrics: ["cpu_usage_seconds_total": 1.5]), origin: "node-a")
        #expect(event.topic == .metrics)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(event.payload)) as? [String: Any])
        #expect(json["schema_version"] as? Int == 1)
        #expect(json["type"] as? String == "metrics")
        #expect(json["instance"] as? String == "node-a")
        #expect(json["timestamp"] as? Int == 1_700_000_000)
        #expect((json["metrics"] as? [String: Double])?["cpu_usage_seconds_total"] == 1.5)
        #expect((json["emitted_at"] as? String)?.hasSuffix("Z") == true)
        #expect(EventCoding.origin(of: event.payload) == "node-a")
    }

    // MARK: - Metric samples

    @Test func expositionIsParsedWithLabelsContainingBraces() {
        let text = """
            # TYPE http_requests_total counter
            http_requests_total{route="/api/models/{id}",method="GET",status="200"} 3
            http_requests_total{route="/api/models/{id}",method="GET",status="500"} 1
            http_requests_total{route="/x",method="POST",status="503"} 2
            process_resident_memory_bytes 1.5e+07
            d_bucket{le="0.1"} 2
            d_bucket{le="0.5"} 6
            d_bucket{le="+Inf"} 10
            """
        let samples = MetricSamples(exposition: text)
        #expect(samples.sum("http_requests_total") == 6)
        #expect(samples.sum("http_requests_total", where: ["route": "/api/models/{id}"]) == 4)
        #expect(samples.sum("http_requests_total", label: "status") { $0.hasPrefix("5") } == 3)
        #expect(samples.sum("process_resident_memory_bytes") == 15_000_000)
        let buckets = samples.buckets("d")
        #expect(buckets == [0.1: 2, 0.5: 6, .infinity: 10])
        // 4 new observations, all in (0.1, 0.5]: the median interpolates inside that bucket.
        let median = MetricSamples.quantile(0.5, current: buckets, previous: [0.1: 2, 0.5: 2, .infinity: 6])
        #expect(median.map { abs($0 - 0.3) < 1e-9 } == true)
        #expect(MetricSamples.quantile(0.5, current: buckets, previous: buckets) == nil)
    }
}
