import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PredictionCore
import Storage
import Testing

@testable import App

@Suite struct DatasetsAPITests {
    /// First start of an empty store ingests the bundled sample data through the pipeline; re-running adds 0 rows.
    @Test func sampleDataIsIngestedAndRerunAddsNothing() async throws {
        let harness = try AppTestHarness(sampleData: true)
        try await harness.test { client in
            let runs = try await client.execute(uri: "/api/etl/runs", method: .get) { try JSON.object($0.body)["runs"] as? [[String: Any]] ?? [] }
            #expect(runs.count == 2)
            for run in runs {
                let done = try await harness.parts.pipeline.waitUntilFinished(Int64(run["id"] as! Int))
                #expect(done.status == .completed, "\(done)")
                #expect(done.counts.rejected == 0)
                #expect(done.counts.flagged == 0, "the sample files match the NYSE calendar exactly")
            }
            try await client.execute(uri: "/api/datasets", method: .get) { response in
                #expect(response.status == .ok)
                let rows = try JSON.array(response.body)
                let goog = try #require(rows.first { $0["ticker"] as? String == "GOOG" })
                #expect(goog["exchange"] as? String == "NASDAQ")
                #expect(goog["count"] as? Int == 2148)
                #expect(goog["start_date"] as? String == "2004-08-19")
                #expect(goog["end_date"] as? String == "2013-03-01")
                #expect(goog["parquet_ready"] as? Bool == true)
                #expect(goog["flagged_rows"] as? Int == 0)
                let gspc = try #require(rows.first { $0["ticker"] as? String == "^GSPC" })
                #expect(gspc["count"] as? Int == 5031)
            }
            // Re-run both through the API: zero inserted, zero updated.
            let key = try harness.adminKey
            let body = try JSON.body([["ticker": "GOOG", "exchange": "NASDAQ"], ["ticker": "^GSPC", "exchange": "NYSE"]])
            let ids = try await client.execute(uri: "/api/run-etl", method: .post, headers: .bearer(key), body: body) { response in
                #expect(response.status == .accepted)
                return try JSON.object(response.body)["run_ids"] as? [Int] ?? []
            }
            #expect(ids.count == 2)
            for id in ids {
                let done = try await harness.parts.pipeline.waitUntilFinished(Int64(id))
                #expect(done.status == .completed)
                #expect(done.counts.inserted == 0)
                #expect(done.counts.updated == 0)
                #expect(done.counts.unchanged == done.counts.read)
            }
            try await client.execute(uri: "/api/datasets", method: .get) { response in
                let rows = try JSON.array(response.body)
                #expect(rows.first { $0["ticker"] as? String == "GOOG" }?["count"] as? Int == 2148)
            }
        }
    }

    /// Prices come with indicators, ascending, paged by cursor, bounded by from/to.
    @Test func pricesArePagedWithIndicators() async throws {
        let harness = try AppTestHarness(sampleData: true)
        try await harness.test { client in
            for run in try await harness.parts.storage.runs.runs(matching: .init(), before: nil, limit: 10) {
                _ = try await harness.parts.pipeline.waitUntilFinished(run.id)
            }
            let (first, cursor) = try await client.execute(uri: "/api/datasets/GOOG/prices?limit=30", method: .get) { response in
                #expect(response.status == .ok)
                let page = try JSON.object(response.body)
                return (page["prices"] as? [[String: Any]] ?? [], page["next_cursor"] as? String)
            }
            #expect(first.count == 30)
            #expect(first.first?["date"] as? String == "2004-08-19")
            #expect(first[0]["MA5"] is NSNull, "not enough history for MA5 on the first session")
            #expect(first[4]["MA5"] as? Double != nil)
            #expect(first[29]["BB_upper"] as? Double != nil)
            #expect(first[29]["RSI14"] as? Double != nil)
            let nextCursor = try #require(cursor)
            try await client.execute(uri: "/api/datasets/GOOG/prices?limit=5&cursor=\(nextCursor)", method: .get) { response in
                let page = try JSON.object(response.body)
                let prices = page["prices"] as? [[String: Any]] ?? []
                #expect(prices.first?["date"] as? String == "2004-10-01", "the page after 2004-09-30")
            }
            try await client.execute(uri: "/api/datasets/%5EGSPC/prices?from=2018-12-24&to=2018-12-31&exchange=NYSE", method: .get) { response in
                #expect(response.status == .ok)
                let page = try JSON.object(response.body)
                let dates = (page["prices"] as? [[String: Any]] ?? []).compactMap { $0["date"] as? String }
                #expect(dates == ["2018-12-24", "2018-12-26", "2018-12-27", "2018-12-28", "2018-12-31"])
                #expect(page["next_cursor"] == nil, "last page")
            }
        }
    }

