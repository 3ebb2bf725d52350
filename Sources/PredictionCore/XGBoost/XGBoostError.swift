/// Why libxgboost refused a request, or why we refused to hand it one. `message` is safe to show a user: it is our
/// own sentence, followed by XGBoost's `XGBGetLastError()` text (cut before its stack trace, at most 1,000 characters).
public struct XGBoostError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidInput = "invalid_input"
            case invalidParameter = "invalid_parameter"
            case malformedModel = "malformed_model"
            case unsupportedVersion = "unsupported_version"
            case libraryFailure = "library_failure"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The feature matrix or the targets are inconsistent (shape, non-finite targets, values beyond `Float`).
        public static let invalidInput = Code(.invalidInput)
        /// A hyper-parameter is out of the range the bridge accepts.
        public static let invalidParameter = Code(.invalidParameter)
        /// A model JSON could not be loaded, or is not a single-output regression model.
        public static let malformedModel = Code(.malformedModel)
        /// A model JSON was saved by an XGBoost release newer than the linked libxgboost, which could misread it.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A libxgboost call returned a non-zero status.
        public static let libraryFailure = Code(.libraryFailure)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// Message safe to show a user.
    public var message: String
    /// The libxgboost function that failed, when the failure came from the library.
    public var function: String?
    /// Where the error was created.
    public var file: String
    /// Line where the error was created.
    public var line: Int

    /// Creates an error at the call site.
    public init(_ code: Code, _ message: String, function: String? = nil, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.function = function
        self.file = file
        self.line = line
    }

    public var description: String { self.message }

    public static func == (lhs: XGBoostError, rhs: XGBoostError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.function == rhs.function
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
        hasher.combine(self.message)
    }
}
