/// An error from librdkafka or from this module's own state checks.
///
/// ``code`` is librdkafka's `rd_kafka_resp_err_t` (see ``Code`` for the named ones); ``message`` is librdkafka's
/// text for the error (or ours), safe to log and to show an operator.
public struct KafkaError: Error, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// librdkafka's error code.
    public var code: Code
    /// What went wrong.
    public var message: String
    /// The client cannot continue (librdkafka raised a fatal error); it has to be recreated.
    public var isFatal: Bool
    /// Repeating the operation may succeed (for example after ``Code/queueFull`` once reports drain).
    public var isRetriable: Bool
    /// Where the error was created.
    public var file: String
    /// Line where the error was created.
    public var line: Int

    /// Creates an error at the call site.
    public init(
        _ code: Code, _ message: String, isFatal: Bool = false, isRetriable: Bool = false,
        file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.file = file
        self.line = line
    }

    public var description: String { "\(self.message) (\(self.code))" }

    public var debugDescription: String {
        "KafkaError(code: \(self.code), message: \(self.message), fatal: \(self.isFatal), "
            + "retriable: \(self.isRetriable), at: \(self.file):\(self.line))"
    }

    public static func == (lhs: KafkaError, rhs: KafkaError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.isFatal == rhs.isFatal
            && lhs.isRetriable == rhs.isRetriable
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}
