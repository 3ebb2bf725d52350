import KafkaBridge
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct KafkaConsumerLagTests {
    @Test func lagCountsMessagesProducedButNotConsumed() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            try cluster.createTopic("lagging", partitions: 1)
            let logs = LogRecorder()
            let configuration = KafkaTestSupport.configuration(for: cluster, clientID: "lag")
            let producer = try KafkaProducer(configuration: configuration, logger: logs.logger(label: "producer"))
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: "lag", topics: ["lagging"], startAt: .earliest,
                logger: logs.logger(label: "consumer")
            )
            let services = RunningServices([producer, consumer])
            #expect(consumer.consumerLag().isEmpty)

            // Consume five messages, then stop reading.
            for index in 0..<5 {
                try producer.send(KafkaProducerMessage(topic: "lagging", value: "read-\(index)".bytes))
            }
            var consumed = 0
            for try await _ in consumer.messages {
                consumed += 1
                if consumed == 5 { break }
            }
            try await KafkaTestSupport.waitUntil { consumer.consumerLag()["lagging"] == 0 }

            // Seven more that nobody reads: the lag reaches 7 and goes no higher (the five read are committed).
            for index in 0..<7 {
                try producer.send(KafkaProducerMessage(topic: "lagging", value: "unread-\(index)".bytes))
            }
            try await KafkaTestSupport.waitUntil { (consumer.consumerLag()["lagging"] ?? 0) >= 7 }
            #expect(consumer.consumerLag() == ["lagging": 7])

            try await services.stop()
        }
    }
}
