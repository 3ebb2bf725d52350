/// Errors of the model registry and the training supervisor that reach API clients; `description` is safe to show.
public struct RegistryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case modelNotFound = "model_not_found"
            case taskNotFound = "task_not_found"
            case notTrained = "model_not_trained"
            case conflict
            case gateFailed = "promotion_gate_failed"
            case noChampion = "no_champion"
            case invalidRequest = "invalid_request"
            case queueFull = "queue_full"
            case shuttingDown = "shutting_down"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No model with that id (404).
        public static let modelNotFound = Code(.modelNotFound)
        /// No task with that id (404, never "pending").
        public static let taskNotFound = Code(.taskNotFound)
        /// The model has no trained artifact yet (409).
        public static let notTrained = Code(.notTrained)
        /// The request conflicts with the current state (409): already training, already final, champion deletion.
        public static let conflict = Code(.conflict)
        /// The model does not pass the promotion gate (409, with the numbers).
        public static let gateFailed = Code(.gateFailed)
        /// No champion to predict with or roll back to (409).
        public static let noChampion = Code(.noChampion)
        /// The request is invalid for this model or data (422).
        public static let invalidRequest = Code(.invalidRequest)
        /// The task queue is at its bound (429).
        public static let queueFull = Code(.queueFull)
        /// The server is stopping (503).
        public static let shuttingDown = Code(.shuttingDown)

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

    public static func == (lhs: RegistryError, rhs: RegistryError) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
