/// Why a provider could not deliver. `description` is safe to show a user.
public struct ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound = "not_found"
            case rateLimited = "rate_limited"
            case unavailable
            case truncated
            case malformed
            case unreadable
            case invalidSource = "invalid_source"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The symbol is unknown to the source, or it returned no rows.
        public static let notFound = Code(.notFound)
        /// HTTP 429 (retried after `retryAfterSeconds`).
        public static let rateLimited = Code(.rateLimited)
        /// Connection failure, timeout or HTTP 5xx (retried).
        public static let unavailable = Code(.unavailable)
        /// The body ended early (retried).
        public static let truncated = Code(.truncated)
        /// The body is not in the expected format (not retried).
        public static let malformed = Code(.malformed)
        /// A local file could not be read (not retried).
        public static let unreadable = Code(.unreadable)
        /// The source string is not `csv:FILE`, `yahoo` or `stooq`, or a CSV path is not allowed.
        public static let invalidSource = Code(.invalidSource)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// Message safe to show a user.
    public var message: String
    /// Seconds the source asked us to wait (HTTP `Retry-After`), when it said.
    public var retryAfterSeconds: Double?
    /// Where the error was created.
    public var file: String
    public var line: Int

    /// Creates an error at the call site.
    public init(_ code: Code, _ message: String, retryAfterSeconds: Double? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.file = file
        self.line = line
    }

    /// Whether retrying the same request later may succeed.
    public var isTransient: Bool {
        self.code == .rateLimited || self.code == .unavailable || self.code == .truncated
    }

    public var description: String { self.message }

    public static func == (lhs: ProviderError, rhs: ProviderError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.retryAfterSeconds == rhs.retryAfterSeconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}
