import ArgumentParser
import Foundation
import KafkaBridge
import UnixSignals

/// `stockcast kafka-mock`: hosts librdkafka's mock Kafka cluster (the real protocol on loopback sockets) with the five
/// StockCast topics, for trying several instances on one machine without a Kafka installation, and for the
/// two-instance test. Not a broker for production: it keeps messages in memory and forgets them when it stops.
struct KafkaMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-mock",
        abstract: "Host a local mock Kafka cluster (librdkafka) with the StockCast topics until interrupted."
    )

    @Option(help: "Number of brokers (1-5).")
    var brokers: Int = 1

    @Option(help: "Partitions per topic (1-64).")
    var partitions: Int = 1

    @Option(help: "Also write the bootstrap servers to this file (for scripts).")
    var bootstrapFile: String?

    func validate() throws {
        guard (1...5).contains(self.brokers) else { throw ValidationError("--brokers must be 1...5") }
        guard (1...64).contains(self.partitions) else { throw ValidationError("--partitions must be 1...64") }
    }

    func run() async throws {
        let cluster = try KafkaMockCluster(brokers: self.brokers)
        for topic in ["stock_predictions", "monitoring_metrics", "stock_alerts", "task_events", "model_events"] {
            try cluster.createTopic(topic, partitions: Int32(self.partitions))
        }
        if let file = self.bootstrapFile {
            try Data((cluster.bootstrapServers + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        }
        let banner = "kafka mock cluster: \(cluster.bootstrapServers)\n"
            + "start instances with STOCKCAST_KAFKA_BOOTSTRAP_SERVERS=\(cluster.bootstrapServers); Ctrl-C stops the cluster\n"
        FileHandle.standardOutput.write(Data(banner.utf8))
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        for await _ in signals { break }
        withExtendedLifetime(cluster) {}
    }
}
