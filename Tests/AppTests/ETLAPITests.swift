import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PredictionCore
import Storage
import Testing

@testable import App

@Suite struct ETLAPITests {
    static let csv = """
        date,open,high,low,close,volume
        2024-03-01,10,11,9,10.5,1000
        2024-03-04,10.5,11.5,10,11,1100
        2024-03-05,11,12,10.5,11.5,1200
        """

    /// run-etl validates every entry before starting any, so a bad entry changes nothing.
    @Test func runETLRejectsBadEntriesAndChangesNothing() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            _ = try harness.importFile("good.csv", Self.csv)
            let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString).csv")
            try Self.csv.write(to: outside, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: outside) }
            let cases: [(Any, HTTPResponse.Status, String)] = [
                ([["ticker": "GOOD", "exchange": "NYSE", "source": "csv:good.csv"], ["ticker": "BAD", "exchange": "NYSE", "source": "csv:\(outside.path)"]],
                 .badRequest, "source_outside_import_dir"),
                ([["ticker": "GOOD", "exchange": "NYSE", "source": "csv:../../etc/passwd"]], .badRequest, "source_outside_import_dir"),
                ([["ticker": "GOOD", "exchange": "NYSE", "source": "csv:missing.csv"]], .notFound, "source_not_found"),
                ([["ticker": "GOOD", "exchange": "NYSE", "source": "ftp://x"]], .badRequest, "invalid_source"),
                ([["ticker": "GO OD", "exchange": "NYSE"]], .unprocessableContent, "validation_error"),
                ([["exchange": "NYSE"]], .unprocessableContent, "validation_error"),
                ([] as [Any], .unprocessableContent, "empty_request"),
                (["ticker": "GOOD"], .unprocessableContent, "validation_error"),
            ]
            for (body, status, code) in cases {
                try await client.execute(uri: "/api/run-etl", method: .post, headers: .bearer(key), body: try JSON.body(body)) { response in
                    try expectError(response, status, code: code)
                }
            }
            try await client.execute(uri: "/api/run-etl", method: .post, headers: .bearer(key), body: ByteBuffer(string: "{not json")) { response in
                try expectError(response, .unprocessableContent, code: "validation_error")
            }
            #expect(try await harness.parts.storage.runs.runs(matching: .init(), before: nil, limit: 10).isEmpty, "nothing was started")
        }
    }

    /// A failed run (its file is missing) can be retried once the file is there; only failed runs can be retried.
    @Test func failedRunCanBeRetried() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            let file = harness.configuration.importDirectory.appendingPathComponent("late.csv")
            let instrument = InstrumentKey(ticker: TickerSymbol("LATE")!, exchange: ExchangeCode("NYSE")!)
            let first = try await harness.parts.pipeline.submit(instrument, source: "csv:\(file.path)", trigger: .manual)
            let failed = try await harness.parts.pipeline.waitUntilFinished(first.id)
            #expect(failed.status == .failed)
            #expect(failed.error?.contains("unreadable") == true, "\(failed.error ?? "")")
            _ = try harness.importFile("late.csv", Self.csv)
            let retry = try await client.execute(uri: "/api/etl/runs/\(first.id)/retry", method: .post, headers: .bearer(key)) { response in
                #expect(response.status == .accepted)
                return try JSON.object(response.body)
            }
            #expect(retry["retry_of"] as? Int == Int(first.id))
            let done = try await harness.parts.pipeline.waitUntilFinished(Int64(retry["id"] as? Int ?? -1))
            #expect(done.status == .completed)
            #expect(done.counts.inserted == 3)
            try await client.execute(uri: "/api/etl/runs/\(done.id)/retry", method: .post, headers: .bearer(key)) { response in
                try expectError(response, .conflict, code: "run_not_retryable")
            }
            try await client.execute(uri: "/api/etl/runs/999999/retry", method: .post, headers: .bearer(key)) { response in
                try expectError(response, .notFound, code: "run_not_found")
            }
        }
    }

    /// The tracked list: add, update source, list, remove; and the run list filters and pages.
    @Test func trackedTickersAndRunPaging() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            let source = try harness.importFile("t.csv", Self.csv)
            try await client.execute(uri: "/api/etl/tickers", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "aapl", "exchange": "nasdaq"])) {
                #expect($0.status == .created)
                let body = try JSON.object($0.body)
                #expect(body["ticker"] as? String == "AAPL")
                #expect(body["source"] as? String == "yahoo")
            }
            try await client.execute(uri: "/api/etl/tickers", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "AAPL", "exchange": "NASDAQ", "source": source])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/etl/tickers", method: .get) { response in
                let rows = try JSON.array(response.body)
                #expect(rows.count == 1)
                #expect(rows.first?["source"] as? String == "csv:t.csv")
            }
            // run-etl without a source uses the tracked one
            for _ in 0..<3 {
                let id = try await client.execute(uri: "/api/run-etl", method: .post, headers: .bearer(key), body: try JSON.body([["ticker": "AAPL", "exchange": "NASDAQ"]])) {
                    try JSON.object($0.body)["run_ids"] as? [Int] ?? []
                }.first ?? -1
                #expect(try await harness.parts.pipeline.waitUntilFinished(Int64(id)).status == .completed)
            }
            let (page, cursor) = try await client.execute(uri: "/api/etl/runs?limit=2&ticker=AAPL", method: .get) { response in
                let body = try JSON.object(response.body)
                return (body["runs"] as? [[String: Any]] ?? [], body["next_cursor"] as? Int)
            }
            #expect(page.count == 2)
            let ids = page.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted(by: >), "newest first")
            let rest = try await client.execute(uri: "/api/etl/runs?limit=2&cursor=\(try #require(cursor))", method: .get) {
                try JSON.object($0.body)["runs"] as? [[String: Any]] ?? []
            }
            #expect(rest.count == 1)
            try await client.execute(uri: "/api/etl/runs?status=done", method: .get) { try expectError($0, .badRequest, code: "invalid_status") }
            try await client.execute(uri: "/api/etl/tickers/AAPL?exchange=NASDAQ", method: .delete, headers: .bearer(key)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/etl/tickers/AAPL?exchange=NASDAQ", method: .delete, headers: .bearer(key)) {
                try expectError($0, .notFound, code: "ticker_not_tracked")
            }
        }
    }
}
