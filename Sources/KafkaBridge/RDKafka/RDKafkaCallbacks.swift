import CRdKafka

// librdkafka's C callbacks. Each is a top-level function (no captures, so Swift can pass it as a C function pointer)
// whose signature matches the C typedef exactly, and finds its ``RDKafkaClientContext`` through the configuration
// opaque (`rd_kafka_conf_set_opaque`), unretained: the context outlives the handle (see RDKafkaClientContext).

/// The context behind a configuration opaque, or `nil` if none was set.
private func context(from opaque: UnsafeMutableRawPointer?) -> RDKafkaClientContext? {
    guard let opaque else { return nil }
    return Unmanaged<RDKafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
}

/// `dr_msg_cb`: one call per produced message, inside `rd_kafka_poll` / `rd_kafka_flush`.
func deliveryReportCallback(
    _ kafkaHandle: OpaquePointer?,
    _ message: UnsafePointer<rd_kafka_message_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let context = context(from: opaque), let message else { return }
    let id = KafkaMessageID(rawValue: UInt64(UInt(bitPattern: message.pointee._private)))
    let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    let result: Result<KafkaMessagePosition, KafkaError>
    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        result = .success(KafkaMessagePosition(partition: message.pointee.partition, offset: message.pointee.offset))
    } else {
        result = .failure(.rdKafka(message.pointee.err))
    }
    context.deliver(KafkaDeliveryReport(id: id, topic: topic, result: result))
}

/// `stats_cb`: the statistics JSON every `statistics.interval.ms`, inside `rd_kafka_poll`. Returns 0 so librdkafka
/// frees the buffer.
func statisticsCallback(
    _ kafkaHandle: OpaquePointer?,
    _ json: UnsafeMutablePointer<CChar>?,
    _ length: Int,
    _ opaque: UnsafeMutableRawPointer?
) -> Int32 {
    guard let context = context(from: opaque), let json else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: json, count: length)
    context.statistics(json: String(decoding: bytes, as: UTF8.self))
    return 0
}

/// `error_cb`: client-level errors (all brokers down, transport, fatal), inside `rd_kafka_poll`.
func errorCallback(
    _ kafkaHandle: OpaquePointer?,
    _ code: Int32,
    _ reason: UnsafePointer<CChar>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let context = context(from: opaque) else { return }
    var error = KafkaError.rdKafka(rd_kafka_resp_err_t(rawValue: code), reason.map { String(cString: $0) })
    if error.code == .fatal, let kafkaHandle {
        // The underlying cause of a fatal error is kept by the handle, not passed to the callback.
        var buffer = [CChar](repeating: 0, count: 512)
        let underlying = buffer.withUnsafeMutableBufferPointer {
            rd_kafka_fatal_error(kafkaHandle, $0.baseAddress, $0.count)
        }
        let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        error.message += " (\(KafkaError.Code(underlying)): \(text))"
    }
    context.error(error)
}

/// `log_cb`: librdkafka's logs, inside `rd_kafka_poll` because `log.queue=true` routes them to the main queue.
/// The callback has no opaque parameter; the handle's opaque is the context.
func logCallback(
    _ kafkaHandle: OpaquePointer?,
    _ level: Int32,
    _ facility: UnsafePointer<CChar>?,
    _ message: UnsafePointer<CChar>?
) {
    guard let kafkaHandle, let context = context(from: rd_kafka_opaque(kafkaHandle)) else { return }
    context.log(
        level: level,
        facility: facility.map { String(cString: $0) } ?? "",
        message: message.map { String(cString: $0) } ?? ""
    )
}

/// `rebalance_cb`: group assignment changes, inside `rd_kafka_consumer_poll` / `rd_kafka_consumer_close`.
func rebalanceCallback(
    _ kafkaHandle: OpaquePointer?,
    _ error: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
    _ opaque: UnsafeMutableRawPointer?
) {
    guard let kafkaHandle, let context = context(from: opaque) else { return }
    context.rebalance(kafkaHandle: kafkaHandle, error: error, partitions: partitions)
}
