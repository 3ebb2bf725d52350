/// Why a benchmark command could not run. `message` names the file or option at fault.
struct BenchError: Error, CustomStringConvertible {
    /// The kind of failure.
    enum Code: String {
        /// A command-line option is missing or malformed.
        case usage
        /// An input file could not be read or parsed.
        case input
        /// A measured run failed (the model or the backtest threw).
        case run
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
    var description: String { "\(self.code.rawValue): \(self.message)" }
}
