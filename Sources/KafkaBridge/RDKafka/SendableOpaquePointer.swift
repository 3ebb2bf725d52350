/// An `OpaquePointer` to a librdkafka object that librdkafka documents as safe to use from any thread
/// (`rd_kafka_t`, `rd_kafka_mock_cluster_t`).
///
/// `@unchecked Sendable`: `OpaquePointer` is not `Sendable`; librdkafka's handles do their own locking, and each owner
/// (``RDKafkaClient``, ``KafkaMockCluster``) destroys its pointer only in `deinit`, when no other reference exists.
struct SendableOpaquePointer: @unchecked Sendable {
    /// The wrapped pointer.
    let pointer: OpaquePointer

    /// Wraps `pointer`.
    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }
}
