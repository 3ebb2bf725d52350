#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Consumer lag read from librdkafka's statistics JSON (`topics.<name>.partitions.<id>`, see librdkafka's
/// STATISTICS.md).
///
/// Per partition the lag is librdkafka's `consumer_lag`: the high watermark minus the group's committed offset, the
/// definition Kafka's own tools use (so it trails consumption by up to `auto.commit.interval.ms`). librdkafka reports
/// `-1` while either end is unknown (e.g. before the first commit); such partitions, and the internal partition `-1`,
/// are skipped. A topic appears once at least one of its partitions has a known lag.
struct ConsumerLagStatistics: Sendable {
    /// Sum of the known partition lags, per topic.
    let lagByTopic: [String: Int64]

    /// Parses a statistics document.
    init(json: String) throws {
        let document = try JSONDecoder().decode(Document.self, from: Data(json.utf8))
        var lag: [String: Int64] = [:]
        for (topic, statistics) in document.topics ?? [:] {
            for partition in (statistics.partitions ?? [:]).values where partition.partition >= 0 {
                if let partitionLag = partition.consumerLag, partitionLag >= 0 {
                    lag[topic, default: 0] += partitionLag
                }
            }
        }
        self.lagByTopic = lag
    }

    private struct Document: Decodable {
        var topics: [String: Topic]?
    }

    private struct Topic: Decodable {
        var partitions: [String: Partition]?
    }

    private struct Partition: Decodable {
        var partition: Int32
        var consumerLag: Int64?

        enum CodingKeys: String, CodingKey {
            case partition
            case consumerLag = "consumer_lag"
        }
    }
}
