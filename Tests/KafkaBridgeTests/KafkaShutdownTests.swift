import KafkaBridge
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct KafkaShutdownTests {
    /// Graceful shutdown of a producer and a consumer ends both `run()`s, ends the message sequence and the report
    /// stream, and the consumer leaves its group (librdkafka's `cgrp` debug log shows the LeaveGroup round trip)
    /// with its offsets committed (a successor in the group starts after them).
    @Test func gracefulShutdownFinishesAndTheConsumerLeavesItsGroup() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            try cluster.createTopic("shutdown", partitions: 2)
            let logs = LogRecorder()
            let configuration = KafkaTestSupport.configuration(for: cluster, clientID: "shutdown")
            var tracedConfiguration = configuration
            tracedConfiguration.additional["debug"] = "cgrp"
            let allPartitions: Set = [
                KafkaTopicPartition(topic: "shutdown", partition: 0),
                KafkaTopicPartition(topic: "shutdown", partition: 1),
            ]

            let producer = try KafkaProducer(configuration: configuration, logger: logs.logger(label: "producer"))
            let consumer = try KafkaConsumer(
                configuration: tracedConfiguration, groupID: "shutdown", topics: ["shutdown"], startAt: .earliest,
                logger: logs.logger(label: "consumer")
            )
            let services = RunningServices([producer, consumer])
            let received = ReceivedMessages()
            let reading = received.collect(from: consumer, as: "first")
            try await KafkaTestSupport.waitUntil { consumer.assignment() == allPartitions }
            try producer.send(KafkaProducerMessage(topic: "shutdown", value: "first".bytes))
            try await KafkaTestSupport.waitUntil { await received.count == 1 }

            try await services.stop()
            try await reading.value  // the message sequence ended
            #expect(consumer.assignment().isEmpty)
            for await _ in producer.deliveryReports {}  // the report stream finished
            let error = #expect(throws: KafkaError.self) {
                try producer.send(KafkaProducerMessage(topic: "shutdown", value: "late".bytes))
            }
            #expect(error?.code == .state)
            let leave = await logs.records.first { $0.metadata["kafka.facility"] == "LEAVEGROUP" }
            #expect(leave?.message.contains("LeaveGroup response received") == true, "\(String(describing: leave))")

            // A successor in the same group gets both partitions and starts after the committed "first".
            let successorProducer = try KafkaProducer(
                configuration: configuration, logger: logs.logger(label: "producer-2"))
            let successor = try KafkaConsumer(
                configuration: configuration, groupID: "shutdown", topics: ["shutdown"], startAt: .earliest,
                logger: logs.logger(label: "successor")
            )
            let successorServices = RunningServices([successorProducer, successor])
            let successorReading = received.collect(from: successor, as: "successor")
            try await KafkaTestSupport.waitUntil { successor.assignment() == allPartitions }
            try successorProducer.send(KafkaProducerMessage(topic: "shutdown", value: "second".bytes))
            try await KafkaTestSupport.waitUntil { await received.count == 2 }
            #expect(await received.messages(of: "successor").map(\.value.text) == ["second"])

            try await successorServices.stop()
            try await successorReading.value
        }
    }

    @Test func runTwiceThrowsStateError() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            let configuration = KafkaTestSupport.configuration(for: cluster, clientID: "twice")
            let producer = try KafkaProducer(
                configuration: configuration, logger: LogRecorder().logger(label: "producer"))
            let services = RunningServices([producer])
            // A delivery report is served only by a running `run()`; after it, a second `run()` is refused at once.
            try producer.send(KafkaProducerMessage(topic: "twice", value: "x".bytes))
            var reports = producer.deliveryReports.makeAsyncIterator()
            _ = await reports.next()
            let error = await #expect(throws: KafkaError.self) { try await producer.run() }
            #expect(error?.code == .state)
            try await services.stop()
        }
    }
}
