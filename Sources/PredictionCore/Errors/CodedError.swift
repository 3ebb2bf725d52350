/// The one shape of StockCast's own errors: a code from a closed, documented set per domain (`model_not_found`,
/// `queue_full`, …), a message safe to show a user, and where the error was created. Each domain is an empty enum;
/// `RegistryError`, `PipelineError`, `ForecastError` and `StorageError` are this type specialised to theirs, and
/// their codes are statics in an `ErrorCode` extension constrained to the domain.
public struct CodedError<Domain>: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public typealias Code = ErrorCode<Domain>

    /// The kind of failure.
    public var code: Code
    /// Message safe to show a user.
    public var message: String
    /// Where the error was created.
    public var file: String
    /// Line where the error was created.
    public var line: Int

    /// Creates an error at the call site.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { self.message }

    /// Equal when code and message are (not where they were created).
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.message == rhs.message }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}

/// A code of error domain `Domain`; `description` is its snake_case name (the `code` field of API errors).
public struct ErrorCode<Domain>: Hashable, Sendable, CustomStringConvertible {
    /// The snake_case name.
    public let name: String

    /// A code named `name`; domains declare theirs as statics.
    public init(_ name: String) {
        self.name = name
    }

    public var description: String { self.name }
}
