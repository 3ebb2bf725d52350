import CRdKafka
import Dispatch
import NIOConcurrencyHelpers

/// One librdkafka client handle (`rd_kafka_t`) with its callback context: the only place that calls librdkafka's
/// client API.
///
/// Teardown order: `deinit` calls `rd_kafka_destroy_flags`, which stops and joins every librdkafka thread, and only
/// then are the stored properties (``context``, the target of the C callbacks) released. A consumer is destroyed with
/// `RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`, because ``KafkaConsumer/run()`` has already closed it (leaving the group);
/// the implicit close would otherwise wait for the group coordinator inside `deinit`.
///
/// Thread safety: librdkafka documents `rd_kafka_t` as thread-safe. The one exception, polling the consumer queue
/// while `rd_kafka_consumer_close` runs, is excluded by ``KafkaConsumer``'s state machine.
final class RDKafkaClient: Sendable {
    /// Producer or consumer.
    enum Kind: Sendable {
        case producer
        case consumer
    }

    /// The outcome of one consumer poll that returned something.
    enum ConsumerPollResult: Sendable {
        case message(KafkaConsumerMessage)
        case error(KafkaError)
    }

    let kind: Kind
    /// The C handle; destroyed in `deinit`, before ``context`` is released.
    private let handle: SendableOpaquePointer
    /// The target of the C callbacks; must outlive `handle` (see the type's documentation).
    let context: RDKafkaClientContext
    /// Set when a consumer close timed out: the handle is then never destroyed (see `consumerClose(timeout:)`).
    private let abandoned = NIOLockedValueBox(false)

    /// Creates the handle.
    ///
    /// - Parameters:
    ///   - kind: Producer or consumer.
    ///   - properties: librdkafka properties, applied in order (later ones win).
    ///   - context: Receives the callbacks; kept alive by this client.
    /// - Throws: ``KafkaError`` with ``KafkaError/Code/invalidArgument`` if a property is rejected or
    ///   `rd_kafka_new` fails.
    init(kind: Kind, properties: [(key: String, value: String)], context: RDKafkaClientContext) throws {
        guard let configuration = rd_kafka_conf_new() else {
            throw KafkaError(.fail, "rd_kafka_conf_new failed")
        }
        do {
            for property in properties {
                try Self.set(property.key, property.value, on: configuration)
            }
            // Logs are queued and served by `poll()` on our own thread instead of librdkafka's threads.
            try Self.set("log.queue", "true", on: configuration)
        } catch {
            rd_kafka_conf_destroy(configuration)
            throw error
        }

        rd_kafka_conf_set_opaque(configuration, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(configuration, logCallback)
        rd_kafka_conf_set_error_cb(configuration, errorCallback)
        switch kind {
        case .producer:
            rd_kafka_conf_set_dr_msg_cb(configuration, deliveryReportCallback)
        case .consumer:
            rd_kafka_conf_set_rebalance_cb(configuration, rebalanceCallback)
            rd_kafka_conf_set_stats_cb(configuration, statisticsCallback)
        }

        var errorText = [CChar](repeating: 0, count: 512)
        let created = errorText.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_new(
                kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, configuration, buffer.baseAddress,
                buffer.count)
        }
        guard let created else {
            // rd_kafka_new takes ownership of the configuration only on success.
            rd_kafka_conf_destroy(configuration)
            throw KafkaError(.invalidArgument, Self.string(errorText))
        }
        // NULL: forward logs to the main queue, which `poll()` serves.
        rd_kafka_set_log_queue(created, nil)

        self.kind = kind
        self.handle = SendableOpaquePointer(created)
        self.context = context
    }

    deinit {
        if self.abandoned.withLockedValue({ $0 }) {
            // A close is still blocked inside librdkafka on this handle: keep the handle and the callback target
            // alive for the rest of the process (see `consumerClose(timeout:)`).
            _ = Unmanaged.passRetained(self.context)
            return
        }
        let flags = self.kind == .consumer ? RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE : 0
        rd_kafka_destroy_flags(self.handle.pointer, flags)
    }

