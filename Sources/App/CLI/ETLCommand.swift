import Actors
import ArgumentParser
import Foundation
import MarketData
import NIOHTTP1
import PredictionCore
import Storage

/// `stockcast etl run|runs`.
struct ETLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etl", abstract: "Run the market-data ETL and list its runs.", subcommands: [ETLRunCommand.self, ETLRunsCommand.self]
    )
}

/// How a CLI command reaches the data: through a running server, or directly on the store.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server URL (default http://<host>:<port>); when it does not answer the command works on the store directly.")
    var server: String?

    @Option(help: "API key for the server (env STOCKCAST_API_KEY; default <data_dir>/admin.key).")
    var apiKey: String?

    @Flag(help: "Work on the configured store directly, even when a server is running.")
    var offline = false

    /// The server to talk to, or `nil` to work in-process.
    func server(for configuration: AppConfiguration) async -> ServerClient? {
        guard !self.offline else { return nil }
        let host = configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host
        let url = self.server ?? "http://\(host):\(configuration.port)"
        let key = self.apiKey ?? ProcessInfo.processInfo.environment["STOCKCAST_API_KEY"]
            ?? (try? String(contentsOf: configuration.adminKeyFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let client = await ServerClient.probe(baseURL: url, apiKey: key)
        FileHandle.standardError.write(Data((client == nil ? "no server at \(url); working on the store directly\n" : "using the server at \(url)\n").utf8))
        return client
    }
}

/// `stockcast etl run`: ingest one ticker, or every `TICKER.csv` of a directory.
struct ETLRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the ETL pipeline for a ticker (or a directory of TICKER.csv files).",
        discussion: "Sources: csv:FILE, csv:DIRECTORY (one run per TICKER.csv), yahoo, stooq. Re-running adds zero rows."
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var mode: ServerOptions

    @Option(help: "Ticker symbol (optional for csv:DIRECTORY, where each file name is the ticker).")
    var ticker: String?

    @Option(help: "Exchange code, e.g. NYSE, NASDAQ (its trading calendar validates the sessions).")
    var exchange: String

    @Option(help: "csv:PATH, yahoo or stooq.")
    var source: String

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        let jobs = try self.jobs()
        let started = ContinuousClock.now
        let finished: [RunDTO]
        if let server = await self.mode.server(for: configuration) {
            finished = try await self.runOnServer(server, jobs: jobs)
        } else {
            finished = try await LocalRuntime.with(configuration, logger: logger) { parts in
                var runs: [ETLRun] = []
                for job in jobs { runs.append(try await parts.pipeline.submit(job.instrument, source: job.source, trigger: .manual)) }
                let progress = ProgressReporter(total: runs.count)
                var done: [RunDTO] = []
                for run in runs {
                    let result = RunDTO(try await parts.pipeline.waitUntilFinished(run.id))
                    done.append(result)
                    progress.update(done: done.count, item: Self.describe(result))
                }
                return done
            }
        }
        Self.printSummary(finished, elapsed: ContinuousClock.now - started)
        if finished.contains(where: { $0.status != "completed" }) { throw ExitCode(1) }
    }

    /// One run per instrument: the ticker given, or one per `TICKER.csv` file of a `csv:DIRECTORY` source.
    func jobs() throws -> [(instrument: InstrumentKey, source: String)] {
        guard let exchange = ExchangeCode(self.exchange) else { throw ValidationError("invalid exchange \"\(self.exchange)\"") }
        let spec: SourceSpec
        do {
            spec = try SourceSpec(parsing: self.source)
        } catch let error as ProviderError {
            throw ValidationError(error.message)
        }
        if case .csv(let path) = spec {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw ValidationError("no such file: \(path)") }
            if isDirectory.boolValue {
                let files = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.lowercased().hasSuffix(".csv") }.sorted()
                let jobs = files.compactMap { file -> (InstrumentKey, String)? in
                    guard let ticker = TickerSymbol(String(file.dropLast(4))) else { return nil }
                    if let only = self.ticker, TickerSymbol(only) != ticker { return nil }
                    return (InstrumentKey(ticker: ticker, exchange: exchange), "csv:\(url.appendingPathComponent(file).path)")
                }
                guard !jobs.isEmpty else { throw ValidationError("no TICKER.csv files in \(path)") }
                return jobs
            }
            guard let text = self.ticker, let ticker = TickerSymbol(text) else { throw ValidationError("--ticker is required for a single file") }
            return [(InstrumentKey(ticker: ticker, exchange: exchange), "csv:\(url.path)")]
        }
        guard let text = self.ticker, let ticker = TickerSymbol(text) else { throw ValidationError("--ticker is required for \(self.source)") }
        return [(InstrumentKey(ticker: ticker, exchange: exchange), self.source)]
    }

    /// Submits through the REST API (CSV files are uploaded) and polls each run until it finishes.
    private func runOnServer(_ server: ServerClient, jobs: [(instrument: InstrumentKey, source: String)]) async throws -> [RunDTO] {
        var submitted: [RunDTO] = []
        for job in jobs {
            if job.source.hasPrefix("csv:") {
                let path = String(job.source.dropFirst(4))
                guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
                let ticker = job.instrument.ticker.rawValue.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? job.instrument.ticker.rawValue
                submitted.append(
                    try await server.send(
                        .POST, "/api/datasets/\(ticker)/import?exchange=\(job.instrument.exchange)", body: data, contentType: "text/csv",
                        as: RunDTO.self
                    )
                )
            } else {
                let body = try JSONSerialization.data(withJSONObject: [
                    ["ticker": job.instrument.ticker.rawValue, "exchange": job.instrument.exchange.rawValue, "source": job.source]
                ])
                submitted += try await server.send(.POST, "/api/run-etl", body: body, as: RunSubmissionDTO.self).runs
            }
        }
        let progress = ProgressReporter(total: submitted.count)
        var done: [RunDTO] = []
        for run in submitted {
            var current = run
            while current.status == "pending" || current.status == "running" {
                try await Task.sleep(for: .milliseconds(250))
                current = try await server.send(.GET, "/api/etl/runs/\(run.id)", as: RunDetailDTO.self).run
            }
            done.append(current)
            progress.update(done: done.count, item: Self.describe(current))
        }
        return done
    }

    static func describe(_ run: RunDTO) -> String {
        let c = run.counts
        let base = "\(run.ticker)@\(run.exchange) run \(run.id) \(run.status): read \(c.read), inserted \(c.inserted), updated \(c.updated), unchanged \(c.unchanged), rejected \(c.rejected), flagged \(c.flagged)"
        return run.error.map { "\(base) — \($0)" } ?? base
    }

    static func printSummary(_ runs: [RunDTO], elapsed: Duration) {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let read = runs.reduce(0) { $0 + $1.counts.read }
        let inserted = runs.reduce(0) { $0 + $1.counts.inserted }
        let updated = runs.reduce(0) { $0 + $1.counts.updated }
        let rejected = runs.reduce(0) { $0 + $1.counts.rejected }
        let failed = runs.filter { $0.status != "completed" }
        print(
            "\(runs.count) run(s): \(runs.count - failed.count) completed, \(failed.count) failed; rows read \(read), inserted \(inserted), updated \(updated), rejected \(rejected); \(String(format: "%.2f", seconds)) s (\(String(format: "%.0f", Double(read) / max(seconds, 1e-9))) rows/s)"
        )
        for run in failed.prefix(20) { print("  failed: \(describe(run))") }
    }
}

/// `stockcast etl runs`: the most recent runs.
struct ETLRunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List recent ETL runs, newest first.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var mode: ServerOptions

    @Option(help: "How many runs (1-500).")
    var limit = 20

    @Option(help: "Only runs of this ticker.")
    var ticker: String?

    func run() async throws {
        guard (1...500).contains(self.limit) else { throw ValidationError("--limit must be 1-500") }
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        let runs: [RunDTO]
        if let server = await self.mode.server(for: configuration) {
            let query = "limit=\(self.limit)" + (self.ticker.map { "&ticker=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? "")
            runs = try await server.send(.GET, "/api/etl/runs?\(query)", as: RunPageDTO.self).runs
        } else {
            let filter = ETLRunFilter(ticker: self.ticker.flatMap(TickerSymbol.init))
            let limit = self.limit
            runs = try await LocalRuntime.with(configuration, logger: logger) { parts in
                try await parts.storage.runs.runs(matching: filter, before: nil, limit: limit).map(RunDTO.init)
            }
        }
        if runs.isEmpty { print("no ETL runs yet") }
        for run in runs { print(ETLRunCommand.describe(run)) }
    }
}
