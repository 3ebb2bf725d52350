/// Why the fan-out benchmark could not run or finish. `message` names the option or the phase at fault.
struct BenchError: Error, CustomStringConvertible {
    /// The kind of failure.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case usage
            case setup
            case run
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A command-line option is missing or malformed (exit status 2).
        static let usage = Code(.usage)
        /// The harness could not start: no port, too few file descriptors, an unwritable output.
        static let setup = Code(.setup)
        /// A measured phase failed (clients could not connect, the server stopped).
        static let run = Code(.run)

        var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    let code: Code
    /// What went wrong.
    let message: String
    /// Where the error was created.
    let location: String

    /// An error of `code`, created at the caller's file and line.
    init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.location = "\(file):\(line)"
    }

    /// `code: message`.
    var description: String { "\(self.code): \(self.message)" }
}
