import KafkaBridge
import Logging
import TestSupport
import Testing

@Suite(.timeLimit(.minutes(1)))
struct KafkaBrokerOutageTests {
    @Test func sendBuffersWhileTheBrokerIsDownAndDeliversWhenItReturns() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            try cluster.createTopic("outage", partitions: 1)
            let logs = LogRecorder()
            let configuration = KafkaTestSupport.configuration(for: cluster, clientID: "outage")
            let producer = try KafkaProducer(configuration: configuration, logger: logs.logger(label: "producer"))
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: "outage", topics: ["outage"], startAt: .earliest,
                logger: logs.logger(label: "consumer")
            )
            let services = RunningServices([producer, consumer])
            let received = ReceivedMessages()
            let reading = received.collect(from: consumer, as: "consumer")
            var reports = producer.deliveryReports.makeAsyncIterator()

            // Warm up: one message delivered while the broker is up.
            let warmUp = try producer.send(KafkaProducerMessage(topic: "outage", value: "before".bytes))
            let warmUpReport = try #require(await reports.next())
            #expect(warmUpReport.id == warmUp)
            #expect(try warmUpReport.result.get().offset == 0)

            // Down: wait until the producer reports that no broker is reachable.
            try cluster.setBrokerDown(1)
            _ = await logs.records.first { record in
                record.metadata["kafka.error_code"] == "\(KafkaError.Code.allBrokersDown)" && record.level == .warning
            }

            // `send` keeps accepting into the bounded buffer; nothing can be delivered while the broker is down.
            var buffered: [KafkaMessageID] = []
            for index in 0..<25 {
                buffered.append(
                    try producer.send(KafkaProducerMessage(topic: "outage", value: "during-\(index)".bytes)))
            }
            #expect(producer.pendingMessageCount >= 25)

            // Up: every buffered message is delivered (none failed) and consumed, in order.
            try cluster.setBrokerUp(1)
            var delivered: [KafkaMessageID: Int64] = [:]
            while delivered.count < buffered.count, let report = await reports.next() {
                delivered[report.id] = try report.result.get().offset
            }
            #expect(Set(delivered.keys) == Set(buffered))
            #expect(buffered.map { delivered[$0] } == (1...25).map { Int64($0) })

            try await KafkaTestSupport.waitUntil { await received.count >= 26 }
            let values = await received.messages(of: "consumer").map(\.value.text)
            #expect(values == ["before"] + (0..<25).map { "during-\($0)" })

            try await services.stop()
            try await reading.value
        }
    }

    @Test func sendThrowsQueueFullOnceTheBoundedBufferIsFull() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            try cluster.createTopic("bounded", partitions: 1)
            try cluster.setBrokerDown(1)
            var configuration = KafkaTestSupport.configuration(for: cluster, clientID: "bounded")
            configuration.producerQueueMaxMessages = 5
            let producer = try KafkaProducer(
                configuration: configuration, logger: LogRecorder().logger(label: "producer"))

            // The broker is down from the start, so nothing leaves the buffer: exactly 5 fit.
            for index in 0..<5 {
                try producer.send(KafkaProducerMessage(topic: "bounded", value: "m\(index)".bytes))
            }
            let error = #expect(throws: KafkaError.self) {
                try producer.send(KafkaProducerMessage(topic: "bounded", value: "one too many".bytes))
            }
            #expect(error?.code == .queueFull)
            #expect(error?.isRetriable == true)
            #expect(error?.isFatal == false)
            #expect(producer.pendingMessageCount >= 5)
        }
    }

    /// Issue 9: broker errors injected with the mock cluster. Retriable errors on produce and fetch are retried and
    /// every message still arrives once; a permanent error fails only the messages it hits, reported and counted,
    /// and the producer goes on; nothing crashes and the buffer stays within its bound.
    @Test func injectedBrokerErrorsAreRetriedOrReportedWithoutCrashing() async throws {
        try await KafkaTestSupport.withMockCluster { cluster in
            try cluster.createTopic("faults", partitions: 1)
            let logs = LogRecorder()
            var configuration = KafkaTestSupport.configuration(for: cluster, clientID: "faults")
            configuration.producerQueueMaxMessages = 100
            let producer = try KafkaProducer(configuration: configuration, logger: logs.logger(label: "producer"))
            let consumer = try KafkaConsumer(
                configuration: configuration, groupID: "faults", topics: ["faults"], startAt: .earliest, logger: logs.logger(label: "consumer"))
            let services = RunningServices([producer, consumer])
            let received = ReceivedMessages()
            let reading = received.collect(from: consumer, as: "consumer")
            var reports = producer.deliveryReports.makeAsyncIterator()

            // Retriable errors (and a dropped connection) on produce and fetch: retried, delivered, consumed once.
            cluster.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .disconnect, .notLeaderForPartition])
            cluster.pushRequestErrors(.fetch, [.notLeaderForPartition, .requestTimedOut, .disconnect])
            var sent: [KafkaMessageID] = []
            for index in 0..<20 { sent.append(try producer.send(KafkaProducerMessage(topic: "faults", value: "retried-\(index)".bytes))) }
            #expect(producer.pendingMessageCount <= configuration.producerQueueMaxMessages)
            var delivered = 0
            while delivered < sent.count, let report = await reports.next() {
                if case .success = report.result { delivered += 1 } else { Issue.record("a retriable error failed a delivery: \(report)") }
            }
            try await KafkaTestSupport.waitUntil { await received.count >= 20 }
            #expect(await received.messages(of: "consumer").map(\.value.text) == (0..<20).map { "retried-\($0)" })

            // A permanent error fails the message it hits; the next messages are delivered.
            cluster.pushRequestErrors(.produce, [.messageTooLarge])
            let refused = try producer.send(KafkaProducerMessage(topic: "faults", value: "refused".bytes))
            let refusedReport = try #require(await reports.next())
            #expect(refusedReport.id == refused)
            if case .success = refusedReport.result { Issue.record("a permanent broker error was reported as delivered") }
            let after = try producer.send(KafkaProducerMessage(topic: "faults", value: "after".bytes))
            let afterReport = try #require(await reports.next())
            #expect(afterReport.id == after)
            #expect((try? afterReport.result.get()) != nil)

            // A refused topic: its messages fail (reported, or refused by send with a KafkaError), nothing crashes.
            try cluster.createTopic("forbidden", partitions: 1)
            cluster.pushRequestErrors(.produce, [.topicAuthorizationFailed, .topicAuthorizationFailed, .topicAuthorizationFailed])
            var outcomes = 0
            for index in 0..<3 {
                do {
                    _ = try producer.send(KafkaProducerMessage(topic: "forbidden", value: "x\(index)".bytes))
                    if let report = await reports.next(), case .failure = report.result { outcomes += 1 }
                } catch is KafkaError {
                    outcomes += 1
                }
            }
            #expect(outcomes >= 1)

            try await services.stop()
            try await reading.value
        }
    }
}
