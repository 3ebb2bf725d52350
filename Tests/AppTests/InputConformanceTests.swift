import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PredictionCore
import Storage
import Testing

@testable import App

/// Issue 9 (10): the smaller things a hostile or careless client met: error messages that named the wrong JSON
/// kind, empty parameters taken as absent, 404 for a known path with another method, unpaged lists, a task still
/// readable after its DELETE, uploads kept forever.
@Suite struct InputConformanceTests {
    @Test func bodyErrorsNameWhatTheBodyIs() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            let cases: [(String, String, String)] = [
                ("/api/models/", "5.5", "the body must be a JSON object, got a number"),
                ("/api/models/", "[]", "the body must be a JSON object, got an array"),
                ("/api/models/", "\"x\"", "the body must be a JSON object, got a string"),
                ("/api/run-etl", "{}", "the body must be an array, got an object"),
                ("/api/run-etl", "5.5", "the body must be an array, got a number"),
                ("/api/run-etl", "{nope", "the body is not valid JSON"),
            ]
            for (uri, body, detail) in cases {
                try await client.execute(uri: uri, method: .post, headers: .bearer(key), body: ByteBuffer(string: body)) { response throws in
                    #expect(response.status == .unprocessableContent, "\(uri) \(body)")
                    #expect(try JSON.object(response.body)["detail"] as? String == detail, "\(uri) \(body): \(String(buffer: response.body))")
                }
            }
        }
    }

    @Test func emptyParametersAreRefusedAndUnknownMethodsAre405() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            for uri in ["/api/etl/runs?limit=", "/api/predict/?cursor=", "/api/alerts?limit=", "/api/tasks?state="] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .badRequest, "\(uri): \(String(buffer: response.body))")
                }
            }
            try await client.execute(uri: "/api/datasets", method: .init("TRACE")!) { response in
                try expectError(response, .methodNotAllowed, code: "method_not_allowed")
                #expect(response.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/api/models/7", method: .put) { response in
                try expectError(response, .methodNotAllowed, code: "method_not_allowed")
                #expect(response.headers[.allow] == "DELETE, GET")
            }
            try await client.execute(uri: "/api/nothing-here", method: .get) { try expectError($0, .notFound, code: "route_not_found") }
        }
    }

    @Test func trackedTickersArePaged() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            for ticker in ["AAA", "BBB", "CCC"] {
                try await client.execute(
                    uri: "/api/etl/tickers", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": ticker, "exchange": "NYSE", "source": "yahoo"])
                ) { #expect($0.status == .created) }
            }
            let cursor = try await client.execute(uri: "/api/etl/tickers?limit=2", method: .get) { response throws in
                #expect(try JSON.array(response.body).compactMap { $0["ticker"] as? String } == ["AAA", "BBB"])
                return response.headers[.init("X-Next-Cursor")!]
            }
            #expect(cursor == "BBB@NYSE")
            try await client.execute(uri: "/api/etl/tickers?limit=2&cursor=BBB@NYSE", method: .get) { response throws in
                #expect(try JSON.array(response.body).compactMap { $0["ticker"] as? String } == ["CCC"])
                #expect(response.headers[.init("X-Next-Cursor")!] == nil)
            }
            try await client.execute(uri: "/api/etl/tickers?cursor=nope", method: .get) { try expectError($0, .badRequest, code: "invalid_cursor") }
        }
    }

    /// A task is cancelled with POST …/cancel and deleted with DELETE, after which it is gone (it stayed readable).
    @Test func tasksAreCancelledThenDeleted() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            // A forecast for an instrument without data (submitted past the API's checks): a task that ends at once.
            let instrument = InstrumentKey(ticker: TickerSymbol("NONE")!, exchange: ExchangeCode("NASDAQ")!)
            let id = try await harness.parts.supervisor.submitForecast(.init(instrument: instrument, days: 3, modelID: nil)).id
            let task = try await harness.parts.supervisor.waitUntilFinished(id)
            #expect(task.state.isFinal)
            try await client.execute(uri: "/api/tasks/\(id)/cancel", method: .post, headers: .bearer(key)) { try expectError($0, .conflict, code: "conflict") }
            try await client.execute(uri: "/api/tasks/\(id)", method: .delete, headers: .bearer(key)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/tasks/\(id)", method: .get) { try expectError($0, .notFound, code: "task_not_found") }
            try await client.execute(uri: "/api/tasks/\(id)", method: .delete, headers: .bearer(key)) { try expectError($0, .notFound, code: "task_not_found") }
        }
    }

    /// An upload's file is removed once its run completed; a body that is not a price CSV is refused at once.
    @Test func uploadsAreNotKeptOnceStored() async throws {
        let harness = try AppTestHarness()
        try await harness.test { client in
            let key = try harness.adminKey
            try await client.execute(
                uri: "/api/datasets/TEST/import?exchange=NYSE", method: .post, headers: .bearer(key), body: ByteBuffer(string: "[]")
            ) { try expectError($0, .unprocessableContent, code: "invalid_csv") }
            let id = try await client.execute(
                uri: "/api/datasets/TEST/import?exchange=NYSE", method: .post, headers: .bearer(key),
                body: ByteBuffer(string: "Date,Open,High,Low,Close,Volume\n2024-03-01,10,11,9,10.5,1000\n")
            ) { response in
                #expect(response.status == .accepted)
                return try JSON.object(response.body)["id"] as? Int ?? -1
            }
            let run = try await harness.parts.pipeline.waitUntilFinished(Int64(id))
            #expect(run.status == .completed && run.source.hasPrefix("csv:uploads/"))
            let uploads = harness.configuration.importDirectory.appendingPathComponent("uploads")
            var left = ["?"]
            for _ in 0..<250 where !left.isEmpty {
                left = (try? FileManager.default.contentsOfDirectory(atPath: uploads.path)) ?? []
                if !left.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(left.isEmpty, "uploads left: \(left)")
        }
    }
}
