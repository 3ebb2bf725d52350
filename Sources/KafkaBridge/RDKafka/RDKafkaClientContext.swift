import CRdKafka
import Logging
import NIOConcurrencyHelpers

/// The target of librdkafka's C callbacks for one client: it turns delivery reports, statistics, errors, logs and
/// rebalances into Swift state.
///
/// Lifetime: ``RDKafkaClient`` registers it with `rd_kafka_conf_set_opaque(Unmanaged.passUnretained(self))` and keeps
/// the only strong reference as a stored property. The client's `deinit` calls `rd_kafka_destroy` (which joins every
/// librdkafka thread) before its stored properties are released, so no callback can run after this object is freed.
///
/// Threads: callbacks run inside `rd_kafka_poll`, `rd_kafka_consumer_poll`, `rd_kafka_flush` and
/// `rd_kafka_consumer_close`, on whichever thread makes those calls; all mutable state is behind locks.
final class RDKafkaClientContext: Sendable {
    /// Where librdkafka's logs and errors go.
    let logger: Logger
    /// Producer only: where delivery reports go (bounded, drops oldest).
    private let deliveryReports: AsyncStream<KafkaDeliveryReport>.Continuation?
    /// Producer only: delivery reports dropped because the stream's buffer was full.
    private let droppedReports = NIOLockedValueBox(0)
    /// Consumer only: lag per topic from the latest statistics.
    private let lag = NIOLockedValueBox<[String: Int64]>([:])
    /// Consumer only: the partitions currently assigned by the group.
    private let assigned = NIOLockedValueBox<Set<KafkaTopicPartition>>([])

    /// Creates a context; `deliveryReports` is given for producers only.
    init(logger: Logger, deliveryReports: AsyncStream<KafkaDeliveryReport>.Continuation? = nil) {
        self.logger = logger
        self.deliveryReports = deliveryReports
    }

    // MARK: Reading state

    /// The lag per topic from the latest statistics (empty until the first).
    var consumerLag: [String: Int64] { self.lag.withLockedValue { $0 } }
    /// The partitions currently assigned to this consumer.
    var assignment: Set<KafkaTopicPartition> { self.assigned.withLockedValue { $0 } }
    /// Delivery reports dropped so far because nobody read them.
    var droppedDeliveryReports: Int { self.droppedReports.withLockedValue { $0 } }

    // MARK: Callback handlers

    /// A delivery report (from `dr_msg_cb`).
    func deliver(_ report: KafkaDeliveryReport) {
        guard let deliveryReports else { return }
        if case .dropped = deliveryReports.yield(report) {
            self.droppedReports.withLockedValue { $0 += 1 }
        }
        if case .failure(let error) = report.result {
            // Debug only: the failure is in the report, and the reader decides how loudly to log it.
            self.logger.debug(
                "Kafka message not delivered",
                metadata: [
                    "kafka.topic": "\(report.topic)", "kafka.message_id": "\(report.id)", "kafka.error": "\(error)",
                ]
            )
        }
    }

    /// A statistics JSON document (from `stats_cb`).
    func statistics(json: String) {
        do {
            let lag = try ConsumerLagStatistics(json: json).lagByTopic
            self.lag.withLockedValue { $0 = lag }
        } catch {
            self.logger.debug("Kafka statistics not readable", metadata: ["error": "\(error)"])
        }
    }

    /// A client-level error (from `error_cb`): librdkafka recovers from all but fatal ones by itself.
    func error(_ error: KafkaError) {
        let metadata: Logger.Metadata = ["kafka.error_code": "\(error.code)", "kafka.error": "\(error.message)"]
        if error.isFatal {
            self.logger.error("Kafka client fatal error", metadata: metadata)
        } else {
            self.logger.warning("Kafka client error", metadata: metadata)
        }
    }

    /// A log line (from `log_cb`, served from the main queue because `log.queue=true`); syslog levels mapped to
    /// swift-log levels.
    func log(level: Int32, facility: String, message: String) {
        let logLevel: Logger.Level =
            switch level {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5: .notice
            case 6: .info
            default: .debug
            }
        self.logger.log(level: logLevel, "\(message)", metadata: ["kafka.facility": "\(facility)"])
    }

    /// A group rebalance (from `rebalance_cb`, inside `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`): applies
    /// the new assignment, as librdkafka requires before the callback returns, and records it.
    func rebalance(
        kafkaHandle: OpaquePointer, error: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
    ) {
        let list = partitions.map(Self.topicPartitions(in:)) ?? []
        let cooperative = rd_kafka_rebalance_protocol(kafkaHandle).map { String(cString: $0) } == "COOPERATIVE"
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                self.check(rd_kafka_incremental_assign(kafkaHandle, partitions), "incremental assign")
                self.assigned.withLockedValue { $0.formUnion(list) }
            } else {
                self.check(rd_kafka_assign(kafkaHandle, partitions), "assign")
                self.assigned.withLockedValue { $0 = Set(list) }
            }
            self.logger.info("Kafka partitions assigned", metadata: ["kafka.partitions": "\(list.sorted())"])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            if cooperative {
                self.check(rd_kafka_incremental_unassign(kafkaHandle, partitions), "incremental unassign")
                self.assigned.withLockedValue { $0.subtract(list) }
            } else {
                self.check(rd_kafka_assign(kafkaHandle, nil), "unassign")
                self.assigned.withLockedValue { $0 = [] }
            }
            self.logger.info("Kafka partitions revoked", metadata: ["kafka.partitions": "\(list.sorted())"])
        default:
            self.logger.warning(
                "Kafka rebalance failed; unassigning everything",
                metadata: ["kafka.error": "\(String(cString: rd_kafka_err2str(error)))"]
            )
            self.check(rd_kafka_assign(kafkaHandle, nil), "unassign")
            self.assigned.withLockedValue { $0 = [] }
        }
    }

    // MARK: Helpers

    private func check(_ result: rd_kafka_resp_err_t, _ operation: String) {
        guard result != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        self.logger.warning(
            "Kafka \(operation) failed", metadata: ["kafka.error": "\(String(cString: rd_kafka_err2str(result)))"]
        )
    }

    private func check(_ error: OpaquePointer?, _ operation: String) {
        guard let error else { return }
        let wrapped = KafkaError.consuming(error)
        self.logger.warning("Kafka \(operation) failed", metadata: ["kafka.error": "\(wrapped)"])
    }

    private static func topicPartitions(
        in list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) -> [KafkaTopicPartition] {
        let count = Int(list.pointee.cnt)
        guard count > 0, let elements = list.pointee.elems else { return [] }
        return (0..<count).map { index in
            KafkaTopicPartition(topic: String(cString: elements[index].topic), partition: elements[index].partition)
        }
    }
}
