/// Errors of the ETL pipeline that reach API clients. `description` is safe to show a user.
public struct PipelineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case runNotFound = "run_not_found"
            case notRetryable = "run_not_retryable"
            case shuttingDown = "shutting_down"
            case queueFull = "queue_full"
            case runNotLocal = "run_not_local"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No run with that id.
        public static let runNotFound = Code(.runNotFound)
        /// Only failed runs can be retried.
        public static let notRetryable = Code(.notRetryable)
        /// The server is stopping and takes no new runs.
        public static let shuttingDown = Code(.shuttingDown)
        /// The run is pending or running elsewhere (another instance), so this instance cannot wait for it.
        public static let runNotLocal = Code(.runNotLocal)
        /// The run queue is at its bound.
        public static let queueFull = Code(.queueFull)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// Message safe to show a user.
    public var message: String
    /// Where the error was created.
    public var file: String
    public var line: Int

    /// Creates an error at the call site.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { self.message }

    public static func == (lhs: PipelineError, rhs: PipelineError) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
