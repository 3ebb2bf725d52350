import CRdKafka

/// librdkafka's in-process mock cluster: brokers speaking the real Kafka protocol on loopback sockets, for tests and
/// for local multi-instance demos (other processes can connect to ``bootstrapServers`` too).
///
/// Topics are not created by admin requests: create them with ``createTopic(_:partitions:replicationFactor:)`` (or
/// rely on the auto-creation that consumers with `allow.auto.create.topics=true` request).
///
/// Teardown order: `deinit` destroys the cluster (`rd_kafka_mock_cluster_destroy`), then the producer handle that
/// hosts it. Clients connected to it should be shut down first; otherwise they keep reconnecting and logging
/// transport errors until they are.
public final class KafkaMockCluster: Sendable {
    /// The producer handle the cluster runs on (used only for its threads and logging).
    private let handle: SendableOpaquePointer
    /// The cluster (`rd_kafka_mock_cluster_t`, thread-safe: every call is an operation on its own thread).
    private let cluster: SendableOpaquePointer

    /// `bootstrap.servers` for clients of this cluster, e.g. `"127.0.0.1:39041,127.0.0.1:41977"`.
    public let bootstrapServers: String

    /// Starts a cluster with `brokers` brokers (ids `1...brokers`).
    ///
    /// - Throws: ``KafkaError`` if the hosting handle or the cluster cannot be created.
    public init(brokers: Int = 1) throws {
        guard let configuration = rd_kafka_conf_new() else { throw KafkaError(.fail, "rd_kafka_conf_new failed") }
        var errorText = [CChar](repeating: 0, count: 512)
        // The hosting handle is never used as a client: only errors of the cluster itself are worth printing.
        _ = rd_kafka_conf_set(configuration, "log_level", "3", &errorText, errorText.count)
        errorText = [CChar](repeating: 0, count: 512)
        let created = errorText.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_new(RD_KAFKA_PRODUCER, configuration, buffer.baseAddress, buffer.count)
        }
        guard let created else {
            rd_kafka_conf_destroy(configuration)
            let text = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw KafkaError(.fail, "mock cluster handle: \(text)")
        }
        guard let cluster = rd_kafka_mock_cluster_new(created, Int32(clamping: brokers)) else {
            rd_kafka_destroy(created)
            throw KafkaError(.fail, "rd_kafka_mock_cluster_new(\(brokers)) failed")
        }
        self.handle = SendableOpaquePointer(created)
        self.cluster = SendableOpaquePointer(cluster)
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(self.cluster.pointer)
        rd_kafka_destroy(self.handle.pointer)
    }

    /// Creates `name` with `partitions` partitions (`rd_kafka_mock_topic_create`). Returns once the cluster's thread
    /// has applied it (a short wait on that thread, not on the network).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 1) throws {
        try self.check(
            rd_kafka_mock_topic_create(self.cluster.pointer, name, partitions, replicationFactor),
            "create topic \(name)")
    }

    /// Disconnects broker `id` and refuses new connections (`rd_kafka_mock_broker_set_down`); leadership does not
    /// move, so with one broker nothing can be produced or fetched until ``setBrokerUp(_:)``.
    public func setBrokerDown(_ id: Int32) throws {
        try self.check(rd_kafka_mock_broker_set_down(self.cluster.pointer, id), "set broker \(id) down")
    }

    /// Lets broker `id` accept connections again (`rd_kafka_mock_broker_set_up`).
    public func setBrokerUp(_ id: Int32) throws {
        try self.check(rd_kafka_mock_broker_set_up(self.cluster.pointer, id), "set broker \(id) up")
    }

    /// A request type of the Kafka protocol whose answers can be made to fail.
    public enum MockRequest: Int16, Sendable {
        case produce = 0
        case fetch = 1
        case metadata = 3
    }

    /// An error a mock broker answers with.
    public enum MockError: Sendable {
        /// Retriable: the client refreshes metadata and retries.
        case notLeaderForPartition
        /// Retriable.
        case requestTimedOut
        /// The broker drops the connection.
        case disconnect
        /// Permanent for the message: its delivery fails.
        case messageTooLarge
        /// Permanent: the client is not allowed on the topic.
        case topicAuthorizationFailed

        var code: rd_kafka_resp_err_t {
            switch self {
            case .notLeaderForPartition: RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION
            case .requestTimedOut: RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
            case .disconnect: RD_KAFKA_RESP_ERR__TRANSPORT
            case .messageTooLarge: RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
            case .topicAuthorizationFailed: RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED
            }
        }
    }

    /// Makes the next requests of type `request` (to any broker) fail with `errors`, one per request, in order
    /// (`rd_kafka_mock_push_request_errors_array`): fault injection for tests of the clients' error handling.
    public func pushRequestErrors(_ request: MockRequest, _ errors: [MockError]) {
        let codes = errors.map(\.code)
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(self.cluster.pointer, request.rawValue, buffer.count, buffer.baseAddress)
        }
    }

    private func check(_ result: rd_kafka_resp_err_t, _ operation: String) throws {
        guard result != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        throw KafkaError.rdKafka(result, "mock cluster: \(operation): \(String(cString: rd_kafka_err2str(result)))")
    }
}
