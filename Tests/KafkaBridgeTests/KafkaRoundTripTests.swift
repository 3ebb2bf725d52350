import KafkaBridge
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct KafkaRoundTripTests {
    @Test func producedMessagesArriveIntactAndInPartitionOrder() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            try cluster.createTopic("round-trip", partitions: 2)
            let logs = LogRecorder()
            let configuration = KafkaTestSupport.configuration(for: cluster, clientID: "round-trip")
            let producer = try KafkaProducer(configuration: configuration, logger: logs.logger(label: "producer"))
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: "round-trip", topics: ["round-trip"], startAt: .earliest,
                logger: logs.logger(label: "consumer")
            )
            let services = RunningServices([producer, consumer])
            let received = ReceivedMessages()
            let reading = received.collect(from: consumer, as: "consumer")

            // 40 messages over both partitions; key "k<i % 3>" and a binary value that includes 0 bytes.
            var sent: [KafkaMessageID: KafkaProducerMessage] = [:]
            for index in 0..<40 {
                let message = KafkaProducerMessage(
                    topic: "round-trip", key: "k\(index % 3)".bytes, value: [0, UInt8(index), 255] + "v\(index)".bytes,
                    partition: Int32(index % 2)
                )
                sent[try producer.send(message)] = message
            }
            #expect(sent.keys.map(\.rawValue).sorted() == Array(1...40))

            var reports: [KafkaDeliveryReport] = []
            for await report in producer.deliveryReports {
                reports.append(report)
                if reports.count == sent.count { break }
            }
            var positions: [KafkaMessageID: KafkaMessagePosition] = [:]
            for report in reports {
                let position = try report.result.get()
                #expect(report.topic == "round-trip")
                #expect(position.partition == sent[report.id]?.partition)
                positions[report.id] = position
            }
            #expect(Set(positions.keys) == Set(sent.keys))
            // Offsets per partition are 0..<20, in send order.
            for partition: Int32 in [0, 1] {
                let offsets = positions.filter { $0.value.partition == partition }.sorted { $0.key < $1.key }.map(
                    \.value.offset)
                #expect(offsets == Array(0..<20))
            }

            try await KafkaTestSupport.waitUntil { await received.count >= sent.count }
            let consumed = await received.messages(of: "consumer")
            #expect(consumed.count == sent.count)
            let sentByValue = Dictionary(uniqueKeysWithValues: sent.map { ($0.value.value, ($0.key, $0.value)) })
            for message in consumed {
                let original = try #require(sentByValue[message.value], "unexpected value \(message.value)")
                #expect(message.topic == "round-trip")
                #expect(message.key == original.1.key)
                #expect(message.partition == original.1.partition)
                #expect(message.offset == positions[original.0]?.offset)
            }
            for partition: Int32 in [0, 1] {
                let inPartition = consumed.filter { $0.partition == partition }
                let expected = sent.filter { $0.value.partition == partition }.sorted { $0.key < $1.key }.map(
                    \.value.value)
                #expect(inPartition.map(\.value) == expected)
                #expect(inPartition.map(\.offset) == Array(0..<20))
            }

            try await services.stop()
            try await reading.value
        }
    }
}