    // MARK: Both kinds

    /// Serves queued callbacks (delivery reports, statistics, errors, logs) without waiting: `rd_kafka_poll(rk, 0)`.
    ///
    /// - Returns: How many events were served.
    @discardableResult
    func poll() -> Int {
        Int(rd_kafka_poll(self.handle.pointer, 0))
    }

    // MARK: Producer

    /// Hands a message to librdkafka (`rd_kafka_produceva` with `RD_KAFKA_MSG_F_COPY`, so key and value are copied
    /// before it returns). Never blocks: a full buffer is reported as ``KafkaError/Code/queueFull``.
    ///
    /// The error comes from `rd_kafka_produceva`'s return value, never from the thread-local `rd_kafka_last_error()`.
    func produce(_ message: KafkaProducerMessage, id: KafkaMessageID) throws {
        let error: OpaquePointer? = message.topic.withCString { topic in
            message.value.withUnsafeBytes { value in
                Self.withOptionalBytes(message.key) { key in
                    var arguments = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: key == nil ? 5 : 6)
                    arguments[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    arguments[0].u.cstr = topic
                    arguments[1].vtype = RD_KAFKA_VTYPE_PARTITION
                    arguments[1].u.i32 = message.partition ?? -1  // RD_KAFKA_PARTITION_UA: let the partitioner choose
                    arguments[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    arguments[2].u.i = RD_KAFKA_MSG_F_COPY
                    arguments[3].vtype = RD_KAFKA_VTYPE_VALUE
                    arguments[3].u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                    arguments[3].u.mem.size = value.count
                    arguments[4].vtype = RD_KAFKA_VTYPE_OPAQUE
                    arguments[4].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(id.rawValue))
                    if let key {
                        arguments[5].vtype = RD_KAFKA_VTYPE_KEY
                        arguments[5].u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                        arguments[5].u.mem.size = key.count
                    }
                    return rd_kafka_produceva(self.handle.pointer, arguments, arguments.count)
                }
            }
        }
        if let error {
            throw KafkaError.consuming(error)
        }
    }

    /// Messages and requests librdkafka has not finished with (`rd_kafka_outq_len`): buffered or in-flight messages
    /// plus delivery reports not yet served.
    var outQueueLength: Int {
        Int(rd_kafka_outq_len(self.handle.pointer))
    }

    /// Waits up to `timeout` for every buffered message to be delivered (`rd_kafka_flush`, which also serves the
    /// delivery reports), on ``BlockingCall/queue``.
    ///
    /// - Returns: How many messages or requests were still outstanding afterwards (0 when everything was delivered).
    func flush(timeout: Duration) async -> Int {
        // The closure keeps `self` (and so the handle) alive until the call returns.
        await BlockingCall.run { [self] in
            _ = rd_kafka_flush(self.handle.pointer, timeout.clampedMilliseconds)
            return self.outQueueLength
        }
    }

    // MARK: Consumer