    /// Malformed input gets a 4xx with a JSON body, never a 500.
    @Test func badPriceRequestsAreClientErrors() async throws {
        let harness = try AppTestHarness(sampleData: true)
        try await harness.test { client in
            for run in try await harness.parts.storage.runs.runs(matching: .init(), before: nil, limit: 10) {
                _ = try await harness.parts.pipeline.waitUntilFinished(run.id)
            }
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("/api/datasets/NOPE/prices", .notFound, "dataset_not_found"),
                ("/api/datasets/GOOG/prices?exchange=NYSE", .notFound, "dataset_not_found"),
                ("/api/datasets/GO%20OG/prices", .badRequest, "invalid_ticker"),
                ("/api/datasets/GOOG/prices?from=2020-13-01", .badRequest, "invalid_date"),
                ("/api/datasets/GOOG/prices?from=yesterday", .badRequest, "invalid_date"),
                ("/api/datasets/GOOG/prices?from=2010-01-05&to=2010-01-01", .badRequest, "invalid_range"),
                ("/api/datasets/GOOG/prices?limit=1000000", .badRequest, "invalid_limit"),
                ("/api/datasets/GOOG/prices?limit=-3", .badRequest, "invalid_limit"),
                ("/api/datasets/GOOG/prices?cursor=abc", .badRequest, "invalid_cursor"),
                ("/api/nothing/here", .notFound, "route_not_found"),
            ]
            for (uri, status, code) in cases {
                try await client.execute(uri: uri, method: .get) { response in
                    try expectError(response, status, code: code)
                }
            }
        }
    }

    /// A partly bad CSV upload keeps its good rows and reports every rejected row with its reason.
    @Test func uploadReportsRejectedRows() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            let csv = """
                Date,Open,High,Low,Close,Adj Close,Volume
                2024-03-01,10,11,9,10.5,10.5,1000
                2024-03-02,10,11,9,10.5,10.5,1000
                2024-03-04,10,9,11,10,10,1000
                2024-03-05,10,11,9,12,12,1000
                2024-03-06,-1,11,9,10,10,1000
                2024-03-07,10,11,9,10,10,-5
                2024-03-08,10,11,9,10.2,10.2,abc
                2024-03-11,10,11,9,10.4,10.4,1200
                2024-03-11,10,11,9,10.4,10.4,1200
                """
            let run = try await client.execute(
                uri: "/api/datasets/TEST/import?exchange=NYSE", method: .post, headers: [.authorization: "Bearer \(key)", .contentType: "text/csv"],
                body: ByteBuffer(string: csv)
            ) { response in
                #expect(response.status == .accepted, "\(String(buffer: response.body))")
                return try JSON.object(response.body)["id"] as? Int ?? -1
            }
            let done = try await harness.parts.pipeline.waitUntilFinished(Int64(run))
            #expect(done.status == .completed)
            #expect(done.counts.inserted == 2, "2024-03-01 and 2024-03-11 are the good rows")
            try await client.execute(uri: "/api/etl/runs/\(run)", method: .get) { response in
                let detail = try JSON.object(response.body)
                let issues = detail["issues"] as? [[String: Any]] ?? []
                let reasons = Set(issues.compactMap { $0["reason"] as? String })
                for reason in ["non_session", "high_below_low", "close_outside_range", "non_positive_price", "negative_volume", "unparseable", "duplicate_session"] {
                    #expect(reasons.contains(reason), "missing \(reason) in \(issues)")
                }
                let steps = (detail["steps"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                #expect(steps == ["fetch", "validate", "upsert_raw", "clean", "store"])
            }
            try await client.execute(uri: "/api/datasets/TEST/prices?exchange=NYSE", method: .get) { response in
                let dates = (try JSON.object(response.body)["prices"] as? [[String: Any]] ?? []).compactMap { $0["date"] as? String }
                #expect(dates == ["2024-03-01", "2024-03-11"])
            }
        }
    }

    /// Issue 9 (1, 2): the two-row upload that crashed the server, its 5e-324 twin and 30 rows at 1.7e308 are
    /// completed runs whose absurd rows are rejected with `implausible_value`; the dataset's prices stay readable.
    @Test func absurdPricesAreRejectedAndTheDatasetStaysReadable() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            func upload(_ ticker: String, _ csv: String) async throws -> ETLRun {
                let id = try await client.execute(
                    uri: "/api/datasets/\(ticker)/import?exchange=NYSE", method: .post,
                    headers: [.authorization: "Bearer \(key)", .contentType: "text/csv"], body: ByteBuffer(string: csv)
                ) { response in
                    #expect(response.status == .accepted, "\(String(buffer: response.body))")
                    return try JSON.object(response.body)["id"] as? Int ?? -1
                }
                return try await harness.parts.pipeline.waitUntilFinished(Int64(id))
            }
            let header = "Date,Open,High,Low,Close,Volume\n"
            let huge = try await upload("HUGE", header + "2015-01-05,1,1,1,1,1\n2015-01-06,1e306,1e306,1e306,1e306,1\n")
            #expect(huge.status == .completed && huge.counts.inserted == 1 && huge.counts.rejected == 1)
            let tiny = try await upload("TINY", header + "2015-01-05,5e-324,5e-324,5e-324,5e-324,1\n2015-01-06,10,10,10,10,1\n")
            #expect(tiny.status == .completed && tiny.counts.inserted == 1 && tiny.counts.rejected == 1)
            var rows = header
            var day = SessionDate(year: 2015, month: 1, day: 5)!
            for _ in 0..<30 {
                while !USEquityCalendar().isSession(day) { day = day.adding(days: 1) }
                rows += "\(day),1.7e308,1.7e308,1.7e308,1.7e308,1\n"
                day = day.adding(days: 1)
            }
            rows += "\(day),10,11,9,10.5,100\n"
            let max = try await upload("MAXD", rows)
            #expect(max.status == .completed && max.counts.rejected == 30 && max.counts.inserted == 1)
            try await client.execute(uri: "/api/etl/runs/\(max.id)/issues?limit=5", method: .get) { response in
                let issues = try JSON.object(response.body)["issues"] as? [[String: Any]] ?? []
                #expect(issues.first?["reason"] as? String == "implausible_value", "\(issues)")
                #expect(issues.first?["row"] as? Int == 2)
            }
            for ticker in ["HUGE", "TINY", "MAXD"] {
                try await client.execute(uri: "/api/datasets/\(ticker)/prices?exchange=NYSE", method: .get) { response in
                    #expect(response.status == .ok, "\(ticker): \(String(buffer: response.body))")
                }
            }
            try await client.execute(uri: "/health", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    /// Uploads above the bound get 413 and start nothing.
    @Test func oversizedUploadIsRejected() async throws {
        let harness = try AppTestHarness(maxUploadBytes: 2048)
        try await harness.test { client in
            let key = try harness.adminKey
            let big = "Date,Open,High,Low,Close,Volume\n" + String(repeating: "2024-03-01,10,11,9,10.5,1000\n", count: 200)
            try await client.execute(
                uri: "/api/datasets/TEST/import?exchange=NYSE", method: .post, headers: [.authorization: "Bearer \(key)"], body: ByteBuffer(string: big)
            ) { response in
                try expectError(response, .contentTooLarge, code: "body_too_large")
            }
            #expect(try await harness.parts.storage.runs.runs(matching: .init(), before: nil, limit: 10).isEmpty)
        }
    }
}
