import Actors
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PredictionCore
import Storage
import Testing

@testable import App

@Suite struct ForecastingAPITests {
    /// Waits for the sample data and returns the admin key.
    static func ready(_ harness: AppTestHarness) async throws -> String {
        for run in try await harness.parts.storage.runs.runs(matching: .init(), before: nil, limit: 10) {
            _ = try await harness.parts.pipeline.waitUntilFinished(run.id)
        }
        return try harness.adminKey
    }

    static func register(_ client: some TestClientProtocol, key: String, _ body: [String: Any]) async throws -> Int {
        try await client.execute(uri: "/api/models/", method: .post, headers: .bearer(key), body: try JSON.body(body)) { response in
            #expect(response.status == .created, "\(String(buffer: response.body))")
            return try JSON.object(response.body)["id"] as? Int ?? -1
        }
    }

    static func train(_ client: some TestClientProtocol, harness: AppTestHarness, key: String, model: Int) async throws -> [String: Any] {
        let taskID = try await client.execute(uri: "/api/train", method: .post, headers: .bearer(key), body: try JSON.body(["model_id": model])) { response in
            #expect(response.status == .accepted, "\(String(buffer: response.body))")
            return try JSON.object(response.body)["task_id"] as? String ?? ""
        }
        let done = try await harness.parts.supervisor.waitUntilFinished(taskID)
        #expect(done.state == .completed, "\(done.error ?? "")")
        return try await client.execute(uri: "/api/train/status/\(taskID)", method: .get) { try JSON.object($0.body) }
    }

