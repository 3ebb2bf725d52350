import CRdKafka

extension KafkaError {
    /// librdkafka's error code (`rd_kafka_resp_err_t`): negative values are local to the client, positive ones come
    /// from the broker protocol. Any value is representable; the common ones have names.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The `rd_kafka_resp_err_t` value.
        public let rawValue: Int32

        /// Wraps a raw `rd_kafka_resp_err_t` value.
        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        init(_ error: rd_kafka_resp_err_t) {
            self.rawValue = error.rawValue
        }

        /// Success (only seen inside this module).
        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        /// The producer's bounded buffer (`queue.buffering.max.messages`) is full (`_QUEUE_FULL`). Retriable.
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// No broker is reachable (`_ALL_BROKERS_DOWN`); librdkafka keeps reconnecting.
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        /// A broker connection failed (`_TRANSPORT`); librdkafka reconnects.
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        /// A message was not delivered within `message.timeout.ms` (`_MSG_TIMED_OUT`).
        public static let msgTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// The broker does not know the topic or partition (`UNKNOWN_TOPIC_OR_PART`).
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// The topic is unknown to the cluster (local, `_UNKNOWN_TOPIC`).
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// The partition is unknown to the cluster (local, `_UNKNOWN_PARTITION`).
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        /// The message is larger than `message.max.bytes` (`MSG_SIZE_TOO_LARGE`).
        public static let msgSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// An invalid argument or configuration value (`_INVALID_ARG`).
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// The call is not valid in the client's current state, e.g. `send` after shutdown (`_STATE`).
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        /// A local operation timed out (`_TIMED_OUT`), e.g. the shutdown flush.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// A fatal error was raised; the client must be recreated (`_FATAL`).
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// Generic local failure (`_FAIL`), e.g. the mock cluster could not be created.
        public static let fail = Code(RD_KAFKA_RESP_ERR__FAIL)

        /// librdkafka's name for the code, e.g. `_QUEUE_FULL`.
        public var description: String {
            String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: self.rawValue)))
        }
    }
}

extension KafkaError {
    /// Wraps a code reported by librdkafka, with librdkafka's text for it unless `message` is given.
    static func rdKafka(
        _ code: rd_kafka_resp_err_t, _ message: String? = nil, file: String = #fileID, line: Int = #line
    ) -> KafkaError {
        let text = message ?? String(cString: rd_kafka_err2str(code))
        let wrapped = Code(code)
        return KafkaError(
            wrapped, text, isFatal: wrapped == .fatal,
            isRetriable: wrapped == .queueFull || wrapped == .timedOut, file: file, line: line
        )
    }

    /// Takes ownership of an `rd_kafka_error_t` (from `rd_kafka_produceva` and friends), copies its code, text and
    /// flags, and destroys it.
    static func consuming(_ error: OpaquePointer, file: String = #fileID, line: Int = #line) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let code = Code(rd_kafka_error_code(error))
        return KafkaError(
            code,
            String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            // librdkafka does not flag a full queue as retriable, but retrying once reports drain is the remedy.
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || code == .queueFull,
            file: file, line: line
        )
    }
}
