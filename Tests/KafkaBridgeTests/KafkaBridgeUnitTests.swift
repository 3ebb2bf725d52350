import Dispatch
import Testing

@testable import KafkaBridge

/// The parts that need no cluster: configuration mapping, error codes, statistics parsing and the consumer's state
/// machine.
@Suite struct KafkaBridgeUnitTests {
    @Test func producerPropertiesStateTheBoundsAndApplyAdditionalLast() {
        var configuration = KafkaConfiguration(bootstrapServers: "broker:9092", clientID: "unit")
        configuration.additional = ["queue.buffering.max.messages": "7", "linger.ms": "1"]
        let properties = configuration.producerProperties
        #expect(properties.first { $0.key == "message.timeout.ms" }?.value == "0")
        #expect(properties.first { $0.key == "queue.buffering.max.messages" }?.value == "10000")
        // The raw override comes after the typed value, so librdkafka ends up with it.
        #expect(properties.last { $0.key == "queue.buffering.max.messages" }?.value == "7")
        #expect(
            properties.firstIndex { $0.key == "linger.ms" }! > properties.firstIndex { $0.key == "bootstrap.servers" }!)

        configuration.messageTimeout = .seconds(30)
        #expect(configuration.producerProperties.first { $0.key == "message.timeout.ms" }?.value == "30000")
    }

    @Test func consumerPropertiesCommitAutomaticallyAndBoundTheFetchQueue() {
        var configuration = KafkaConfiguration(bootstrapServers: "broker:9092")
        configuration.statisticsInterval = nil
        let properties = Dictionary(
            configuration.consumerProperties(groupID: "g", startAt: .earliest).map { ($0.key, $0.value) }
        ) { $1 }
        #expect(properties["group.id"] == "g")
        #expect(properties["enable.auto.commit"] == "true")
        #expect(properties["auto.offset.reset"] == "earliest")
        #expect(properties["queued.max.messages.kbytes"] == "16384")
        #expect(properties["allow.auto.create.topics"] == "true")
        #expect(properties["statistics.interval.ms"] == "0")
        let latest = configuration.consumerProperties(groupID: "g", startAt: .latest)
        #expect(latest.first { $0.key == "auto.offset.reset" }?.value == "latest")
    }

    @Test func errorCodesCarryLibrdkafkaValuesAndNames() {
        #expect(KafkaError.Code.queueFull.rawValue == -184)
        #expect(KafkaError.Code.queueFull.description == "_QUEUE_FULL")
        #expect(KafkaError.Code.allBrokersDown.description == "_ALL_BROKERS_DOWN")
        #expect(KafkaError.Code.unknownTopicOrPartition.rawValue == 3)
        #expect(KafkaError.Code(rawValue: -184) == .queueFull)
        let error = KafkaError(.msgTimedOut, "Local: Message timed out")
        #expect(error.description == "Local: Message timed out (_MSG_TIMED_OUT)")
    }

    @Test func durationsBecomeClampedMilliseconds() {
        #expect(Duration.milliseconds(10).clampedMilliseconds == 10)
        #expect(Duration.microseconds(1_999).clampedMilliseconds == 1)
        #expect(Duration.seconds(-3).clampedMilliseconds == 0)
        #expect(Duration.seconds(Int64.max / 2).clampedMilliseconds == Int32.max)
    }

    @Test func lagSumsTheKnownCommittedLagOfEachPartition() throws {
        let json = """
            {"name": "c", "type": "consumer", "topics": {
              "prices": {"topic": "prices", "partitions": {
                "0": {"partition": 0, "consumer_lag": 10, "consumer_lag_stored": 4},
                "1": {"partition": 1, "consumer_lag": 3, "consumer_lag_stored": -1},
                "2": {"partition": 2, "consumer_lag": -1, "consumer_lag_stored": -1},
                "-1": {"partition": -1, "consumer_lag": 99, "consumer_lag_stored": 99}}},
              "quiet": {"topic": "quiet", "partitions": {
                "0": {"partition": 0, "consumer_lag": -1}}}}}
            """
        #expect(try ConsumerLagStatistics(json: json).lagByTopic == ["prices": 13])
        #expect(try ConsumerLagStatistics(json: #"{"name": "p", "type": "producer"}"#).lagByTopic.isEmpty)
        #expect(throws: (any Error).self) { try ConsumerLagStatistics(json: "not json") }
    }

    @Test func closeWaitsForInFlightPollsAndRefusesNewOnes() async {
        var machine = KafkaConsumer.StateMachine()
        let pollBeforeRun = machine.startPoll()  // polling before run() is allowed (nothing is subscribed yet)
        let firstRun = machine.startRunning()
        let secondRun = machine.startRunning()
        let pollWhileRunning = machine.startPoll()
        #expect(pollBeforeRun && firstRun && !secondRun && pollWhileRunning)
        #expect(machine.pollsInFlight == 2)

        machine.requestClose()
        #expect(machine.phase == .closing)
        let pollWhileClosing = machine.startPoll()
        #expect(!pollWhileClosing)
        #expect(machine.pollsInFlight == 2)

        // The closer has to wait; the last finishing poll hands it back.
        var resumedBy: Int?
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let proceed = machine.waitForPolls(waiter)
            #expect(!proceed)
            let notYet = machine.finishPoll()
            #expect(notYet == nil)
            let closer = machine.finishPoll()
            #expect(closer != nil)
            resumedBy = machine.pollsInFlight
            closer?.resume()
        }
        #expect(resumedBy == 0)
        machine.closed()
        #expect(machine.phase == .closed)
        let pollAfterClose = machine.startPoll()
        #expect(!pollAfterClose)
    }

    @Test func closeProceedsAtOnceWithoutPolls() async {
        var machine = KafkaConsumer.StateMachine()
        let started = machine.startRunning()
        #expect(started)
        machine.requestClose()
        machine.requestClose()  // idempotent
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let proceed = machine.waitForPolls(waiter)
            #expect(proceed)
            if proceed { waiter.resume() }
        }
        #expect(machine.phase == .closing)
    }

    /// The consumer's blocking poll is a synchronous closure run under `withTaskExecutorPreference`; it must execute
    /// on the executor's queue, not on a cooperative-pool thread. The same holds for ``BlockingCall``.
    @Test func blockingWorkRunsOnItsDispatchQueue() async {
        let queue = DispatchQueue(label: "KafkaBridgeTests.poll")
        let key = DispatchSpecificKey<String>()
        queue.setSpecific(key: key, value: "poll queue")
        let executor = DispatchQueueTaskExecutor(queue)
        let seenByPoll = await withTaskExecutorPreference(executor) { DispatchQueue.getSpecific(key: key) }
        #expect(seenByPoll == "poll queue")
        #expect(DispatchQueue.getSpecific(key: key) == nil)

        BlockingCall.queue.setSpecific(key: key, value: "blocking queue")
        let seenByBlockingCall = await BlockingCall.run { DispatchQueue.getSpecific(key: key) }
        #expect(seenByBlockingCall == "blocking queue")
    }
}
