import ArgumentParser
import Foundation
import NIOHTTP1
import Storage

/// `stockcast datasets`: the stored series, one line each.
struct DatasetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "datasets", abstract: "List stored series (ticker, exchange, range, rows).")

    @OptionGroup var common: CommonOptions
    @OptionGroup var mode: ServerOptions

    func run() async throws {
        let configuration = try self.common.load()
        let logger = self.common.makeLogger(configuration)
        let datasets: [DatasetDTO]
        if let server = await self.mode.server(for: configuration) {
            datasets = try await server.send(.GET, "/api/datasets", as: [DatasetDTO].self)
        } else {
            datasets = try await LocalRuntime.with(configuration, logger: logger) { parts in
                try await parts.storage.prices.datasets().map(DatasetDTO.init)
            }
        }
        if datasets.isEmpty { print("no datasets yet: run `stockcast etl run` or start `stockcast serve` to ingest the sample data") }
        let header = ["TICKER", "EXCHANGE", "FROM", "TO", "ROWS", "FLAGGED", "SOURCE"]
        let rows = datasets.map { [$0.ticker, $0.exchange, $0.start_date, $0.end_date, String($0.count), String($0.flagged_rows), $0.source ?? "-"] }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        for row in [header] + rows {
            print(zip(row, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
