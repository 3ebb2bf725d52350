import Foundation
import Logging

/// `StreamBench`: the WebSocket fan-out benchmark of issue 4 (bench/run-stream-bench.sh runs it). Not a product:
/// built on demand with `swift build -c release --product StreamBench --scratch-path .build-streambench`.
@main
enum StreamBench {
    /// Entry point: runs the benchmark, prints a summary, writes the JSON; exits 2 on a usage error, 1 on a failure.
    static func main() async {
        do {
            let options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
            var logger = Logger(label: "streambench")
            logger.logLevel = .warning
            let run = FanOutRun(options: options, logger: logger, log: Self.printLine)
            try await run.run { report in
                Self.printSummary(report)
                let data = try Self.json(report)
                if let path = options.out {
                    guard FileManager.default.createFile(atPath: path, contents: data) else {
                        throw BenchError(.setup, "cannot write \(path)")
                    }
                    Self.printLine("wrote \(path)")
                }
            }
        } catch let error as BenchError {
            Self.printError("StreamBench: \(error)")
            if error.code == .usage { Self.printError(BenchOptions.usage) }
            exit(error.code == .usage ? 2 : 1)
        } catch {
            Self.printError("StreamBench: \(error)")
            exit(1)
        }
    }

    /// Pretty JSON with snake_case keys, sorted.
    static func json(_ report: FanOutReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }

    /// The numbers a reader looks for first.
    static func printSummary(_ report: FanOutReport) {
        let latency = report.latency
        let live = report.live
        let stalled = report.stalled
        let resources = report.resources
        printLine(
            String(
                format: "latency over %d live clients: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)",
                report.setup.liveClients, latency.p50Ms, latency.p95Ms, latency.p99Ms, latency.maxMs, latency.samples
            )
        )
        printLine("live clients: delivered \(live.framesDelivered) of \(live.framesExpected), dropped \(live.framesDropped), missing \(live.framesMissing), \(live.finished) finished")
        printLine("stalled clients: delivered \(stalled.framesDelivered) of \(stalled.framesExpected), dropped \(stalled.framesDropped), missing \(stalled.framesMissing)")
        printLine(
            String(
                format: "CPU while publishing %.1f s over %.1f s (%.0f %% of one core); peak RSS %.0f MB",
                resources.cpuSecondsPublishing, resources.wallSecondsPublishing, resources.cpuPercentPublishing,
                Double(resources.peakRssBytes) / 1_048_576
            )
        )
        printLine("goals: p95 < 50 ms \(report.goals.p95Met ? "met" : "MISSED"); live clients lost nothing: \(report.goals.liveClientsLostNothing); complete: \(report.goals.complete)")
    }

    /// A line on standard output.
    @Sendable static func printLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// A line on standard error.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
