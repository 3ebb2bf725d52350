/// The command line of `StockCastBench`: a command name followed by `--name value` pairs.
struct BenchOptions {
    /// The command (`accuracy`, `speed`, `store-read`).
    let command: String
    /// Option values by name (without the leading dashes).
    private let values: [String: String]

    /// Parses `arguments` (without the program name).
    ///
    /// - Throws: `BenchError` `.usage` when the command is missing, an option has no value or is given twice.
    init(arguments: [String]) throws {
        guard let command = arguments.first, !command.hasPrefix("-") else {
            throw BenchError(.usage, "no command given")
        }
        var values: [String: String] = [:]
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw BenchError(.usage, "expected an option --name, got \"\(argument)\"")
            }
            guard index + 1 < arguments.count else { throw BenchError(.usage, "option \(argument) needs a value") }
            let name = String(argument.dropFirst(2))
            guard values[name] == nil else { throw BenchError(.usage, "option \(argument) is given twice") }
            values[name] = arguments[index + 1]
            index += 2
        }
        self.command = command
        self.values = values
    }

    /// The value of a required option.
    func required(_ name: String) throws -> String {
        guard let value = self.values[name] else { throw BenchError(.usage, "option --\(name) is required") }
        return value
    }

    /// The value of an optional option.
    func optional(_ name: String) -> String? {
        self.values[name]
    }

    /// An integer option within `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = self.values[name] else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw BenchError(.usage, "--\(name) must be an integer in \(range.lowerBound)…\(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// Usage text.
    static let usage = """
        usage: StockCastBench accuracy --csv FILE --exchange CODE --ticker NAME --out FILE.json [--features-out FILE.csv]
               StockCastBench speed    --csv FILE --exchange CODE --ticker NAME --out FILE.json [--latency-calls N]
               StockCastBench store-read --sqlite FILE --ticker T --exchange CODE --out FILE.json [--repeats N]
        accuracy: walk-forward backtests (last 20 % tested, expanding window, refit every 20 sessions, h = 1…10)
                  of naive, drift, linear_regression, xgboost and random_forest, timed; metrics at h = 1, 5, 10.
        speed:    single-fit times, the ridge backtest with a refit every session, single-prediction latency.
        store-read: time of the bar read POST /api/predict/ makes per request, on a server's SQLite file.
        """
}
