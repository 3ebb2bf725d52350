import KafkaBridge
import Logging
import ServiceLifecycle

/// Shared settings and helpers of the Kafka suites: each test starts its own mock cluster, so tests run in parallel
/// without sharing state.
enum KafkaTestSupport {
    /// Settings for clients of `cluster` with group timings shortened for the mock (its rebalances wait up to
    /// `session.timeout.ms - 1 s` for members to rejoin) and reconnects capped at 200 ms.
    static func configuration(for cluster: KafkaMockCluster, clientID: String) -> KafkaConfiguration {
        var configuration = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers, clientID: clientID)
        configuration.statisticsInterval = .milliseconds(200)
        configuration.additional = [
            "session.timeout.ms": "4000",
            "heartbeat.interval.ms": "300",
            "reconnect.backoff.ms": "50",
            "reconnect.backoff.max.ms": "200",
            "auto.commit.interval.ms": "200",
        ]
        return configuration
    }

    /// Runs `body` with a fresh mock cluster that stays alive until `body` returns (its clients are shut down
    /// inside `body`, before the cluster is destroyed).
    static func withMockCluster<Result>(
        brokers: Int = 1, _ body: (KafkaMockCluster) async throws -> Result
    ) async throws -> Result {
        let cluster = try KafkaMockCluster(brokers: brokers)
        defer { withExtendedLifetime(cluster) {} }
        return try await body(cluster)
    }

    /// A logger that discards everything (for the service groups themselves).
    static let silentLogger = Logger(label: "kafka-test.silent") { _ in SwiftLogNoOpLogHandler() }

    /// Suspends until `condition` holds, re-checking every 20 ms. There is no deadline here: each test carries a
    /// `.timeLimit` trait, whose cancellation ends the wait (`Task.sleep` throws).
    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        while try await !condition() {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A `ServiceGroup` running in a child task, shut down gracefully by ``stop()``.
struct RunningServices {
    let group: ServiceGroup
    let task: Task<Void, any Error>

    /// Starts `services` (shut down in reverse order).
    init(_ services: [any Service]) {
        let group = ServiceGroup(services: services, logger: KafkaTestSupport.silentLogger)
        self.group = group
        self.task = Task { try await group.run() }
    }

    /// Triggers graceful shutdown and waits for every service's `run()` to return; rethrows a service's error.
    func stop() async throws {
        await self.group.triggerGracefulShutdown()
        try await self.task.value
    }
}

/// Messages received by consumers, by consumer name; awaited by tests through ``KafkaTestSupport/waitUntil(_:)``.
actor ReceivedMessages {
    private(set) var all: [(consumer: String, message: KafkaConsumerMessage)] = []

    var count: Int { self.all.count }

    func append(_ message: KafkaConsumerMessage, by consumer: String) {
        self.all.append((consumer, message))
    }

    func messages(of consumer: String) -> [KafkaConsumerMessage] {
        self.all.filter { $0.consumer == consumer }.map(\.message)
    }

    /// Starts a task that reads `consumer.messages` into this log until the sequence ends.
    nonisolated func collect(from consumer: KafkaConsumer, as name: String) -> Task<Void, any Error> {
        Task {
            for try await message in consumer.messages {
                await self.append(message, by: name)
            }
        }
    }
}

extension String {
    /// The UTF-8 bytes, for message keys and values.
    var bytes: [UInt8] { Array(self.utf8) }
}

extension Array where Element == UInt8 {
    /// The bytes as UTF-8 text.
    var text: String { String(decoding: self, as: UTF8.self) }
}
