import KafkaBridge
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct KafkaConsumerGroupTests {
    @Test func twoConsumersSharePartitionsAndTheSurvivorTakesOver() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            try cluster.createTopic("shared", partitions: 2)
            let logs = LogRecorder()
            let configuration = KafkaTestSupport.configuration(for: cluster, clientID: "group")
            let producer = try KafkaProducer(configuration: configuration, logger: logs.logger(label: "producer"))
            let first = try KafkaConsumer(
                configuration: configuration, groupID: "group", topics: ["shared"], startAt: .earliest,
                logger: logs.logger(label: "first")
            )
            let second = try KafkaConsumer(
                configuration: configuration, groupID: "group", topics: ["shared"], startAt: .earliest,
                logger: logs.logger(label: "second")
            )
            let firstServices = RunningServices([first])
            let otherServices = RunningServices([producer, second])
            let received = ReceivedMessages()
            let firstReading = received.collect(from: first, as: "first")
            let secondReading = received.collect(from: second, as: "second")

            // Both join and get one partition each.
            try await KafkaTestSupport.waitUntil { first.assignment().count == 1 && second.assignment().count == 1 }
            let allPartitions: Set = [
                KafkaTopicPartition(topic: "shared", partition: 0), KafkaTopicPartition(topic: "shared", partition: 1),
            ]
            #expect(first.assignment().union(second.assignment()) == allPartitions)
            let firstPartition = try #require(first.assignment().first).partition

            // Phase 1: ten messages per partition, each consumed exactly once, by the partition's owner.
            for index in 0..<20 {
                try producer.send(
                    KafkaProducerMessage(topic: "shared", value: "one-\(index)".bytes, partition: Int32(index % 2)))
            }
            try await KafkaTestSupport.waitUntil { await received.count >= 20 }
            let firstPhase1 = await received.messages(of: "first")
            let secondPhase1 = await received.messages(of: "second")
            #expect(firstPhase1.count == 10)
            #expect(secondPhase1.count == 10)
            #expect(firstPhase1.allSatisfy { $0.partition == firstPartition })
            #expect(secondPhase1.allSatisfy { $0.partition != firstPartition })

            // Wait until both have committed what they read (lag 0 means committed == high watermark). The mock
            // broker refuses the commit librdkafka makes when partitions are revoked during a rebalance, which a real
            // broker accepts; without this wait the survivor could re-read its own uncommitted partition.
            try await KafkaTestSupport.waitUntil {
                first.consumerLag()["shared"] == 0 && second.consumerLag()["shared"] == 0
            }

            // The first consumer shuts down gracefully: its reading ends, it leaves, the second takes over.
            try await firstServices.stop()
            try await firstReading.value
            #expect(first.assignment().isEmpty)
            try await KafkaTestSupport.waitUntil { second.assignment() == allPartitions }

            // Phase 2: the survivor reads both partitions, resuming where the first consumer's commit left off.
            for index in 0..<20 {
                try producer.send(
                    KafkaProducerMessage(topic: "shared", value: "two-\(index)".bytes, partition: Int32(index % 2)))
            }
            try await KafkaTestSupport.waitUntil { await received.count >= 40 }
            let all = await received.all
            #expect(all.count == 40)
            let values = all.map(\.message.value.text)
            #expect(Set(values).count == 40, "a message was consumed twice")
            #expect(Set(values) == Set((0..<20).map { "one-\($0)" } + (0..<20).map { "two-\($0)" }))
            let secondPhase2 = await received.messages(of: "second").filter { $0.value.text.hasPrefix("two-") }
            #expect(secondPhase2.count == 20)

            try await otherServices.stop()
            try await secondReading.value
        }
    }
}
