/// Why a store operation failed. `description` is safe to show a user: it never contains SQL, bound values or
/// connection strings (the underlying driver error is logged by the store, not carried here).
public struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration = "invalid_configuration"
            case invalidValue = "invalid_value"
            case notFound = "not_found"
            case closed
            case unavailable
            case corruptRow = "corrupt_row"
            case migrationFailed = "migration_failed"
            case queryFailed = "query_failed"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A database URL or path that cannot be used.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A value that cannot be stored (e.g. a NaN price).
        public static let invalidValue = Code(.invalidValue)
        /// The row to update does not exist.
        public static let notFound = Code(.notFound)
        /// The store has shut down (`run()` returned).
        public static let closed = Code(.closed)
        /// The database could not be opened or reached.
        public static let unavailable = Code(.unavailable)
        /// A stored row could not be decoded (wrong type, unknown enum value).
        public static let corruptRow = Code(.corruptRow)
        /// A schema migration failed; the schema is left at the last applied version.
        public static let migrationFailed = Code(.migrationFailed)
        /// A statement failed (constraint violation, lost connection, ...).
        public static let queryFailed = Code(.queryFailed)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// Message safe to show a user.
    public var message: String
    /// Where the error was created.
    public var file: String
    /// Where the error was created.
    public var line: Int

    /// Creates an error at the call site.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { self.message }

    public static func == (lhs: StorageError, rhs: StorageError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}