    /// Register → train → promote (gate) → predict → multi-day forecast with a widening fan → history with actuals.
    @Test func registerTrainPromotePredictForecast() async throws {
        let harness = try AppTestHarness(sampleData: true)
        try await harness.test { client in
            let key = try await Self.ready(harness)
            let ridge = try await Self.register(client, key: key, [
                "ticker": "GOOG", "exchange": "NASDAQ", "model_type": "linear_regression", "features": ["MA5", "EMA12", "RSI", "MACD", "Volume"],
                "val_size": 0.2, "shuffle": true, "hyper_parameters": ["max_horizon": 10, "refit_every": 40],
            ])
            let status = try await Self.train(client, harness: harness, key: key, model: ridge)
            #expect(status["status"] as? String == "completed")
            #expect(status["progress"] as? Double == 1)
            let result = try #require(status["result"] as? [String: Any])
            #expect(result["model_id"] as? Int == ridge)
            #expect((result["mase"] as? Double).map { $0 > 0 } == true)

            let model = try await client.execute(uri: "/api/models/\(ridge)", method: .get) { try JSON.object($0.body) }
            #expect(model["status"] as? String == "trained")
            // The stored model shows its effective parameters: what was sent over the type's defaults.
            let effective = try #require(model["hyper_parameters"] as? [String: Any])
            #expect(effective["max_horizon"] as? Int == 10 && effective["refit_every"] as? Int == 40 && effective["seed"] as? Int == 42)
            let forest = try await Self.register(client, key: key, ["ticker": "GOOG", "exchange": "NASDAQ", "model_type": "random_forest", "hyper_parameters": ["max_horizon": 10]])
            let forestParameters = try await client.execute(uri: "/api/models/\(forest)", method: .get) {
                try JSON.object($0.body)["hyper_parameters"] as? [String: Any] ?? [:]
            }
            #expect(forestParameters["max_depth"] as? Int == 8 && forestParameters["subsample"] as? Double == 0.8
                && forestParameters["colsample_bynode"] as? Double == 0.8 && forestParameters["max_horizon"] as? Int == 10, "\(forestParameters)")
            #expect((model["artifact_sha256"] as? String)?.count == 64)
            #expect(model["version"] as? Int == 1)
            // The h = 1 backtest points in prices, for predicted-vs-actual charts (bounded).
            let backtest = try #require((model["metrics"] as? [String: Any])?["backtest"] as? [[String: Any]])
            #expect(!backtest.isEmpty && backtest.count <= 250)
            #expect(backtest.allSatisfy { ($0["actual_close"] as? Double ?? 0) > 0 && ($0["predicted_close"] as? Double ?? 0) > 0 })
            let mlflow = try await client.execute(uri: "/api/mlflow/\(ridge)", method: .get) { try JSON.object($0.body) }
            #expect(mlflow["is_trained"] as? Bool == true)

            // Promotion is gated; force is recorded when the gate says no.
            let promoted = try await client.execute(uri: "/api/models/\(ridge)/promote?force=true", method: .post, headers: .bearer(key)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try JSON.object(response.body)
            }
            #expect(promoted["alias"] as? String == "champion")
            let history = try await client.execute(uri: "/api/models/\(ridge)/history", method: .get) { try JSON.array($0.body) }
            #expect(history.count == 1)
            #expect((history.first?["reason"] as? String)?.hasPrefix("promote") == true)

            // Single prediction of a past session (actual known) with the champion.
            let prediction = try await client.execute(
                uri: "/api/predict/", method: .post, headers: .bearer(key),
                body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-01"])
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try JSON.object(response.body)
            }
            #expect(prediction["actual_close"] as? Double != nil)
            #expect(prediction["origin_date"] as? String == "2013-02-28")
            let predicted = try #require(prediction["predicted_close"] as? Double)
            #expect((prediction["lower_80"] as? Double ?? .infinity) < predicted)
            #expect((prediction["upper_95"] as? Double ?? 0) > (prediction["upper_80"] as? Double ?? .infinity))

            // Multi-day forecast: 10 real sessions, different values, a widening fan.
            let taskID = try await client.execute(
                uri: "/api/predict/future/", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "days": 10])
            ) { response in
                #expect(response.status == .accepted, "\(String(buffer: response.body))")
                return try JSON.object(response.body)["task_id"] as? String ?? ""
            }
            _ = try await harness.parts.supervisor.waitUntilFinished(taskID)
            let partial = try await client.execute(uri: "/api/predict/future/partial_status/\(taskID)", method: .get) { try JSON.object($0.body) }
            let points = try #require(partial["result"] as? [[String: Any]])
            #expect(points.count == 10)
            let dates = points.compactMap { $0["target_date"] as? String }
            #expect(dates.first == "2013-03-04")
            let calendar = TradingCalendars.calendar(for: ExchangeCode("NASDAQ")!)
            #expect(dates.allSatisfy { SessionDate($0).map(calendar.isSession) == true })
            #expect(Set(points.compactMap { $0["predicted_close"] as? Double }).count > 1, "not the same value every day")
            let widths = points.map { ($0["upper_80"] as? Double ?? 0) - ($0["lower_80"] as? Double ?? 0) }
            #expect(zip(widths, widths.dropFirst()).allSatisfy { $0 <= $1 + 1e-9 }, "the fan widens")
            let status2 = try await client.execute(uri: "/api/predict/future/status/\(taskID)", method: .get) { try JSON.object($0.body) }
            #expect(status2["status"] as? String == "completed")

            // History: newest first, the past-session prediction carries its actual.
            let rows = try await client.execute(uri: "/api/predict/?ticker=GOOG&limit=50", method: .get) { try JSON.array($0.body) }
            #expect(rows.count == 11)
            #expect(rows.contains { $0["target_date"] as? String == "2013-03-01" && $0["actual_close"] as? Double != nil })

            // Tasks list shows both tasks.
            let tasks = try await client.execute(uri: "/api/tasks?limit=10", method: .get) { try JSON.object($0.body)["tasks"] as? [[String: Any]] ?? [] }
            #expect(Set(tasks.compactMap { $0["kind"] as? String }) == ["train", "forecast"])

            // Deleting the champion needs force; then its artifact is gone.
            try await client.execute(uri: "/api/models/\(ridge)", method: .delete, headers: .bearer(key)) { try expectError($0, .conflict, code: "conflict") }
            try await client.execute(uri: "/api/models/\(ridge)?force=true", method: .delete, headers: .bearer(key)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/models/\(ridge)", method: .get) { try expectError($0, .notFound, code: "model_not_found") }
        }
    }

    /// Every 4xx path of the model, train and predict routes answers with a JSON error and changes nothing.
    @Test func badRequestsAreClientErrors() async throws {
        let harness = try AppTestHarness(sampleData: true)
        try await harness.test { client in
            let key = try await Self.ready(harness)
            try await client.execute(
                uri: "/api/models", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "NOPE", "exchange": "NASDAQ", "features": ["MA5"]])
            ) { try expectError($0, .notFound, code: "dataset_not_found") }
            let bad: [([String: Any], String)] = [
                (["ticker": "GOOG", "exchange": "NASDAQ", "features": ["MA5", "Sentiment"]], "invalid_features"),
                (["ticker": "GOOG", "exchange": "NASDAQ", "model_type": "lstm"], "invalid_model_type"),
                (["ticker": "GOOG", "exchange": "NASDAQ", "val_size": 0.9], "invalid_val_size"),
                (["ticker": "GOOG", "exchange": "NASDAQ", "train_start_date": "2010-01-01", "train_end_date": "2009-01-01"], "invalid_window"),
                (["ticker": "GOOG", "exchange": "NASDAQ", "train_start_date": "1990-01-02"], "invalid_window"),
                (["ticker": "GOOG", "exchange": "NASDAQ", "hyper_parameters": ["max_depth": 99]], "invalid_hyper_parameters"),
            ]
            for (body, code) in bad {
                try await client.execute(uri: "/api/models", method: .post, headers: .bearer(key), body: try JSON.body(body)) { response in
                    try expectError(response, .unprocessableContent, code: code)
                }
            }
            try await client.execute(uri: "/api/models", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "features": ["Sentiment"]])) { response in
                let detail = try JSON.object(response.body)["detail"] as? String ?? ""
                #expect(detail.contains("MA5") && detail.contains("return_lag_1"), "lists the valid names: \(detail)")
            }
            #expect(try await harness.parts.registry.models(skip: 0, limit: 10).isEmpty, "nothing registered")
            try await client.execute(uri: "/api/train", method: .post, headers: .bearer(key), body: try JSON.body(["model_id": 999])) {
                try expectError($0, .notFound, code: "model_not_found")
            }
            try await client.execute(uri: "/api/train/status/7d1c9b1e-0000-4000-8000-000000000000", method: .get) {
                try expectError($0, .notFound, code: "task_not_found")
            }
            try await client.execute(uri: "/api/train/status/not-a-task", method: .get) { try expectError($0, .notFound, code: "task_not_found") }
            try await client.execute(uri: "/api/predict", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-04"])) {
                try expectError($0, .conflict, code: "no_champion")
            }
            let id = try await Self.register(client, key: key, ["ticker": "GOOG", "exchange": "NASDAQ", "model_type": "drift", "hyper_parameters": ["max_horizon": 5]])
            try await client.execute(uri: "/api/models/\(id)/promote", method: .post, headers: .bearer(key)) { try expectError($0, .conflict, code: "model_not_trained") }
            _ = try await Self.train(client, harness: harness, key: key, model: id)
            let cases: [([String: Any], HTTPResponse.Status, String)] = [
                (["ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-03-02", "model_id": id], .unprocessableContent, "invalid_request"),
                (["ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-06-28", "model_id": id], .unprocessableContent, "invalid_request"),
                (["ticker": "GOOG", "exchange": "NASDAQ", "target_date": "2013-3-4", "model_id": id], .unprocessableContent, "validation_error"),
                (["ticker": "^GSPC", "exchange": "NYSE", "target_date": "2013-03-04", "model_id": id], .unprocessableContent, "invalid_request"),
            ]
            for (body, status, code) in cases {
                try await client.execute(uri: "/api/predict/", method: .post, headers: .bearer(key), body: try JSON.body(body)) { try expectError($0, status, code: code) }
            }
            try await client.execute(uri: "/api/predict/future", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "days": 31, "model_id": id])) {
                try expectError($0, .unprocessableContent, code: "invalid_days")
            }
            try await client.execute(uri: "/api/predict/future", method: .post, headers: .bearer(key), body: try JSON.body(["ticker": "GOOG", "exchange": "NASDAQ", "days": 6, "model_id": id])) {
                try expectError($0, .unprocessableContent, code: "invalid_days")
            }
            try await client.execute(uri: "/api/tasks?state=sleeping", method: .get) { try expectError($0, .badRequest, code: "invalid_state") }
        }
    }
}