    /// Subscribes to `topics` (`rd_kafka_subscribe`, which waits for librdkafka's main thread), on
    /// ``BlockingCall/queue``.
    func subscribe(topics: [String]) async throws {
        let code = await BlockingCall.run { [self] in
            guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: topics.count)) else {
                return KafkaError.Code.fail
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for topic in topics {
                rd_kafka_topic_partition_list_add(list, topic, -1)  // RD_KAFKA_PARTITION_UA
            }
            return KafkaError.Code(rd_kafka_subscribe(self.handle.pointer, list))
        }
        if code != .noError {
            throw KafkaError.rdKafka(
                rd_kafka_resp_err_t(rawValue: code.rawValue), "subscribe to \(topics) failed: \(code)")
        }
    }

    /// Polls the consumer queue once (`rd_kafka_consumer_poll`), which also runs the rebalance callback.
    ///
    /// - Parameter timeoutMilliseconds: 0 returns at once; more blocks the calling thread, so callers run it on a
    ///   dedicated executor.
    /// - Returns: A message, a consumer error, or `nil` if nothing arrived in time.
    func consumerPoll(timeoutMilliseconds: Int32) -> ConsumerPollResult? {
        guard let message = rd_kafka_consumer_poll(self.handle.pointer, timeoutMilliseconds) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        let fields = message.pointee
        if fields.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .error(.rdKafka(fields.err, String(cString: rd_kafka_message_errstr(message))))
        }
        let topic = fields.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let key = fields.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: fields.key_len)) }
        let value = fields.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: fields.len)) } ?? []
        return .message(
            KafkaConsumerMessage(
                topic: topic, partition: fields.partition, offset: fields.offset, key: key, value: value)
        )
    }

    /// Closes the consumer (`rd_kafka_consumer_close`): revokes the assignment through the rebalance callback,
    /// commits stored offsets and leaves the group. Blocks for up to about `session.timeout.ms`, so it runs on
    /// ``BlockingCall/queue``.
    ///
    /// - Important: No `consumerPoll` may run concurrently (``KafkaConsumer`` guarantees it).
    /// - Returns: `nil` on success, else the error librdkafka reported.
    ///
    /// Bounded: `rd_kafka_consumer_close` runs on ``BlockingCall/queue`` and this waits for it at most `timeout`.
    /// With the brokers unreachable the group coordinator never answers and the close would block forever; the
    /// client is then *abandoned*: `deinit` neither destroys the handle (the close is still running on it) nor lets
    /// the callback context go, so librdkafka's threads stay valid until the process exits (a server stopping).
    /// Returns `.timedOut` in that case.
    func consumerClose(timeout: Duration) async -> KafkaError? {
        enum Outcome: Sendable { case closed(KafkaError.Code), timedOut }
        let settled = NIOLockedValueBox(false)
        let outcome: Outcome = await withCheckedContinuation { continuation in
            let resumeOnce: @Sendable (Outcome) -> Void = { outcome in
                let first = settled.withLockedValue { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: outcome) }
            }
            BlockingCall.queue.async { [self] in
                resumeOnce(.closed(KafkaError.Code(rd_kafka_consumer_close(self.handle.pointer))))
            }
            Task {
                try? await Task.sleep(for: timeout)
                resumeOnce(.timedOut)
            }
        }
        switch outcome {
        case .closed(let code):
            return code == .noError ? nil : .rdKafka(rd_kafka_resp_err_t(rawValue: code.rawValue))
        case .timedOut:
            self.abandoned.withLockedValue { $0 = true }
            return KafkaError(.timedOut, "the consumer could not leave its group within \(timeout) (brokers unreachable?)")
        }
    }

    /// Drops every message still queued or in flight (`rd_kafka_purge`), so destroying a producer whose brokers are
    /// unreachable does not wait for them; their delivery reports fail with `_PURGE_QUEUE` / `_PURGE_INFLIGHT`.
    func purge() {
        _ = rd_kafka_purge(self.handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
    }

    // MARK: Helpers

    private static func set(_ key: String, _ value: String, on configuration: OpaquePointer) throws {
        var errorText = [CChar](repeating: 0, count: 512)
        let result = errorText.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_conf_set(configuration, key, value, buffer.baseAddress, buffer.count)
        }
        guard result == RD_KAFKA_CONF_OK else {
            throw KafkaError(.invalidArgument, "\(key)=\(value): \(Self.string(errorText))")
        }
    }

    private static func string(_ characters: [CChar]) -> String {
        characters.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    private static func withOptionalBytes<Result>(
        _ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        guard let bytes else { return body(nil) }
        return bytes.withUnsafeBytes { body($0) }
    }
}
